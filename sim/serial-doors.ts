/**
 * The doors of the simulated estate whose readers sit on serial lines: the devices of a
 * SerialRig (served on TCP ports, ser2net style) and the people who present fingers, ID
 * cards and access cards at them, in real time. Each door sees one presentation every
 * `everyMs`, so a person–card pair of one resident never overlaps the next person.
 */
import type { Logger } from 'pino';
import { DoorActs } from './door-acts.js';
import { SimDoorLeaves } from './door-leaves.js';
import { hashSeed, Random } from './random.js';
import type { SimIdCard } from './serial/idcard-reader.js';
import { type SerialDoor, SerialRig, templateOf } from './serial/rig.js';
import type { SimSite } from './site.js';
import type { SimEstate, SimPerson } from './types.js';

/** Options of SerialDoorsSimulation. */
export interface SerialDoorsOptions {
  estate: SimEstate;
  config: Pick<SimSite, 'readers'> & Partial<Pick<SimSite, 'doors'>>;
  seed: number;
  /** Real ms between presentations at each door, default 12,000 (beyond the 10 s person–card window). */
  everyMs?: number;
  /** Real ms before the first presentation after start(), default 3,000. */
  firstAfterMs?: number;
  /**
   * The demo's door acts (issue 13): a door held open, another forced, within the first
   * minute and now and then after. Off unless given.
   */
  doorActs?: { firstAfterMs?: number; everyMs?: number };
  log?: Logger;
}

/** How long a finger stays on the sensor or a card on the reader, ms. */
const HOLD_MS = 1500;
/** How long a door's people wait for the gateway to open its lines before coming anyway, ms. */
const LINES_WAIT_MS = 20_000;
/** Between the ID card and the finger of one person–card check, ms. */
const PAIR_GAP_MS = 2500;

/** What one presentation was. */
export type SerialAct = 'finger' | 'card' | 'idcard+finger' | 'stranger-finger' | 'lent-idcard';

/** The mix after the opening acts: mostly residents, now and then a stranger or a lent ID card. */
const MIX: ReadonlyArray<readonly [SerialAct, number]> = [
  ['finger', 0.4],
  ['card', 0.25],
  ['idcard+finger', 0.23],
  ['stranger-finger', 0.08],
  ['lent-idcard', 0.04],
];

/** The ID card a simulated person carries (text fields from the ID number and the person). */
export function idCardOf(p: SimPerson): SimIdCard | null {
  const n = p.idNumber;
  if (!n) return null;
  const year = 2027 + (hashSeed(p.id, 'idcard') % 15); // as presentation.ts: a fixed year per person
  return {
    text: {
      name: p.name,
      sex: Number(n[16]) % 2 === 1 ? 'male' : 'female',
      nationCode: '01',
      nation: '汉',
      birth: `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`,
      address: '上海市浦东新区示范路100弄',
      number: n,
      authority: '上海市公安局浦东分局',
      validFrom: `${year - 20}-06-30`,
      validUntil: `${year}-06-30`,
    },
  };
}

/** Plays presentations at every door of the rig. Constructing it does no I/O; start() listens. */
export class SerialDoorsSimulation {
  readonly rig: SerialRig;
  /** The doors with a contact on their relay board (issue 13): they open when their lock releases. */
  readonly leaves: SimDoorLeaves;
  readonly acts: DoorActs | null;
  readonly #o: SerialDoorsOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #rng: Random;
  #stopped = true;
  /** Presentations so far, by act. */
  readonly presented: Record<SerialAct, number> = {
    finger: 0,
    card: 0,
    'idcard+finger': 0,
    'stranger-finger': 0,
    'lent-idcard': 0,
  };

  constructor(opts: SerialDoorsOptions) {
    this.#o = opts;
    this.rig = new SerialRig(opts.config, opts.estate.persons);
    this.#rng = new Random(hashSeed(opts.seed, 'serial-doors'));
    this.leaves = new SimDoorLeaves(this.rig.doors.values(), opts.log);
    this.acts = opts.doorActs
      ? new DoorActs({ leaves: this.leaves, doors: opts.config.doors ?? [], ...opts.doorActs, log: opts.log })
      : null;
  }

