/**
 * What is planted in a simulated year (issues 4 and 10): sublets (card handed over, face
 * only, weekly visitor passes), overcrowding, lent cards and long absences, each with a
 * labelled period; and the hard negatives beside them — relatives with passes, guests
 * over the holidays, relatives minding the flat during a long absence.
 */
import type { Random } from '../random.js';
import { add, type Cast } from './cast.js';
import type { Scenario } from './labels.js';
import type { YearParams } from './params.js';
import { type Actor, lodgerMode, type Mode, outsider } from './people.js';
import type { RosterPlan } from './roster-plan.js';

/** What planting needs besides the cast. */
export interface PlantContext {
  plan: RosterPlan;
  p: YearParams;
  seed: number;
  start: number;
  days: number;
  rng: Random;
  doorsOf: (hid: string, r: Random) => string[];
  entranceOf: Map<string, string>;
}

const DAY = 86_400_000;
const iso = (start: number, day: number) => new Date(start + day * DAY).toISOString();

/** Public holidays of the year (days from `start`): guests come around them. */
export function holidays(start: number, days: number): Array<[number, number]> {
  const y0 = new Date(start + 8 * 3600_000).getUTCFullYear();
  // Spring Festival eves; the other holidays by their usual dates.
  const sf: Record<number, string> = {
    2024: '02-09',
    2025: '01-28',
    2026: '02-16',
    2027: '02-05',
    2028: '01-25',
  };
  const out: Array<[number, number]> = [];
  for (const y of [y0, y0 + 1]) {
    const at = (md: string) => Math.round((Date.parse(`${y}-${md}T00:00:00+08:00`) - start) / DAY);
    const spans: Array<[string, number]> = [
      [sf[y] ?? '01-28', 9],
      ['04-04', 3],
      ['05-01', 5],
      ['07-15', 45],
      ['10-01', 8],
    ];
    for (const [md, len] of spans) {
      const f = at(md);
      if (f + len > 0 && f < days) out.push([Math.max(0, f), Math.min(days, f + len)]);
    }
  }
  return out;
}

