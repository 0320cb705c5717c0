/**
 * Local time of the estate. China has one time zone and no daylight saving, so a local
 * date is UTC+8 arithmetic, not a time-zone database lookup.
 */

/** UTC+8 in ms: every local date and day number of the gateway is taken at this offset. */
export const LOCAL_OFFSET_MS = 8 * 3600_000;

/** One day in ms. */
export const DAY_MS = 86_400_000;

/** A pure memo of localDate (not state): reads come day by day, so one entry saves nearly every format. */
let lastDay = Number.NaN;
let lastDate = '';

/** The local (Asia/Shanghai) calendar date of an instant, YYYY-MM-DD. */
export function localDate(ts: number): string {
  // On the hot path of every read (issue 15's profile: ~1 % of the daemon's time was
  // this Date + toISOString); the date string only changes when the local day does.
  const day = Math.floor((ts + LOCAL_OFFSET_MS) / DAY_MS);
  if (day !== lastDay) {
    lastDate = new Date(ts + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
    lastDay = day;
  }
  return lastDate;
}

/** The local (Shanghai) day number of an instant: days since 1970-01-01 local. */
export function dayOf(ts: number): number {
  return Math.floor((ts + LOCAL_OFFSET_MS) / DAY_MS);
}

/** ISO time, or null. */
export function iso(ts: number | null | undefined): string | null {
  return ts === null || ts === undefined ? null : new Date(ts).toISOString();
}
