import { dayOf } from '../../core/time.js';
import type { ResidentRef, RosterIndex } from '../roster/roster-index.js';
import type { GuestCalendar } from './holidays.js';
import type { DetectorState, HouseholdState } from './state.js';
import { householdSpan, lastSeenOf, membersOn, residentSpan, type Span } from './windows.js';

/** What attributing lodgers needs. */
export interface LodgerContext {
  roster: RosterIndex;
  state: DetectorState;
  /** The data's first day: people there from the start are no newcomers. */
  startDay: number;
  /** Doors that are estate gates, not entrances. */
  gates: ReadonlySet<string>;
  /** Days of absence before a household can have taken in lodgers (suspectedSublet.absentDays). */
  absentDays: number;
  /** The local day an unregistered face was first seen (its cluster's first capture), if known. */
  firstSeen(person: string): number | undefined;
  /** Public holidays and the summer: when guests come. */
  guests: GuestCalendar;
  /** How long a guest stays at most (credentialShared.guestDays). */
  guestDays: number;
}

/** A regular is seen at its entrance on this many days of the last REGULAR_SPAN at least… */
const REGULAR_DAYS = 6;
const REGULAR_SPAN = 14;
/** …and on this many days in all. */
const REGULAR_TOTAL = 8;
/** Newcomers and the change they go with must be this close (days). */
export const NEAR = 7;
/** Nobody who was there in the first days of the data is a newcomer. */
const SETTLED = 7;
/**
 * A group of lodgers moves in together: a newcomer who came within MOVE_IN days of one flat's
 * change, when every other flat of the entrance changed APART days or more from that day,
 * belongs to that flat (a last sighting is a day or two before the family really left).
 */
const MOVE_IN = 1;
const APART = 3;

/** Something that happened to a flat of an entrance on a day: it emptied, others began to use its card, or people moved in. */
interface Change {
  hid: string;
  day: number;
  moveIn?: true;
}

/**
 * The days a household moved in after the data's first days, up to `today`: its lease's
 * start, and each member's registration (validFrom) within it.
 */
function moveIns(members: readonly ResidentRef[], span: Span, startDay: number, today: number): Set<number> {
  const out = new Set<number>();
  const add = (d: number) => {
    if (d > startDay + SETTLED && d <= today) out.add(d);
  };
  add(span.from);
  for (const m of members) {
    const r = residentSpan(m, span);
    if (r) add(r.from);
  }
  return out;
}

/**
 * The day others began to use the household's credentials: its earliest foreign use of two
 * days or more, remembered while one is still in the window. The change happened
 * when it did (issue 10: a neighbour's occupant who came the day others moved in with that
 * neighbour was tied, five weeks later, to a flat emptied a week before, once the first days
 * of the neighbour's card use had left the window and its change seemed to begin later).
 */
function usedSince(hs: HouseholdState): number | undefined {
  const first = Math.min(...hs.foreign.filter((fu) => fu.d.length >= 2).map((fu) => fu.d[0] as number));
  if (!Number.isFinite(first)) return undefined;
  return hs.usedSince === undefined ? first : Math.min(hs.usedSince, first);
}

/**
 * Lodgers who never touch a household's credentials (issue 10: face-only tenants, tenants
 * with their own ID cards). An entrance serves some sixty flats, so such a face ties to a
 * flat only through a change that happened there at the same time: a newcomer who comes
 * in at one entrance nearly every day, starting within a week of the day a household of
 * that entrance was last seen — the one household of the entrance where that happened — or
 * within a week of the first foreign use of a household's card (the rest of a group of
 * lodgers). Faces learnt as residents, tied to a household by its credentials, or seen at
 * three entrances (workers) are not candidates, nor, until it has stayed longer than a
 * visit lasts (`guestDays`), a newcomer first seen in a guest season. A household moving in
 * (its lease or a member's registration starting) is a change of the entrance too: a
 * newcomer who first came from that day on, nearest to it, is one of them, the terminal not
 * yet knowing their face, and no flat's lodger. An attributed face's days at the door count as that household's lodger
 * presence (rules-absence.ts, rules-use.ts).
 */
