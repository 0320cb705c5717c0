/**
 * Local time of the estate. China has one time zone and no daylight saving, so a local
 * date is UTC+8 arithmetic, not a time-zone database lookup.
 */

/** UTC+8 in ms: every local date and day number of the gateway is taken at this offset. */
export const LOCAL_OFFSET_MS = 8 * 3600_000;

/** One day in ms. */
export const DAY_MS = 86_400_000;

/** The local (Asia/Shanghai) calendar date of an instant, YYYY-MM-DD. */
export function localDate(ts: number): string {
  return new Date(ts + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/** The local (Shanghai) day number of an instant: days since 1970-01-01 local. */
export function dayOf(ts: number): number {
  return Math.floor((ts + LOCAL_OFFSET_MS) / DAY_MS);
}

/** ISO time, or null. */
export function iso(ts: number | null | undefined): string | null {
  return ts === null || ts === undefined ? null : new Date(ts).toISOString();
}
