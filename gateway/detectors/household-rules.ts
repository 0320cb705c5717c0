import type { AlertKind } from '../../core/codes.js';
import { DAY_MS, dayOf, iso } from '../../core/time.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { Config } from '../config/schema.js';
import type { Household } from '../roster/model.js';
import type { ResidentRef, RosterIndex } from '../roster/roster-index.js';
import type { ForeignUse, HouseholdState } from './state.js';
import { maskCred, personLabel } from './time.js';

/** What the household rules need besides the household's own state. */
export interface RuleContext {
  cfg: Config['detectors'];
  roster: RosterIndex;
  startDay: number;
  /** Days in (fromDay, toDay] on which one of the household's home doors recorded reads. */
  workingDays(h: Household, fromDay: number, toDay: number): number;
}

/** Why evaluate: a day passed (absence may have grown), or an entry brought evidence. */
export interface Trigger {
  /** The day being judged (yesterday for a sweep, the entry's day otherwise). */
  today: number;
  ts: number;
  /** Whether the current entry is evidence (attach it to the alert). */
  entry: boolean;
  /** Sweeps judge absence; entries do not raise leaseholder_absent (a day's end does). */
  sweep: boolean;
}

interface Absence {
  residents: ResidentRef[];
  lastSeen: number | null;
  lastDay: number;
  days: number;
}

function absence(
  ctx: RuleContext,
  h: Household,
  hs: HouseholdState,
  who: 'leaseholder' | 'any_member',
  today: number,
): Absence | null {
  const members = ctx.roster.members(h.id).filter((m) => m.status === 'active');
  const residents = who === 'leaseholder' ? members.filter((m) => m.role === 'leaseholder') : members;
  if (residents.length === 0) return null;
  let lastSeen: number | null = null;
  for (const r of residents) {
    const s = hs.seen[r.id];
    if (s !== undefined && (lastSeen === null || s > lastSeen)) lastSeen = s;
  }
  const lastDay = lastSeen === null ? ctx.startDay : dayOf(lastSeen);
  return { residents, lastSeen, lastDay, days: ctx.workingDays(h, lastDay, today) };
}

/** Distinct days of a foreign use at or after `fromDay`. */
const daysSince = (fu: ForeignUse, fromDay: number) => fu.d.filter((d) => d >= fromDay).length;

function personsOf(list: ForeignUse[]) {
  return list.map((fu) => ({
    person: personLabel(fu.p),
    via: maskCred(fu.c),
    days: fu.d.length,
    first: iso(fu.first),
    last: iso(fu.last),
    entries: fu.s,
    thumbs: fu.t,
  }));
}

function absenceOf(a: Absence) {
  return {
    residents: a.residents.map((r) => r.id),
    lastSeen: iso(a.lastSeen),
    workingDaysAbsent: a.days,
  };
}

/**
 * Judges one household: credential_shared, overcrowding, suspected_sublet and (on a
 * sweep) leaseholder_absent. A kind already reported for the ongoing situation is
 * updated at most once a day; a kind whose condition ended is cleared, so its next
 * occurrence is a new situation (issue 4: never fire twice for the same one).
 */
