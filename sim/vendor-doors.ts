/**
 * The simulated estate's vendor face terminals (issue 11): a simulated Hikvision or Dahua
 * terminal for every reader of driver `hikvision-isapi` or `dahua` whose host is
 * 127.0.0.1, on the port the config names, with its library filled as an estate's terminals
 * are before the gateway came (the faces and cards of the door's residents — moved-out ones
 * too, since nobody deleted them by hand), and people presenting faces and cards in real
 * time. The gateway reaches them through its production drivers.
 */
import type { Logger } from 'pino';
import { SimDahuaTerminal } from './dahua/terminal.js';
import { SimHikvisionTerminal } from './hikvision/terminal.js';
import { faceImage } from './images.js';
import { hashSeed, Random } from './random.js';
import type { SimReader, SimSite } from './site.js';
import type { SimEstate, SimPerson } from './types.js';

/** Options of VendorDoorsSimulation. */
export interface VendorDoorsOptions {
  estate: SimEstate;
  config: Pick<SimSite, 'readers'>;
  /** The password the gateway logs in to a terminal with (secrets file `terminals.{id}`). */
  password: (readerId: string) => string;
  seed: number;
  /** Real ms between presentations at each terminal. Default 9,000. */
  everyMs?: number;
  firstAfterMs?: number;
  log?: Logger;
}

/** One simulated vendor terminal and the reader it stands for. */
export interface VendorTerminal {
  reader: SimReader;
  vendor: 'hikvision-isapi' | 'dahua';
  sim: SimHikvisionTerminal | SimDahuaTerminal;
}

const VENDORS = new Set(['hikvision-isapi', 'dahua']);

/** A roster card UID (hex) as the terminal writes it: Hikvision decimal, Dahua hex. */
function cardOf(uid: string, vendor: VendorTerminal['vendor']): string {
  return vendor === 'dahua' ? uid : BigInt(`0x${uid}`).toString(10);
}

/** Plays people at the vendor terminals. Constructing it does no I/O; start() listens, play() brings people. */
export class VendorDoorsSimulation {
  readonly terminals: VendorTerminal[] = [];
  readonly #o: VendorDoorsOptions;
  readonly #rng: Random;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Presentations so far. */
  presented = 0;

  constructor(o: VendorDoorsOptions) {
    this.#o = o;
    this.#rng = new Random(hashSeed(o.seed, 'vendor-doors'));
    for (const reader of o.config.readers) {
      if (!VENDORS.has(reader.driver) || reader.options?.host !== '127.0.0.1') continue;
      const port = Number(reader.options?.port ?? 0);
      const password = o.password(reader.id);
      const vendor = reader.driver as VendorTerminal['vendor'];
      const sim =
        vendor === 'dahua'
          ? new SimDahuaTerminal({ password, port })
          : new SimHikvisionTerminal({ password, port, heartbeatMs: 10_000 });
      this.terminals.push({ reader, vendor, sim });
    }
  }

  /** Doors opened by the gateway at the vendor terminals so far. */
  get opens(): number {
    return this.terminals.reduce(
      (n, t) => n + (t.sim instanceof SimDahuaTerminal ? t.sim.opens : t.sim.remoteOpens),
      0,
    );
  }

  async start(): Promise<void> {
    for (const t of this.terminals) {
      const people = this.#people(t.reader);
      const face = await faceImage(0);
      t.sim.library.preload(
        people
          .filter((p) => p.facePersonId !== null)
          .map((p) => ({
            id: p.facePersonId as string,
            cards: p.card ? [cardOf(p.card, t.vendor)] : [],
            face,
          })),
      );
      await t.sim.start();
    }
    if (this.terminals.length > 0)
      this.#o.log?.info(
        { terminals: this.terminals.map((t) => `${t.reader.id}:${t.sim.port}`) },
        'vendor terminals simulated',
      );
  }

  /** People start coming, the first after firstAfterMs: call it once the gateway runs, so the first are live. */
  play(): void {
    for (const t of this.terminals) {
      let n = 0;
      const next = (ms: number) =>
        this.#after(ms, () => {
          void this.#present(t, n++).finally(() => next(this.#o.everyMs ?? 9000));
        });
      next(this.#o.firstAfterMs ?? 2500);
    }
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.all(this.terminals.map((t) => t.sim.stop()));
  }

  #people(reader: SimReader): SimPerson[] {
    return this.#o.estate.persons.filter((p) => p.homeDoors.includes(reader.door));
  }

  /** Mostly residents' faces, some cards, now and then a stranger or a moved-out tenant. */
  async #present(t: VendorTerminal, n: number): Promise<void> {
    const people = this.#people(t.reader);
    // The opening acts show each kind of entry: two residents, a stranger, a moved-out tenant.
    const opening = ['resident', 'resident', 'stranger', 'moved_out'] as const;
    const kind =
      n < opening.length
        ? opening[n]
        : this.#rng.weighted([
            ['resident', 0.8],
            ['stranger', 0.12],
            ['moved_out', 0.08],
          ] as const);
    if (kind === undefined) return;
    const pool = people.filter((p) => p.kind === kind);
    if (pool.length === 0) return;
    const p = this.#rng.pick(pool);
    const picture = await faceImage(hashSeed(p.id) % 8);
    if (p.card && kind === 'resident' && this.#rng.chance(0.25)) t.sim.presentCard(cardOf(p.card, t.vendor));
    else if (t.sim instanceof SimDahuaTerminal) t.sim.presentFace(p.facePersonId, [picture]);
    else t.sim.presentFace(p.facePersonId, picture);
    this.presented++;
  }

  #after(ms: number, f: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      f();
    }, ms);
    this.#timers.add(timer);
  }
}
