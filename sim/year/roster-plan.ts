/**
 * Who is on the roster when, over a simulated year (issue 10): households that move in or
 * out during the year, members who join, leave or live there before they are registered,
 * residents with no enrolled face (card only) and residents the terminal often fails.
 * The roster an integrator imports (roster.json) carries it all as lease and validity
 * dates; with `rosterUpdates` the year also carries the roster as the housing office
 * would send it week by week.
 */
import { addDays, DAY_MS, shanghaiDate } from '../dates.js';
import { birthDateForAge, chineseName, shanghaiIdNumber } from '../names.js';
import type { Random } from '../random.js';
import type { SimEstate, SimRoster, SimRosterHousehold, SimRosterResident } from '../types.js';
import type { Negative } from './labels.js';
import type { YearParams } from './params.js';

/** When one resident is around, and how the terminals see them. */
export interface ResidentPlan {
  id: string;
  householdId: string;
  /** Days [from, to) the resident lives there (early members: before their registration). */
  from: number;
  to: number;
  /** Day from which the terminal knows the face (registration); null: never (card only). */
  enrolledFrom: number | null;
  /** Chance an attempt at the face terminal fails (personId null with the embedding). */
  nullRate: number;
  /** Tries the face first and swipes the card when it fails (poor recognisers). */
  faceFirst: boolean;
  card: string | null;
  /** Day the card is issued (early members get theirs at registration). */
  cardFrom: number;
  age: number;
}

/** The roster side of a year. */
export interface RosterPlan {
  /** The roster as it stands at the end of the year, with every date (roster.json). */
  final: SimRoster;
  /** The roster as known on the first day (roster.json when rosterUpdates is on). */
  initial: SimRoster;
  /** Weekly merges after the first day: the households that changed (rosterUpdates). */
  updates: Array<{ day: number; households: SimRosterHousehold[] }>;
  residents: Map<string, ResidentPlan>;
  /** Days [from, to) of each household's lease within the year. */
  households: Map<string, { from: number; to: number }>;
  negatives: Negative[];
}