/** Plants the cases and hard negatives into the cast. */
export function plant(c: Cast, x: PlantContext): void {
  const { plan, p, seed, start, days, rng: r } = x;
  const members = (hid: string) => (c.byHousehold.get(hid) ?? []).filter((a) => !a.stranger);
  // Households there the whole year: planted cases need a before and an after.
  const pool = r.shuffle(
    [...plan.households].filter(([hid, s]) => s.from === 0 && s.to === days && members(hid).length > 0),
  );
  const take = (n: number, ok: (hid: string) => boolean = () => true) => {
    const out: string[] = [];
    for (let i = 0; i < pool.length && out.length < n; i++) {
      const h = pool[i];
      if (h && ok(h[0])) {
        out.push(h[0]);
        pool.splice(i--, 1);
      }
    }
    return out;
  };
  const N = plan.households.size;
  const count = (share: number) => Math.max(2, Math.round(N * share));
  const cardHolder = (hid: string) => members(hid).find((a) => a.card && a.cardFrom === 0);
  const hasCard = (hid: string) => cardHolder(hid) !== undefined;
  const small = (hid: string) => members(hid).length <= 4;
  let caseNo = 0;
  const label = (
    scenario: Scenario,
    hid: string,
    from: number,
    to: number,
    kinds: string[],
    persons: Actor[],
    modes?: Mode[],
  ) =>
    c.cases.push({
      id: `L${++caseNo}`,
      scenario,
      householdId: hid,
      start: iso(start, from),
      end: iso(start, to),
      kinds,
      persons: persons.map((a) => a.id),
      ...(modes ? { modes } : {}),
    });
  const leave = (hid: string, from: number, to: number, who: 'all' | 'leaseholder') => {
    const m = members(hid);
    for (const a of who === 'all' ? m : m.slice(0, 1)) a.away.push([from, to]);
  };
  /** A lodger of `hid` from `from`: with the household's card, by face, or with an ID card of their own. */
  const lodger = (
    tag: string,
    hid: string,
    mode: Mode,
    from: number,
    to: number,
    rate = r.float(0.7, 1),
    lives = true,
  ) => {
    const id = `${tag}-${hid}-${c.actors.length}`;
    const holder = cardHolder(hid);
    const a = outsider(seed, id, {
      doors: x.doorsOf(hid, r),
      from,
      to,
      rate,
      household: lives ? hid : undefined,
    });
    if (mode === 'card' && holder?.card) {
      a.card = holder.card;
      a.cardShare = r.float(0.6, 1);
    } else if (mode === 'idcard') a.ownId = `lodger-${id}`;
    return add(c, a);
  };
  const window = () => r.int(20, Math.max(21, days - 60));
  const modes = (n: number, cardFirst: number, onlyUnlinked = false): Mode[] =>
    Array.from({ length: n }, (_, i) => {
      if (onlyUnlinked)
        return r.chance(p.lodgerOwnId / Math.max(0.01, p.lodgerOwnId + p.lodgerFaceOnly)) ? 'idcard' : 'face';
      return i < cardFirst ? 'card' : lodgerMode(r, p.lodgerFaceOnly, p.lodgerOwnId);
    });

  const subletN = count(0.009);
  const faceN = Math.round(subletN * 0.75 * p.subletFace);
  for (const hid of take(Math.ceil(subletN * 0.75) - faceN, (h) => hasCard(h) && small(h))) {
    const from = window();
    leave(hid, from, days, 'all');
    const ms = modes(r.int(1, 3), 1);
    const tenants = ms.map((m) => lodger('subtenant', hid, m, from, days));
    // The card went with the tenants.
    label(
      'sublet_card',
      hid,
      from,
      days,
      ['suspected_sublet', 'credential_shared', 'leaseholder_absent'],
      tenants,
      ms,
    );
  }
  for (const hid of take(faceN, small)) {
    const from = window();
    leave(hid, from, days, 'all');
    const ms = modes(r.int(1, 3), 0, true);
    const tenants = ms.map((m) => lodger('subtenant', hid, m, from, days));
    label('sublet_face', hid, from, days, ['suspected_sublet', 'leaseholder_absent'], tenants, ms);
  }
  for (const hid of take(Math.floor(subletN * 0.25))) {
    const from = window();
    leave(hid, from, days, 'all');
    const t = lodger('subtenant', hid, 'face', from, days);
    t.known = true;
    t.stranger = false;
    t.idNumber = `sublet-${hid}`;
    for (let d = from; d < days; d += 7)
      c.passes.push({ day: d, body: visitorPass(hid, t, 'tenant', start, d, Math.min(days, d + 7)) });
    label('sublet_pass', hid, from, days, ['suspected_sublet', 'leaseholder_absent'], [t]);
  }
  for (const hid of take(count(0.006), hasCard)) {
    const from = window();
    const absent = r.chance(0.5);
    if (absent) leave(hid, from, days, 'all');
    const ms = modes(r.int(4, 7), 2);
    const occupants = ms.map((m) => lodger('occupant', hid, m, from, days));
    label(
      'overcrowding',
      hid,
      from,
      days,
      ['overcrowding', 'credential_shared', ...(absent ? ['suspected_sublet', 'leaseholder_absent'] : [])],
      occupants,
      ms,
    );
  }
  for (const hid of take(count(0.008), (h) => hasCard(h) && cardHolder(h)?.faceId !== null)) {
    const from = r.int(7, Math.max(8, days - 60));
    const to = Math.min(days, from + r.int(21, 84));
    const owner = cardHolder(hid) as Actor;
    owner.cardAway.push([from, to]);
    const friend = lodger('friend', hid, 'card', from, to, r.float(0.4, 0.9), false);
    friend.cardShare = r.float(0.7, 1);
    label('lent_card', hid, from, to, ['credential_shared'], [friend], ['card']);
  }
  for (const [scenario, who] of [
    ['long_absence_hospital', 'leaseholder'],
    ['long_absence_travel', 'all'],
  ] as const) {
    for (const hid of take(count(0.015))) {
      const from = window();
      const to = Math.min(days, from + r.int(40, 120));
      leave(hid, from, to, who);
      label(scenario, hid, from, to, ['leaseholder_absent'], []);
      if (who === 'all' && r.chance(p.houseSitters)) sitter(c, x, hid, from, to, cardHolder(hid));
    }
  }
  relatives(c, x, take(count(0.01)));
  guests(c, x, take(count(p.holidayGuests)));
}

