/** The event log of a simulated Hikvision terminal: what it records, and how it writes times. */

/** One event in the terminal's log. */
export interface SimHikEvent {
  serialNo: number;
  /** On the terminal's clock. */
  time: number;
  major: number;
  minor: number;
  employeeNo?: string;
  cardNo?: string;
  picture?: Buffer;
}

/** Local ISO time with offset, as the terminal writes it (`2026-04-17T18:40:26+08:00`). */
export function isoLocal(ts: number, zoneMinutes: number): string {
  const local = new Date(ts + zoneMinutes * 60_000).toISOString().slice(0, 19);
  const a = Math.abs(zoneMinutes);
  return `${local}${zoneMinutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
