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
  // An RFC 3339 time with an explicit zone (`2026-05-01T07:30:12.345+08:00`, `…Z`, `+0800`;
  // a zoneless time means nothing across a fleet), fractions up to nanoseconds — the shape
  // /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):?(\d{2}))$/
  // read by char codes: every read's time comes through here, and the regex's match array
  // and substrings were garbage on each (issue 15; test/core/iso-time.test.ts compares).
  const n = s.length;
  if (n < 20) return null;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return null;
  let i = 19;
  if (s[i] === '.') {
    let k = i + 1;
    while (k < n && k - i <= 9 && isDigit(s.charCodeAt(k))) k++;
    if (k === i + 1 || (k < n && isDigit(s.charCodeAt(k)))) return null; // 1–9 digits
    i = k;
  }
  if (s[i] === 'Z') {
    if (i + 1 !== n) return null;
  } else if (s[i] === '+' || s[i] === '-') {
    const zh = digits(s, i + 1, 2);
    const colon = s[i + 3] === ':' ? 1 : 0;
    const zm = digits(s, i + 3 + colon, 2);
    if (zh < 0 || zm < 0 || i + 5 + colon !== n) return null;
    if (zh > 23 || zm > 59) return null;
  } else return null;
  if (!isCalendarDay(y, mo, d)) return null;
  if (h > 23 || mi > 59 || sec > 59) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The decimal number of `len` ASCII digits of `s` at `at`, or -1 if any is not a digit. */
function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const c = s.charCodeAt(k); // NaN past the end: not a digit
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Whether `YYYY-MM-DD` is a day that exists. */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}
