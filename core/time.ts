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

/**
 * An RFC 3339 time with an explicit zone (`2026-05-01T07:30:12.345+08:00`, `…Z`,
 * `+0800`): a zoneless time means nothing across a fleet. Fractions up to nanoseconds.
 */
const ISO_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):?(\d{2}))$/;

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Whether year, month and day name a day that exists (2026-02-30 does not). */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * Epoch ms of an RFC 3339 time with a zone, or null when it is not one or names a moment
 * that does not exist. `Date.parse` alone rolls impossible fields over — 2026-02-30 becomes
 * 2 March, 24:00 the next day — so every field is checked first (issue 12 item 5).
 * Leap seconds (:60) are refused: readers do not send them, and Date cannot hold them.
 */
export function parseIsoTime(s: string): number | null {
  const m = ISO_TIME_RE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, zh, zm] = m;
  if (!isCalendarDay(Number(y), Number(mo), Number(d))) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  if (zh !== undefined && (Number(zh) > 23 || Number(zm) > 59)) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/** Whether `YYYY-MM-DD` is a day that exists. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}
