/**
 * Plans one simulated day: who passes which reader when. Pure and deterministic for
 * (estate, layout, seed, day): the scenario only plays the plan back in scaled time.
 */
import { hashSeed, Random } from './random.js';
import type { SimSite } from './site.js';
import type { SimPerson } from './types.js';

const HOUR = 3600_000;
const MINUTE = 60_000;

/** How a credential is presented at a move. */
export type MoveCredential = 'face' | 'card' | 'idcard';

/** One presentation at one reader. */
export interface Move {
  /** Simulated time, epoch ms. */
  at: number;
  /** Index into SimEstate.persons. */
  person: number;
  readerId: string;
  cred: MoveCredential;
}

/** Readers of each door by direction, and which doors are estate gates. */
export interface Layout {
  readers: Map<string, { in: string[]; out: string[] }>;
  gates: Set<string>;
}

/** Face terminals people walk past: reader protocol v1 and the vendor protocols (issue 11). */
const FACE_TERMINALS: ReadonlySet<string> = new Set([
  'mqtt-v1',
  'zkteco-push',
  'mqtt-face',
  'hikvision-isapi',
  'dahua',
]);

/** The layout of the face terminals in a config (serial readers have their own simulation). */
export function layoutOf(config: SimSite): Layout {
  const readers = new Map<string, { in: string[]; out: string[] }>();
  for (const r of config.readers) {
    if (!FACE_TERMINALS.has(r.driver)) continue;
    const d = readers.get(r.door) ?? { in: [], out: [] };
    d[r.direction].push(r.id);
    readers.set(r.door, d);
  }
  return { readers, gates: new Set(config.doors.filter((d) => !d.building).map((d) => d.id)) };
}

/** A reader of the door for that direction, or null when it has none (an exit button). */
export function readerAt(layout: Layout, door: string, dir: 'in' | 'out', rng: Random): string | null {
  const list = layout.readers.get(door)?.[dir];
  return list && list.length > 0 ? rng.pick(list) : null;
}

/** A person's doors split into the gates and the building/entrance doors inside them. */
function doorsOf(layout: Layout, p: SimPerson): { gates: string[]; inner: string[] } {
  return {
    gates: p.homeDoors.filter((d) => layout.gates.has(d)),
    inner: p.homeDoors.filter((d) => !layout.gates.has(d)),
  };
}

/**
 * The moves of one trip: leaving goes inner door(s) then a gate, coming home the reverse,
 * a minute or few apart (the walk across the estate). Doors without a reader in that
 * direction (exit buttons) are simply passed.
 */
function trip(layout: Layout, p: SimPerson, idx: number, at: number, dir: 'in' | 'out', rng: Random): Move[] {
  const { gates, inner } = doorsOf(layout, p);
  // Most people always use the gate nearest their building.
  const gate = gates.length === 0 ? [] : [rng.chance(0.8) ? (gates[0] as string) : rng.pick(gates)];
  const path = dir === 'out' ? [...inner].reverse().concat(gate) : gate.concat(inner);
  const cred: MoveCredential = rng.chance(0.01) ? 'idcard' : p.card && rng.chance(0.2) ? 'card' : 'face';
  const moves: Move[] = [];
  let t = at;
  for (const door of path) {
    const readerId = readerAt(layout, door, dir, rng);
    if (readerId) moves.push({ at: Math.round(t), person: idx, readerId, cred });
    t += rng.float(1, 4) * MINUTE;
  }
  return moves;
}

/** Reads a resident makes on an average day (passing gates and entrance doors, both ways). */
export const READS_PER_DAY = 3;

/**
 * Expected reads of one outing (out and back) for this person: the readers on the path,
 * with the preferred gate taken 80 % of the time, as trip() does.
 */
function readsPerOuting(layout: Layout, p: SimPerson): number {
  const { gates, inner } = doorsOf(layout, p);
  const has = (door: string, dir: 'in' | 'out') =>
    (layout.readers.get(door)?.[dir].length ?? 0) > 0 ? 1 : 0;
  let n = 0;
  for (const d of inner) n += has(d, 'in') + has(d, 'out');
  for (const dir of ['in', 'out'] as const) {
    if (gates.length === 0) continue;
    const avg = gates.reduce((sum, g) => sum + has(g, dir), 0) / gates.length;
    n += 0.8 * has(gates[0] as string, dir) + 0.2 * avg;
  }
  return n;
}

/**
 * A resident's day: most go out in the morning and come back in the evening, some pop out
 * again later. How often is set so that reads average READS_PER_DAY whatever the doors
 * (an estate with exit readers sees fewer outings per read than one with exit buttons).
 */