  /** Doors with simulated serial readers. */
  get doorIds(): string[] {
    return [...this.rig.doors.keys()];
  }

  /** Serves the devices; the first presentations follow after firstAfterMs. */
  async start(): Promise<void> {
    await this.rig.start();
    const every = this.#o.everyMs ?? 12_000;
    this.#stopped = false;
    this.rig.doors.forEach((door) => {
      let n = 0;
      const next = (ms: number) =>
        this.#after(ms, () => {
          this.#present(door, n++);
          next(every);
        });
      // People come once the gateway has the door's lines open: a finger placed on a
      // module nobody polls yet, or a swipe into an unconnected converter, is lost, and
      // on a busy machine the drivers may open their lines seconds after the sim starts.
      void this.rig.whenDoorConnected(door.doorId, LINES_WAIT_MS).then(() => {
        if (!this.#stopped) next(this.#o.firstAfterMs ?? 3000);
      });
    });
    this.acts?.start();
    this.#o.log?.info({ doors: this.doorIds, devices: this.rig.servers.length }, 'serial doors simulated');
  }

  /** Stops presenting and serving. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.acts?.stop();
    this.leaves.stop();
    await this.rig.stop();
  }

  /** Lock pulses at all doors so far. */
  get pulses(): number {
    return this.doorIds.reduce((n, d) => n + this.rig.pulses(d), 0);
  }

  /** The opening acts show each kind of entry once; after them, a seeded mix. */
  #act(n: number): SerialAct {
    const opening: SerialAct[] = ['finger', 'card', 'idcard+finger', 'stranger-finger'];
    const first = opening[n];
    if (first) return first;
    return this.#rng.weighted(MIX);
  }

  #present(door: SerialDoor, n: number): void {
    const people = this.#o.estate.persons.filter((p) => p.homeDoors.includes(door.doorId));
    const pick = (f: (p: SimPerson) => boolean) => {
      const list = people.filter(f);
      return list.length > 0 ? this.#rng.pick(list) : undefined;
    };
    const fp = door.fingerprint[0]?.module;
    const ic = door.idcard[0]?.reader;
    const wg = door.wiegand[0];
    const act = this.#act(n);
    const resident = pick((p) => p.kind === 'resident' && (act !== 'card' || p.card !== undefined));
    const stranger = pick((p) => p.kind === 'stranger');
    const card = resident ? idCardOf(resident) : null;
    if (act === 'card' && wg && resident?.card) {
      try {
        wg.server.inject(wg.converter.swipe(Number.parseInt(resident.card, 16)));
      } catch {
        return; // a 26-bit converter cannot carry an 8-digit UID: nothing to swipe
      }
    } else if (!fp) {
      return;
    } else if (act === 'finger' && resident) {
      this.#finger(fp, resident);
    } else if (act === 'stranger-finger' && stranger) {
      this.#finger(fp, stranger);
    } else if (ic && card && (act === 'idcard+finger' || act === 'lent-idcard')) {
      // The resident's own finger follows their card; a lent card comes with a stranger's
      // finger, which the gateway flags as person_card_mismatch.
      const finger = act === 'lent-idcard' ? stranger : resident;
      if (!finger) return;
      this.#idcard(ic, card);
      this.#after(PAIR_GAP_MS, () => this.#finger(fp, finger));
    } else {
      return;
    }
    this.presented[act]++;
  }

  #finger(module: SerialDoor['fingerprint'][number]['module'], p: SimPerson): void {
    module.placeFinger(templateOf(p.id));
    this.#after(HOLD_MS, () => module.liftFinger());
  }

  #idcard(reader: SerialDoor['idcard'][number]['reader'], card: SimIdCard): void {
    reader.place(card);
    this.#after(HOLD_MS, () => reader.remove());
  }

  #after(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      f();
    }, ms);
    this.#timers.add(t);
  }
}