export function evaluateHousehold(
  ctx: RuleContext,
  h: Household,
  hs: HouseholdState,
  t: Trigger,
  out: AlertCandidate[],
): boolean {
  if (h.status !== 'active') return false;
  const cfg = ctx.cfg;
  let changed = false;
  const report = (
    kind: AlertKind,
    on: boolean,
    subject: string,
    patternTs: number,
    summary: string,
    chain: Record<string, unknown>,
    residentId: string | null = null,
  ) => {
    const last = hs.fired[kind];
    if (!on) {
      if (last !== undefined) {
        delete hs.fired[kind];
        changed = true;
      }
      return;
    }
    if (last !== undefined && last >= t.today) return;
    hs.fired[kind] = t.today;
    changed = true;
    out.push({
      kind,
      subject,
      householdId: h.id,
      residentId,
      doorId: null,
      readerId: null,
      ts: t.ts,
      finding: {
        phase: last === undefined ? 'open' : 'update',
        patternTs,
        summary,
        buildingId: h.buildingId,
        chain: { household: h.id, building: h.buildingId, room: h.room, ...chain },
        attachEntry: t.entry,
      },
    });
  };

  // credential_shared: per credential, the foreign faces that used it within the window.
  const csFrom = t.today - cfg.credentialShared.windowDays + 1;
  const byCred = new Map<string, ForeignUse[]>();
  for (const fu of hs.foreign) {
    if (daysSince(fu, csFrom) === 0) continue;
    const l = byCred.get(fu.c);
    if (l) l.push(fu);
    else byCred.set(fu.c, [fu]);
  }
  const shared: ForeignUse[] = [];
  const creds: string[] = [];
  for (const [cred, list] of byCred) {
    const strong = list.filter((fu) => daysSince(fu, csFrom) >= cfg.credentialShared.minDays);
    const multi = list.filter((fu) => daysSince(fu, csFrom) >= 2);
    if (strong.length === 0 && multi.length < cfg.credentialShared.distinctFaces) continue;
    creds.push(maskCred(cred));
    shared.push(...(strong.length > 0 ? strong : multi));
  }
  report(
    'credential_shared',
    shared.length > 0,
    `household:${h.id}`,
    shared.length ? Math.min(...shared.map((fu) => fu.first)) : t.ts,
    `${creds.join('、')} 被 ${shared.length} 名非本户人员使用 (used by ${shared.length} other person(s))`,
    { credentials: creds, persons: personsOf(shared) },
  );

  // overcrowding: registered members seen plus foreign persons tied by their credentials.
  const ocFrom = t.today - cfg.overcrowding.windowDays + 1;
  const members = ctx.roster.members(h.id).filter((m) => m.status === 'active');
  const seenMembers = members.filter(
    (m) => (hs.seen[m.id] ?? -Infinity) >= t.ts - cfg.overcrowding.windowDays * DAY_MS,
  );
  const tiedDays = new Map<string, Set<number>>();
  for (const fu of hs.foreign) {
    const s = tiedDays.get(fu.p) ?? new Set<number>();
    for (const d of fu.d) if (d >= ocFrom) s.add(d);
    tiedDays.set(fu.p, s);
  }
  const tied = [...tiedDays].filter(([, s]) => s.size >= cfg.overcrowding.minDays).map(([p]) => p);
  const total = seenMembers.length + tied.length;
  const tiedUses = hs.foreign.filter((fu) => tied.includes(fu.p));
  report(
    'overcrowding',
    total > members.length + cfg.overcrowding.margin,
    `household:${h.id}`,
    tiedUses.length ? Math.min(...tiedUses.map((fu) => fu.first)) : t.ts,
    `登记 ${members.length} 人，近 ${cfg.overcrowding.windowDays} 天出入 ${total} 人 (${total} persons for ${members.length} registered)`,
    {
      registered: members.length,
      seenMembers: seenMembers.length,
      tiedPersons: tied.length,
      persons: personsOf(tiedUses),
    },
  );

  // suspected_sublet and leaseholder_absent: both start from the leaseholder's absence.
  const a = absence(ctx, h, hs, cfg.suspectedSublet.who, t.today);
  if (a) {
    const sb = cfg.suspectedSublet;
    // Only people seen on two days or more: a neighbour's face beside a swipe once is chance.
    const after = hs.foreign.filter((fu) => fu.d.filter((d) => d > a.lastDay).length >= 2);
    const foreignDays = new Set<number>();
    for (const fu of after) for (const d of fu.d) if (d > a.lastDay) foreignDays.add(d);
    const passFrom = t.ts - sb.passWindowDays * DAY_MS;
    const repeats = Object.entries(hs.passes)
      .map(([k, l]) => [k, l.filter((x) => x >= passFrom).length] as const)
      .filter(([, n]) => n >= sb.passRepeats);
    const on = a.days >= sb.absentDays && (foreignDays.size >= sb.minDays || repeats.length > 0);
    if (on || hs.fired.suspected_sublet !== undefined)
      report(
        'suspected_sublet',
        on,
        `household:${h.id}`,
        after.length ? Math.min(...after.map((fu) => fu.first)) : (a.lastSeen ?? t.ts),
        `承租人 ${a.days} 天未核验出入，${after.length} 名非登记人员使用本户门禁 (leaseholder absent ${a.days} days, ${after.length} other person(s) using the home)`,
        {
          absence: absenceOf(a),
          persons: personsOf(after),
          repeatedVisitors: repeats.map(([k, n]) => ({ visitor: k, passes: n })),
        },
        a.residents[0]?.id ?? null,
      );
  }
  if (t.sweep) {
    const who = absence(ctx, h, hs, cfg.leaseholderAbsent.who, t.today);
    if (who) {
      const on = who.days >= cfg.leaseholderAbsent.days;
      if (on || hs.fired.leaseholder_absent !== undefined) {
        // Reported when it starts and refreshed weekly while it lasts.
        const last = hs.fired.leaseholder_absent;
        if (!on || last === undefined || t.today - last >= 7)
          report(
            'leaseholder_absent',
            on,
            `household:${h.id}`,
            who.lastSeen ?? t.ts,
            `${who.days} 个工作日无核验出入记录 (no verified entry for ${who.days} days)`,
            { absence: absenceOf(who) },
            who.residents[0]?.id ?? null,
          );
      }
    }
  }
  return changed;
}