/** A relative who minds the flat during a long absence, every `sitterGapMin`–`sitterGapMax` (4–7) days. */
function sitter(c: Cast, x: PlantContext, hid: string, from: number, to: number, holder?: Actor): void {
  const r = x.rng;
  const a = add(
    c,
    outsider(x.seed, `sitter-${hid}-${c.actors.length}`, {
      doors: x.doorsOf(hid, r),
      from,
      to,
      rate: 0,
      household: hid,
    }),
  );
  if (holder?.card && r.chance(0.8)) {
    a.card = holder.card;
    a.cardShare = 0.9;
  }
  const visits = new Set<number>();
  const gap = Math.min(x.p.sitterGapMin, x.p.sitterGapMax);
  for (let d = from + r.int(1, 4); d < to; d += r.int(gap, Math.max(gap, x.p.sitterGapMax))) visits.add(d);
  c.sitters.push({ actor: a, days: visits });
  c.negatives.push({
    scenario: 'house_sitter',
    householdId: hid,
    start: iso(x.start, from),
    end: iso(x.start, to),
  });
}

/** Relatives with 90-day passes (a hard negative of issue 4). */
function relatives(c: Cast, x: PlantContext, hids: string[]): void {
  for (const hid of hids) {
    for (let k = x.rng.int(1, 2); k > 0; k--) {
      const rel = add(
        c,
        outsider(x.seed, `relative-${hid}-${c.actors.length}`, {
          doors: x.doorsOf(hid, x.rng),
          from: 0,
          to: x.days,
          rate: 0.45,
          known: true,
          stranger: false,
        }),
      );
      rel.idNumber = `relative-${rel.id}`;
      for (let d = 0; d < x.days; d += 90)
        c.passes.push({
          day: d,
          body: visitorPass(hid, rel, 'relative', x.start, d, Math.min(x.days, d + 90)),
        });
    }
    c.negatives.push({ scenario: 'relatives_with_pass', householdId: hid });
  }
}

/** Guests over a public holiday: 1–3 people for 3–14 days, mostly with their hosts. */
function guests(c: Cast, x: PlantContext, hids: string[]): void {
  const spans = holidays(x.start, x.days);
  if (spans.length === 0) return;
  const r = x.rng;
  for (const hid of hids) {
    const [f, t] = r.pick(spans);
    const from = Math.max(0, f + r.int(-3, Math.max(0, t - f - 3)));
    const to = Math.min(x.days, from + r.int(3, 14));
    const holder = (c.byHousehold.get(hid) ?? []).find((a) => a.card && !a.stranger);
    const list: Actor[] = [];
    for (let k = r.int(1, 3); k > 0; k--) {
      const g = add(
        c,
        outsider(x.seed, `guest-${hid}-${c.actors.length}`, {
          doors: x.doorsOf(hid, r),
          from,
          to,
          rate: r.float(0.3, 1),
          household: hid,
        }),
      );
      if (holder?.card && r.chance(0.5)) {
        g.card = holder.card;
        g.cardShare = r.float(0.3, 0.8);
      }
      list.push(g);
    }
    c.guests.push(...list);
    c.negatives.push({
      scenario: 'holiday_guests',
      householdId: hid,
      start: iso(x.start, from),
      end: iso(x.start, to),
    });
  }
}

/** A visitor pass to `hid` for `a` over days [from, to). */
function visitorPass(hid: string, a: Actor, tag: string, start: number, from: number, to: number) {
  return {
    kind: 'visitor',
    householdId: hid,
    name: `访客${tag}`,
    phone: `138${String(hashId(a.id) % 1e8).padStart(8, '0')}`,
    embedding: a.emb,
    id: `PS-${a.id}-${from}`,
    validFrom: iso(start, from),
    validTo: iso(start, to),
  };
}

function hashId(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
