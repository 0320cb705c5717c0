/**
 * Calendar helpers in Shanghai time. China has one zone and no daylight saving, so a fixed
 * +08:00 offset is exact (the gateway's reasons.ts makes the same assumption).
 */

/** Offset of Asia/Shanghai from UTC. */
export const SHANGHAI_OFFSET_MS = 8 * 3600_000;
/** One day. */
export const DAY_MS = 24 * 3600_000;

/** Local calendar date of an instant, YYYY-MM-DD. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * ISO 8601 with an explicit +08:00 zone, as terminals sold in China stamp their events
 * (reader protocol v1 requires a zone; §5).
 */
export function isoShanghai(ms: number): string {
  return `${new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
}

/** The instant of local midnight that starts the day holding `ms`. */
export function shanghaiMidnight(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** YYYY-MM-DD plus `days` (may be negative). */
export function addDays(ymd: string, days: number): string {
  return new Date(Date.parse(`${ymd}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (YYYY-MM-DD). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}
