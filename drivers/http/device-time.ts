/**
 * Terminal times. Hikvision writes ISO 8601 with an offset (`2026-04-17T18:40:26-03:00`),
 * some firmware without one; Dahua writes local `YYYY-MM-DD HH:mm:ss` or epoch seconds. A
 * time without a zone is in the terminal's configured zone (reader option
 * `utcOffsetMinutes`, +480 for China): the gateway then learns the clock's offset from it as
 * for reader protocol v1, so a terminal whose clock drifts is judged against itself.
 */

/** China's offset, the default zone of a terminal: UTC+8, no daylight saving. */
export const DEFAULT_UTC_OFFSET_MINUTES = 480;

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Epoch ms of a terminal time string, ISO with or without an offset (then `zoneMinutes`
 * applies), or null when it is no such time or a field is out of range.
 */
export function parseDeviceTime(text: string, zoneMinutes: number): number | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (new Date(utc).getUTCDate() !== d) return null; // 31 April and the like
  const zone = m[8];
  let offset = zoneMinutes;
  if (zone && zone.toUpperCase() === 'Z') offset = 0;
  else if (zone) {
    const z = zone.replace(':', '');
    offset = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  return utc - offset * 60_000;
}

/** `2026-05-01T08:00:00+08:00`: an instant as the terminal's local time with its offset (ISAPI search times). */
export function formatDeviceTime(ts: number, zoneMinutes: number): string {
  const local = new Date(ts + zoneMinutes * 60_000).toISOString().slice(0, 19);
  const sign = zoneMinutes < 0 ? '-' : '+';
  const a = Math.abs(zoneMinutes);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** `2026-05-01 08:00:00`: an instant as the terminal's local wall-clock time, no zone (Dahua). */
export function formatLocalTime(ts: number, zoneMinutes: number): string {
  return new Date(ts + zoneMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}
