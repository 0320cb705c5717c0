import { doorHardwareProblems } from './semantic-doors.js';
import { exchangeProblems } from './semantic-exchange.js';

/**
 * What config load needs to know of each driver: its name, how to check a reader's
 * options, whether its readers are door locks. drivers/registry.ts DRIVERS fits; a bare
 * list of names checks the names only.
 */
export type DriverCatalog = readonly string[] | Readonly<Record<string, DriverSpec>>;

/** What a driver declares about itself (drivers/types.ts DriverFactory carries these). */
export interface DriverSpec {
  /** Problems in one reader's options, each `{ field, message }`. */
  checkOptions?: (options: Record<string, unknown> | undefined) => Array<{ field: string; message: string }>;
  /** Its readers are door locks. */
  switchesLocks?: boolean;
  /** Its readers are cameras: a door's `camera` may name one (issue 13). */
  takesSnapshots?: boolean;
}

type Problem = { pointer: string; message: string };
type RawReader = { id?: unknown; door?: unknown; driver?: unknown; options?: unknown };
type RawDoor = { id?: unknown; lock?: unknown };

/**
 * Checks a schema cannot express: references between doors and readers, unique ids,
 * each reader's options as its driver reads them, door locks. Runs on raw data too
 * (alongside schema errors), so it tolerates any shape.
 */
export function semanticProblems(cfg: unknown, drivers: DriverCatalog): Problem[] {
  const out: Problem[] = [];
  const catalog: Readonly<Record<string, DriverSpec>> = Array.isArray(drivers)
    ? Object.fromEntries((drivers as readonly string[]).map((n): [string, DriverSpec] => [n, {}]))
    : (drivers as Readonly<Record<string, DriverSpec>>);
  const knownDrivers = Object.keys(catalog);
  const c = (cfg ?? {}) as {
    doors?: unknown;
    readers?: unknown;
    upstream?: { enabled?: unknown; url?: unknown };
    sim?: { enabled?: unknown };
  };
  const doors = Array.isArray(c.doors) ? (c.doors as RawDoor[]) : [];
  const readers = Array.isArray(c.readers) ? (c.readers as RawReader[]) : [];
  const doorIds = new Set<unknown>();
  doors.forEach((d, i) => {
    if (d?.id === undefined) return;
    if (doorIds.has(d.id))
      out.push({ pointer: `/doors/${i}/id`, message: `duplicate door id "${String(d.id)}"` });
    doorIds.add(d.id);
  });
  const readerIds = new Set<unknown>();
  readers.forEach((r, i) => {
    if (r?.id !== undefined) {
      if (readerIds.has(r.id))
        out.push({ pointer: `/readers/${i}/id`, message: `duplicate reader id "${String(r.id)}"` });
      readerIds.add(r.id);
    }
    if (typeof r?.door === 'string' && !doorIds.has(r.door))
      out.push({ pointer: `/readers/${i}/door`, message: `no door with id "${r.door}"` });
    const driver = r?.driver ?? 'mqtt-v1';
    if (typeof driver !== 'string') return;
    const spec = catalog[driver];
    if (!spec) {
      out.push({
        pointer: `/readers/${i}/driver`,
        message: `unknown driver "${driver}" (known: ${knownDrivers.join(', ')})`,
      });
      return;
    }
    const options = r?.options;
    if (spec.checkOptions && (options === undefined || isPlainObject(options))) {
      for (const p of spec.checkOptions(options as Record<string, unknown> | undefined))
        out.push({ pointer: `/readers/${i}/options/${p.field}`, message: p.message });
    }
  });
  out.push(...lockProblems(doors, readers, catalog));
  out.push(
    ...doorHardwareProblems(cfg, new Set(knownDrivers.filter((n) => catalog[n]?.takesSnapshots === true))),
  );
  if (c.upstream?.enabled === true && !c.upstream.url) {
    out.push({ pointer: '/upstream/url', message: 'required when upstream.enabled is true' });
  }
  out.push(...exchangeProblems(cfg));
  return out;
}

/**
 * A door's `lock` names a reader whose driver switches locks (a relay) at that same
 * door; and a lock reader is named by its door, or it would never open anything.
 */
function lockProblems(
  doors: RawDoor[],
  readers: RawReader[],
  catalog: Readonly<Record<string, DriverSpec>>,
): Problem[] {
  const out: Problem[] = [];
  const isLock = (r: RawReader | undefined) =>
    catalog[String(r?.driver ?? 'mqtt-v1')]?.switchesLocks === true;
  const lockDrivers = Object.keys(catalog).filter((n) => catalog[n]?.switchesLocks);
  doors.forEach((d, i) => {
    if (d?.lock === undefined) return;
    const r = readers.find((x) => x?.id === d.lock);
    const pointer = `/doors/${i}/lock`;
    if (!r) out.push({ pointer, message: `no reader with id "${String(d.lock)}"` });
    else if (!isLock(r))
      out.push({
        pointer,
        message: `reader "${String(d.lock)}" is not a lock (its driver is ${String(r.driver ?? 'mqtt-v1')}; locks: ${lockDrivers.join(', ')})`,
      });
    else if (r.door !== d.id)
      out.push({ pointer, message: `lock "${String(d.lock)}" is configured at door "${String(r.door)}"` });
  });
  readers.forEach((r, i) => {
    if (!isLock(r) || typeof r?.door !== 'string') return;
    const door = doors.find((d) => d?.id === r.door);
    if (door && door.lock !== r.id)
      out.push({
        pointer: `/readers/${i}/door`,
        message: `lock "${String(r.id)}" would never open: set lock: ${String(r.id)} on door "${r.door}"`,
      });
  });
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