function residentDay(layout: Layout, p: SimPerson, idx: number, day: number, rng: Random): Move[] {
  const moves: Move[] = [];
  const outing = (from: number, to: number) =>
    moves.push(...trip(layout, p, idx, from, 'out', rng), ...trip(layout, p, idx, to, 'in', rng));
  const outings = Math.min(2.2, Math.max(0.6, READS_PER_DAY / Math.max(readsPerOuting(layout, p), 0.1)));
  const mainShare = Math.min(0.9, outings);
  let freeFrom = 8 * HOUR;
  if (rng.chance(mainShare)) {
    const leave = rng.normalClamped(7.8, 1.2, 5.5, 12) * HOUR;
    const back = rng.normalClamped(18.3, 1.8, leave / HOUR + 1, 23.3) * HOUR;
    outing(day + leave, day + back);
    freeFrom = back + 20 * MINUTE;
  }
  const more = outings - mainShare;
  const extra = Math.floor(more) + (rng.chance(more - Math.floor(more)) ? 1 : 0);
  for (let i = 0; i < extra; i++) {
    const start = rng.float(freeFrom, 22 * HOUR);
    if (start >= 22 * HOUR) break;
    const back = Math.min(23.5 * HOUR, start + rng.float(20, 150) * MINUTE);
    outing(day + start, day + back);
    freeFrom = back + 10 * MINUTE;
  }
  return moves;
}

/** Share of the stranger pool who keep coming back (the suspected sublet tenants). */
export const RECURRING_STRANGERS = 0.2;

/**
 * Plans the day starting at local midnight `day` (epoch ms): residents' comings and goings,
 * strangers at entrance doors now and then (a few of them daily), and moved-out tenants
 * who occasionally try their old door. Sorted by time.
 */
export function planDay(persons: readonly SimPerson[], layout: Layout, seed: number, day: number): Move[] {
  const moves: Move[] = [];
  const strangers = persons.filter((p) => p.kind === 'stranger');
  const recurring = new Set(strangers.slice(0, Math.ceil(strangers.length * RECURRING_STRANGERS)));
  persons.forEach((p, idx) => {
    const rng = new Random(hashSeed(seed, 'day', day, p.id));
    if (p.kind === 'resident') {
      moves.push(...residentDay(layout, p, idx, day, rng));
      return;
    }
    // Strangers and moved-out tenants come in at their entrance; visits cluster in the evening.
    const visits = recurring.has(p) ? rng.int(0, 2) : rng.chance(0.1) ? 1 : 0;
    const { inner, gates } = doorsOf(layout, p);
    for (let v = 0; v < visits; v++) {
      const door = inner.length > 0 ? rng.pick(inner) : gates.length > 0 ? rng.pick(gates) : null;
      const readerId = door ? readerAt(layout, door, 'in', rng) : null;
      const at = day + rng.normalClamped(17, 3.5, 7, 23) * HOUR;
      if (readerId) moves.push({ at: Math.round(at), person: idx, readerId, cred: 'face' });
    }
  });
  return moves.sort((a, b) => a.at - b.at || a.person - b.person);
}

/**
 * The opening act of a demo: within the first seconds, one stranger at a gate and one
 * moved-out tenant at their old door, so that alerts reach the upstream at once instead of
 * whenever the plan gets round to them. Real-time delays, not simulated ones.
 */
export function openingAct(
  persons: readonly SimPerson[],
  layout: Layout,
  seed: number,
): Array<{ delayMs: number; person: number; readerId: string }> {
  const rng = new Random(hashSeed(seed, 'opening'));
  const hasIn = (d: string) => (layout.readers.get(d)?.in.length ?? 0) > 0;
  const gate = [...layout.gates].find(hasIn) ?? [...layout.readers.keys()].find(hasIn);
  const oldDoor = (p: SimPerson | undefined) => p?.homeDoors.find((d) => !layout.gates.has(d) && hasIn(d));
  const stranger = persons.findIndex((p) => p.kind === 'stranger');
  const movedOut = persons.findIndex((p) => p.kind === 'moved_out' && oldDoor(p) !== undefined);
  const act: Array<{ delayMs: number; person: number; readerId: string }> = [];
  const gateReader = gate ? readerAt(layout, gate, 'in', rng) : null;
  if (stranger >= 0 && gateReader) act.push({ delayMs: 1000, person: stranger, readerId: gateReader });
  const door = oldDoor(persons[movedOut]);
  const doorReader = door ? readerAt(layout, door, 'in', rng) : null;
  if (movedOut >= 0 && doorReader) act.push({ delayMs: 2000, person: movedOut, readerId: doorReader });
  return act;
}