export function attributeLodgers(x: LodgerContext, today: number): void {
  const { state, roster } = x;
  // Changes per entrance: households emptied (day they were last seen), first foreign uses, move-ins.
  const changes = new Map<string, Change[]>();
  const tied = new Set<string>();
  for (const [hid, hs] of state.households) {
    for (const fu of hs.foreign) tied.add(fu.p);
    const h = roster.households.get(hid);
    const span = h ? householdSpan(h, x.startDay) : null;
    if (!h?.entranceId || !span || today > span.to) continue;
    const l = changes.get(h.entranceId) ?? [];
    changes.set(h.entranceId, l);
    for (const day of moveIns(roster.members(hid), span, x.startDay, today))
      l.push({ hid, day, moveIn: true });
    const members = membersOn(roster.members(hid), span, today);
    if (members.length === 0) continue;
    const seen = lastSeenOf(hs.seen, members);
    const last = seen === undefined ? Number.NEGATIVE_INFINITY : dayOf(seen);
    if (today - last >= x.absentDays && last > x.startDay + SETTLED) l.push({ hid, day: last + 1 });
    const since = usedSince(hs);
    if (since !== hs.usedSince) {
      if (since === undefined) delete hs.usedSince;
      else hs.usedSince = since;
      state.touch(`h:${hid}`);
    }
    if (since !== undefined && since > x.startDay + SETTLED) l.push({ hid, day: since });
  }
  for (const [person, s] of state.strangers) {
    if (!person.startsWith('c:') || tied.has(person) || !s.ed) continue;
    const doors = Object.keys(s.ed).filter((d) => !x.gates.has(d));
    if (doors.length === 0 || doors.length >= 3) continue;
    const home = doors.reduce((a, b) => ((s.ed?.[a]?.length ?? 0) >= (s.ed?.[b]?.length ?? 0) ? a : b));
    const days = s.ed[home] ?? [];
    const first = x.firstSeen(person) ?? s.f ?? (days[0] as number);
    if (first <= x.startDay + SETTLED || days.length < REGULAR_TOTAL) continue;
    if (days.filter((d) => d > today - REGULAR_SPAN).length < REGULAR_DAYS) continue;
    // Guests of a neighbour over a holiday come daily at the same entrance for a week or
    // two: a newcomer of a guest season is a lodger only once it stays longer than a visit.
    if (x.guestDays > 0 && x.guests.holds(first) && (days[days.length - 1] as number) - first < x.guestDays)
      continue;
    // A household's people come from the day it moves in (a day early at most), not before.
    const near = (changes.get(home) ?? []).filter(
      (c) => Math.abs(c.day - first) <= NEAR && (!c.moveIn || first >= c.day - MOVE_IN),
    );
    const gap = new Map<string, number>();
    const movedIn = new Map<string, number>();
    for (const c of near) {
      const by = c.moveIn ? movedIn : gap;
      by.set(c.hid, Math.min(by.get(c.hid) ?? NEAR, Math.abs(c.day - first)));
    }
    if (gap.size === 0) continue;
    // Two flats of the entrance changed that week (issue 10: a sublet five days before the
    // overcrowded flat at the same entrance left its newcomers to neither): the one whose
    // change came on the day the newcomer did, when the other came days apart. A household
    // that moved in is such a change (issue 10: a poor recogniser's face, new the day their
    // family moved in, was tied to a flat whose tenant had left on a trip three days later).
    const ranked = [...gap].sort((a, b) => a[1] - b[1]);
    const [hid, d0] = ranked[0] as [string, number];
    const rivals = [...ranked.slice(1), ...movedIn].sort((a, b) => a[1] - b[1]);
    const rival = rivals[0];
    if (rival && (d0 > MOVE_IN || rival[1] < d0 + APART)) continue;
    const hs = state.household(hid);
    const kept = (hs.lodgers?.[person] ?? []).filter((d) => d > today - 62);
    const merged = [...new Set([...kept, ...days])].sort((a, b) => a - b);
    if (rival)
      hs.attributedWhy = {
        ...hs.attributedWhy,
        [person]: `与本户变动同日（相差 ${d0} 天）入住本单元；同单元 ${[...new Set(rivals.map(([h]) => h))].filter((h) => h !== hid).join('、')} 的变动相差 ${rival[1]} 天以上，不计`,
      };
    if (!hs.attributed?.includes(person)) hs.attributed = [...(hs.attributed ?? []), person];
    hs.lodgers = { ...hs.lodgers, [person]: merged };
    state.touch(`h:${hid}`);
  }
}
