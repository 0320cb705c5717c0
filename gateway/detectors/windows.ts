import type { Household } from '../roster/model.js';
import type { ResidentRef } from '../roster/roster-index.js';

/** Local day numbers [from, to], both included, in which something is judged. */
export interface Span {
  from: number;
  to: number;
}

/**
 * The local day number of a YYYY-MM-DD date (UTC+8, as core/time.ts dayOf). The daily sweep
 * asks it for every household's lease and members' dates (2 % of a replay's CPU when it
 * built a string for Date.parse each time): a plain date with a day ≤ 28 is counted here,
 * anything else goes to Date.parse as before, so every answer is Date.parse's.
 */
export function dayOfDate(ymd: string): number {
  if (ymd.length === 10 && ymd.charCodeAt(4) === 45 && ymd.charCodeAt(7) === 45) {
    const y = digits(ymd, 0, 4);
    const m = digits(ymd, 5, 2);
    const d = digits(ymd, 8, 2);
    if (y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= 28) return daysFromCivil(y, m, d);
  }
  return Math.floor(Date.parse(`${ymd}T00:00:00Z`) / 86_400_000);
}

/** The number in s[at, at + n) when all n characters are digits, else -1. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * The days a household is judged (issue 10 item 3): from the later of the data start and
 * the lease start, to the lease end. A household the roster says has ended without a lease
 * end (terminated or vacant by an import) is judged no more.
 */
export function householdSpan(h: Household, dataStart: number): Span | null {
  if (h.status !== 'active' && !h.leaseEnd) return null;
  const from = Math.max(dataStart, h.leaseStart ? dayOfDate(h.leaseStart) : dataStart);
  const to = h.leaseEnd ? dayOfDate(h.leaseEnd) : Number.POSITIVE_INFINITY;
  return from <= to ? { from, to } : null;
}

/**
 * The days a resident counts within their household's span: validFrom … validTo. A resident
 * moved out with no validTo, or suspended, no longer counts (the date they left is not known).
 */
export function residentSpan(r: ResidentRef, household: Span): Span | null {
  if (r.status === 'suspended') return null;
  if (r.status === 'moved_out' && !r.validTo) return null;
  const from = Math.max(household.from, r.validFrom ? dayOfDate(r.validFrom) : household.from);
  const to = Math.min(household.to, r.validTo ? dayOfDate(r.validTo) : Number.POSITIVE_INFINITY);
  return from <= to ? { from, to } : null;
}

/** Whether a span holds a day. */
export const holds = (s: Span | null, day: number) => s !== null && day >= s.from && day <= s.to;

/** Members of a household who count on `day`. */
export function membersOn(members: readonly ResidentRef[], household: Span, day: number): ResidentRef[] {
  return members.filter((m) => holds(residentSpan(m, household), day));
}

/**
 * When any of `residents` was last seen (verified presence, epoch ms; `seen` is the
 * household state's map), or undefined if none of them ever was.
 */
export function lastSeenOf(
  seen: Readonly<Record<string, number>>,
  residents: readonly ResidentRef[],
): number | undefined {
  let last: number | undefined;
  for (const r of residents) {
    const s = seen[r.id];
    if (s !== undefined && (last === undefined || s > last)) last = s;
  }
  return last;
}

/**
 * How far ahead a member's registration may be for them to be living there already: a
 * newcomer applies to join the household (and registers residence) within weeks of moving
 * in, not half a year later (issue 10: a member registered in October spared the friend who
 * had the leaseholder's card from March to May).
 */
export const PENDING_DAYS = 90;

/** Members registered to come within PENDING_DAYS after `day`: they may be living there already. */
export function pendingMembers(members: readonly ResidentRef[], household: Span, day: number): ResidentRef[] {
  return members.filter((m) => {
    const s = residentSpan(m, household);
    return s !== null && s.from > day && s.from - day <= PENDING_DAYS;
  });
}
