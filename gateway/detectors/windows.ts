import type { Household } from '../roster/model.js';
import type { ResidentRef } from '../roster/roster-index.js';

/** Local day numbers [from, to], both included, in which something is judged. */
export interface Span {
  from: number;
  to: number;
}

/** The local day number of a YYYY-MM-DD date (UTC+8, as core/time.ts dayOf). */
export function dayOfDate(ymd: string): number {
  return Math.floor(Date.parse(`${ymd}T00:00:00Z`) / 86_400_000);
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