const birthOf = (idNumber: string) =>
  `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;

/** Plans the roster of a year of `days` days from local midnight `start`. */
export function planRoster(
  estate: SimEstate,
  p: YearParams,
  rng: Random,
  start: number,
  days: number,
): RosterPlan {
  const date = (d: number) => shanghaiDate(start + d * DAY_MS);
  const dayOf = (ymd: string) => Math.round((Date.parse(`${ymd}T00:00:00+08:00`) - start) / DAY_MS);
  const first = date(0);
  const end = date(days);
  const negatives: Negative[] = [];
  const neg = (n: Negative) => negatives.push(n);
  const usedCards = new Set<string>();
  const usedIds = new Set<string>();
  for (const h of estate.roster.households)
    for (const r of h.residents) {
      for (const c of r.credentials.card) usedCards.add(c);
      usedIds.add(r.idNumber);
    }
  const newCard = () => {
    for (;;) {
      const c = `7${rng.hex(7)}`;
      if (!usedCards.has(c)) {
        usedCards.add(c);
        return c;
      }
    }
  };
  const households = new Map<string, { from: number; to: number }>();
  const residents = new Map<string, ResidentPlan>();
  const registeredOn = new Map<string, number>();

  for (const h of estate.roster.households) {
    const hr = rng.fork('household', h.id);
    let from = 0;
    let to = days;
    if (h.status === 'terminated') {
      // Lease ended before the end of the year (the estate's few terminated households).
      to = h.leaseEnd ? Math.min(days, dayOf(h.leaseEnd) + 1) : 0;
      if (to > 0 && to < days) neg({ scenario: 'moved_out', householdId: h.id, start: iso(start, to) });
    } else if (hr.chance(p.moveIns)) {
      from = hr.int(20, Math.max(21, days - 30));
      h.leaseStart = date(from);
      neg({ scenario: 'moved_in', householdId: h.id, start: iso(start, from) });
    } else {
      // Everybody else was there before the year began.
      if (h.leaseStart && h.leaseStart >= first) h.leaseStart = addDays(first, -hr.int(30, 2900));
      if (hr.chance(p.moveOuts / Math.max(0.01, 1 - p.moveIns))) {
        to = hr.int(30, Math.max(31, days - 20));
        h.leaseEnd = date(to - 1);
        h.status = 'terminated';
        neg({ scenario: 'moved_out', householdId: h.id, start: iso(start, to) });
      }
    }
    if (h.leaseEnd && h.leaseEnd < end && h.status === 'active') h.leaseEnd = addDays(end, hr.int(30, 700));
    households.set(h.id, { from, to: Math.max(from, to) });
    h.residents.forEach((r, k) => {
      const rr = hr.fork('resident', r.id);
      const birth = birthOf(r.idNumber);
      const age = Math.floor(dayOf(birth) / -365.25);
      r.validFrom = h.leaseStart && birth < h.leaseStart ? h.leaseStart : birth;
      // Someone who left before this lease began (the import refuses validTo < validFrom).
      if (r.validTo && r.validTo < r.validFrom) r.validFrom = addDays(r.validTo, -30);
      let rFrom = Math.max(from, dayOf(r.validFrom));
      let rTo = to;
      if (h.status === 'terminated') {
        r.status = 'moved_out';
        r.validTo = h.leaseEnd;
      } else if (r.status === 'moved_out' && r.validTo) {
        rTo = Math.min(to, dayOf(r.validTo) + 1);
        if (rTo > 0)
          neg({ scenario: 'member_left', householdId: h.id, residentId: r.id, start: iso(start, rTo) });
      } else if (k > 0 && from === 0 && rr.chance(p.memberMoves)) {
        const d = rr.int(20, Math.max(21, days - 20));
        if (rr.chance(0.5) || (r.validFrom ?? '') >= date(d - 1)) {
          r.validFrom = date(d);
          rFrom = d;
          neg({ scenario: 'member_joined', householdId: h.id, residentId: r.id, start: iso(start, d) });
        } else {
          r.status = 'moved_out';
          r.validTo = date(d - 1);
          rTo = d;
          neg({ scenario: 'member_left', householdId: h.id, residentId: r.id, start: iso(start, d) });
        }
      }
      // A child registered after a lease that has since ended (validFrom is the birth date):
      // the import refuses validTo < validFrom, as it should; the plan's days do not change.
      if (r.validTo && r.validFrom && r.validTo < r.validFrom) r.validFrom = r.validTo;
      residents.set(r.id, {
        id: r.id,
        householdId: h.id,
        from: Math.max(0, rFrom),
        to: Math.max(0, Math.min(rTo, days)),
        enrolledFrom: 0,
        nullRate: p.baseNull,
        faceFirst: false,
        card: r.credentials.card[0] ?? null,
        cardFrom: 0,
        age,
      });
    });
  }

  // Members who live there weeks before the housing office registers them.
  for (const h of estate.roster.households) {
    const span = households.get(h.id);
    if (h.status !== 'active' || !span || span.from > 0 || !rng.fork('early', h.id).chance(p.earlyMembers))
      continue;
    const er = rng.fork('early-member', h.id);
    const registered = er.int(60, Math.max(61, days - 10));
    const lives = Math.max(1, registered - er.int(14, 84));
    const sex = er.chance(0.5) ? 'M' : 'F';
    let idNumber: string;
    do idNumber = shanghaiIdNumber(er, birthDateForAge(er, end, er.int(20, 70)), sex);
    while (usedIds.has(idNumber));
    usedIds.add(idNumber);
    const id = `${h.id}-9`;
    const card = er.chance(0.5) ? newCard() : null;
    const r: SimRosterResident = {
      id,
      role: 'co_resident',
      name: chineseName(er, sex),
      idNumber,
      phone: `139${String(er.int(0, 99_999_999)).padStart(8, '0')}`,
      validFrom: date(registered),
      validTo: null,
      status: 'active',
      credentials: { face: [`F-${id}`], card: card ? [card] : [] },
    };
    h.residents.push(r);
    registeredOn.set(id, registered);
    residents.set(id, {
      id,
      householdId: h.id,
      from: lives,
      to: days,
      enrolledFrom: registered,
      nullRate: p.baseNull,
      faceFirst: false,
      card,
      cardFrom: registered,
      age: 30,
    });
    neg({
      scenario: 'member_before_registration',
      householdId: h.id,
      residentId: id,
      start: iso(start, lives),
      end: iso(start, registered),
    });
  }

  // Card only (3× as likely over 65) and poor recognisers (who always have a card).
  const plans = [...residents.values()].filter((r) => r.to > r.from);
  const old = plans.filter((r) => r.age >= 65).length / Math.max(1, plans.length);
  const k = 1 / (3 * old + (1 - old));
  const byId = new Map(estate.roster.households.flatMap((h) => h.residents.map((r) => [r.id, r] as const)));
  for (const plan of plans) {
    const r = byId.get(plan.id) as SimRosterResident;
    const cr = rng.fork('face', plan.id);
    if (plan.enrolledFrom === 0 && cr.chance(p.cardOnly * k * (plan.age >= 65 ? 3 : 1))) {
      r.credentials.face = [];
      plan.enrolledFrom = null;
      plan.nullRate = 1;
      if (!plan.card) {
        plan.card = newCard();
        r.credentials.card = [plan.card];
      }
      neg({ scenario: 'card_only_resident', householdId: plan.householdId, residentId: plan.id });
    } else if (plan.enrolledFrom === 0 && cr.chance(p.poorRecognisers)) {
      plan.nullRate = cr.float(p.poorNullMin, Math.max(p.poorNullMin, p.poorNullMax));
      plan.faceFirst = true;
      if (!plan.card) {
        plan.card = newCard();
        r.credentials.card = [plan.card];
      }
      neg({ scenario: 'poor_recogniser', householdId: plan.householdId, residentId: plan.id });
    }
  }

  const final = estate.roster;
  final.version = `${final.version}-y${days}`;
  const initial = rosterAt(final, 0, households, residents, registeredOn, date);
  const updates: RosterPlan['updates'] = [];
  if (p.rosterUpdates > 0) {
    let prev = new Map(initial.households.map((h) => [h.id, JSON.stringify(h)]));
    for (let d = 7; d < days; d += 7) {
      const now = rosterAt(final, d, households, residents, registeredOn, date);
      const changed = now.households.filter((h) => prev.get(h.id) !== JSON.stringify(h));
      if (changed.length > 0) updates.push({ day: d, households: changed });
      prev = new Map(now.households.map((h) => [h.id, JSON.stringify(h)]));
    }
  }
  return { final, initial, updates, residents, households, negatives };
}

/**
 * The roster as the housing office knows it on day `d`: leases a week ahead (a new tenant
 * is registered before the move), terminations after the fact, members from their
 * registration, departures once they happened.
 */
function rosterAt(
  final: SimRoster,
  d: number,
  spans: Map<string, { from: number; to: number }>,
  plans: Map<string, ResidentPlan>,
  registeredOn: Map<string, number>,
  date: (d: number) => string,
): SimRoster {
  const households: SimRosterHousehold[] = [];
  for (const h of final.households) {
    const span = spans.get(h.id);
    if (!span || span.from > d + 7) continue;
    const ended = span.to <= d;
    const residents = h.residents
      .filter((r) => (registeredOn.get(r.id) ?? -1) <= d)
      .map((r) => {
        const plan = plans.get(r.id);
        const gone = ended || (plan !== undefined && plan.to <= d && plan.to > plan.from);
        return gone
          ? {
              ...r,
              status: 'moved_out' as const,
              validTo: r.validTo ?? date(Math.max(0, (plan?.to ?? d) - 1)),
            }
          : { ...r, status: 'active' as const, validTo: r.status === 'moved_out' ? null : r.validTo };
      });
    households.push({
      ...h,
      status: ended ? 'terminated' : 'active',
      leaseEnd: ended ? h.leaseEnd : h.status === 'terminated' ? null : h.leaseEnd,
      residents,
    });
  }
  return { ...final, version: `${final.version}-d${d}`, households };
}

const iso = (start: number, d: number) => new Date(start + d * DAY_MS).toISOString();
