/**
 * Checks of the door-hardware config a schema cannot express (issue 13): a door's schedule
 * and camera exist, the camera is a camera at that door, schedule ids are unique, holiday
 * ranges run forwards, and faces are not sent off the box unless the config says so.
 * Like semantic.ts it runs on raw data too, so it tolerates any shape.
 */

type Problem = { pointer: string; message: string };
type RawDoor = { id?: unknown; schedule?: unknown; camera?: unknown };
type RawReader = { id?: unknown; door?: unknown; driver?: unknown };
type RawSchedule = { id?: unknown };

/** What the checks read of the driver catalog: which drivers are cameras. */
export type CameraDrivers = ReadonlySet<string>;

/** Hosts that are this box: an embedding service there keeps faces on it. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Problems of doors' schedules and cameras, the calendar and the embedding service. */
export function doorHardwareProblems(cfg: unknown, cameraDrivers: CameraDrivers): Problem[] {
  const c = (cfg ?? {}) as {
    doors?: unknown;
    readers?: unknown;
    schedules?: unknown;
    calendar?: { holidays?: unknown };
    cameras?: { embedding?: { url?: unknown; allowOffBox?: unknown } };
  };
  const out: Problem[] = [];
  const doors = Array.isArray(c.doors) ? (c.doors as RawDoor[]) : [];
  const readers = Array.isArray(c.readers) ? (c.readers as RawReader[]) : [];
  const schedules = Array.isArray(c.schedules) ? (c.schedules as RawSchedule[]) : [];
  const scheduleIds = new Set<unknown>();
  schedules.forEach((s, i) => {
    if (s?.id === undefined) return;
    if (scheduleIds.has(s.id))
      out.push({ pointer: `/schedules/${i}/id`, message: `duplicate schedule id "${String(s.id)}"` });
    scheduleIds.add(s.id);
  });
  doors.forEach((d, i) => {
    if (d?.schedule !== undefined && !scheduleIds.has(d.schedule))
      out.push({ pointer: `/doors/${i}/schedule`, message: `no schedule with id "${String(d.schedule)}"` });
    if (d?.camera === undefined) return;
    const pointer = `/doors/${i}/camera`;
    const r = readers.find((x) => x?.id === d.camera);
    const driver = String(r?.driver ?? 'mqtt-v1');
    if (!r) out.push({ pointer, message: `no reader with id "${String(d.camera)}"` });
    else if (!cameraDrivers.has(driver))
      out.push({
        pointer,
        message: `reader "${String(d.camera)}" is not a camera (its driver is ${driver}; cameras: ${[...cameraDrivers].join(', ')})`,
      });
    else if (r.door !== d.id)
      out.push({
        pointer,
        message: `camera "${String(d.camera)}" is configured at door "${String(r.door)}"`,
      });
  });
  const holidays = Array.isArray(c.calendar?.holidays) ? (c.calendar.holidays as unknown[]) : [];
  holidays.forEach((h, i) => {
    const range = h as { from?: unknown; to?: unknown };
    if (typeof range?.from === 'string' && typeof range.to === 'string' && range.to < range.from)
      out.push({ pointer: `/calendar/holidays/${i}/to`, message: `ends before it begins (${range.from})` });
  });
  const e = c.cameras?.embedding;
  if (typeof e?.url === 'string' && e.allowOffBox !== true) {
    let host = '';
    try {
      host = new URL(e.url).hostname;
    } catch {
      host = '';
    }
    if (!LOCAL_HOSTS.has(host))
      out.push({
        pointer: '/cameras/embedding/url',
        message: `faces stay on the box: "${host || e.url}" is not this box; set cameras.embedding.allowOffBox: true only if the service is the estate's own and the residents were told`,
      });
  }
  return out;
}
