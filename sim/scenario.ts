/**
 * The simulated estate at work: one FaceTerminal per mqtt-v1 reader, and the residents'
 * days (planned by day-plan.ts) played back in scaled real time. Event times are real
 * time: the gateway judges staleness against the terminals' clocks, so only the schedule
 * is compressed, never the timestamps.
 */
import type { Logger } from 'pino';
import { DAY_MS, shanghaiMidnight } from './dates.js';
import { type Layout, layoutOf, type Move, type MoveCredential, openingAct, planDay } from './day-plan.js';
import { SimFaceLibrary } from './face-library.js';
import { FaceTerminal } from './face-terminal.js';
import { faceImages } from './images.js';
import { credentialOf, imageFor } from './presentation.js';
import { hashSeed, Random } from './random.js';
import type { SimSite } from './site.js';
import { type SimulationStats, Tally } from './tally.js';
import type { SimEstate } from './types.js';
import { VendorTerminals } from './vendor-terminals.js';

export type { KindStats, SimulationStats } from './tally.js';

/** Options of EstateSimulation. */
export interface EstateSimulationOptions {
  /** The people and their doors (generateEstate); its roster must be what the gateway has. */
  estate: SimEstate;
  /** Doors and readers of the config; only readers with driver mqtt-v1 get a terminal. */
  config: SimSite;
  /** Broker the terminals connect to, mqtt://host:port. */
  brokerUrl: string;
  /** Password of each reader id (secrets readers.{id}); omit for a broker without auth. */
  passwords?: Readonly<Record<string, string>>;
  /** Reader protocol topic prefix, default acs/v1. */
  topicPrefix?: string;
  /** Simulated seconds per real second (60: an hour a minute). */
  speed: number;
  /** Seed of the days played (who goes out when); the estate has its own. */
  seed: number;
  /** Simulated time at start, epoch ms (e.g. today 07:00 for the morning rush). */
  startTime: number;
  /** Upper bound of reads per real second across the estate, default 20; later reads wait, then drop. */
  maxReadsPerSecond?: number;
  /** Attach JPEG snapshots to face events (always for strangers, a quarter of residents' reads). Default true. */
  images?: boolean;
  /** Within the first seconds: a stranger at a gate, a moved-out tenant at the old door. Default true. */
  openingAct?: boolean;
  /** Clock skew of each terminal; default a seeded ±300 ms (real clocks drift a little). */
  clockSkewMs?: (readerId: string) => number;
  /** Logger (module sim); only counts are logged, never who passed. */
  log?: Logger;
  /** The gateway's terminal listener, http://host:port, for ZKTeco terminals (issue 11). */
  terminalUrl?: string;
}

/** Scheduler resolution: reads are sent at most this late against their planned time. */
const TICK_MS = 100;
/** How late (real seconds) a planned read may run before it is dropped rather than sent in a burst. */
const MAX_LAG_S = 5;

/** Plays an estate's days against the gateway. Constructing it does no I/O; start() connects. */
export class EstateSimulation {
  readonly #o: EstateSimulationOptions;
  readonly #layout: Layout;
  readonly #terminals = new Map<string, FaceTerminal>();
  readonly #vendors: VendorTerminals;
  readonly #tally = new Tally();
  #images: Buffer[] = [];
  #queue: Move[] = [];
  #head = 0;
  #plannedUntil = 0;
  #realStart = 0;
  #lastTick = 0;
  #tokens = 0;
  #tick: NodeJS.Timeout | undefined;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(opts: EstateSimulationOptions) {
    if (!(opts.speed > 0)) throw new RangeError('speed must be positive');
    this.#o = opts;
    this.#layout = layoutOf(opts.config);
    this.#vendors = new VendorTerminals({
      readers: opts.config.readers,
      brokerUrl: opts.brokerUrl,
      ...(opts.terminalUrl ? { terminalUrl: opts.terminalUrl } : {}),
      ...(opts.passwords ? { passwords: opts.passwords } : {}),
      ...(opts.log ? { log: opts.log.child({ module: 'sim-terminals' }) } : {}),
    });
  }

  /** The person library of every simulated terminal that keeps one, by reader (issue 11). */
  faceLibraries(): Map<string, SimFaceLibrary> {
    const out = this.#vendors.libraries();
    for (const [id, t] of this.#terminals) if (t.library) out.set(id, t.library);
    return out;
  }

  /** Simulated now, epoch ms. */
  get simNow(): number {
    return this.#o.startTime + (Date.now() - this.#realStart) * this.#o.speed;
  }

  /** The terminal of a reader (tests kill one to raise device_offline). */
  terminal(readerId: string): FaceTerminal | undefined {
    return this.#terminals.get(readerId);
  }

  /** Connects every terminal, then starts playing the plan. Rejects (and disconnects) if one cannot connect. */
  async start(): Promise<void> {
    if (this.#terminals.size > 0) throw new Error('simulation already started');
    if (this.#o.images !== false) this.#images = await faceImages();
    const skewRng = new Random(hashSeed(this.#o.seed, 'skew'));
    for (const r of this.#o.config.readers) {
      if (r.driver !== 'mqtt-v1') continue;
      const term = new FaceTerminal({
        url: this.#o.brokerUrl,
        readerId: r.id,
        ...(this.#o.passwords?.[r.id] === undefined ? {} : { password: this.#o.passwords[r.id] }),
        topicPrefix: this.#o.topicPrefix ?? 'acs/v1',
        clockSkewMs: this.#o.clockSkewMs?.(r.id) ?? Math.round(skewRng.float(-300, 300)),
        // A v1 terminal that keeps a face library answers the gateway's persons topic (issue 11).
        ...(r.options?.persons === true ? { library: new SimFaceLibrary() } : {}),
        ...(this.#o.log ? { log: this.#o.log.child({ module: 'sim', reader: r.id }) } : {}),
      });
      term.on('command', (cmd) => this.#tally.command(r.id, cmd));
      this.#terminals.set(r.id, term);
    }
    try {
      await Promise.all([...this.#terminals.values()].map((t) => t.start()));
      await this.#vendors.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.#realStart = Date.now();
    this.#lastTick = this.#realStart;
    this.#tokens = this.#rate;
    this.#plannedUntil = shanghaiMidnight(this.#o.startTime);
    this.#planAhead();
    this.#queue = this.#queue.filter((m) => m.at >= this.#o.startTime);
    if (this.#o.openingAct !== false) this.#openingAct();
    this.#tick = setInterval(() => this.#step(), TICK_MS);
    this.#o.log?.info(
      { terminals: this.#terminals.size, persons: this.#o.estate.persons.length, speed: this.#o.speed },
      'estate simulation started',
    );
  }

  /** Stops playing and disconnects every terminal gracefully. */
  async stop(): Promise<void> {
    clearInterval(this.#tick);
    this.#tick = undefined;
    for (const t of this.#timers.splice(0)) clearTimeout(t);
    await this.#vendors.stop();
    await Promise.allSettled([...this.#terminals.values()].map((t) => t.stop()));
  }

  /**
   * Presents person `personId` (SimPerson.id) at a reader now, outside the plan (tests, demo
   * buttons). Returns the event id, or null if the person or reader is unknown.
   */
  presentNow(personId: string, readerId: string, cred: MoveCredential = 'face'): string | null {
    const person = this.#o.estate.persons.findIndex((p) => p.id === personId);
    if (person < 0) return null;
    return this.#present({ at: Math.round(this.simNow), person, readerId, cred });
  }

  /** Counters so far, and latency over the latest answers. */
  stats(): SimulationStats {
    const simTime = this.#realStart ? this.simNow : this.#o.startTime;
    return this.#tally.snapshot(simTime, this.#backlog(), [...this.#terminals.values()]);
  }

  #backlog(): number {
    if (!this.#realStart) return 0;
    const simNow = this.simNow;
    let n = 0;
    for (let i = this.#head; i < this.#queue.length && (this.#queue[i]?.at ?? Infinity) <= simNow; i++) n++;
    return n;
  }

  get #rate(): number {
    return this.#o.maxReadsPerSecond ?? 20;
  }

  /** Plans whole days until an hour past simulated now. */
  #planAhead(): void {
    while (this.simNow + 3600_000 >= this.#plannedUntil) {
      const day = planDay(this.#o.estate.persons, this.#layout, this.#o.seed, this.#plannedUntil);
      this.#queue = this.#queue.slice(this.#head).concat(day);
      this.#head = 0;
      this.#plannedUntil += DAY_MS;
    }
  }

  #step(): void {
    const now = Date.now();
    // Token bucket: at most `rate` reads a second, a one-second burst at most.
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#lastTick) / 1000) * this.#rate);
    this.#lastTick = now;
    this.#planAhead();
    const simNow = this.simNow;
    for (
      let m = this.#queue[this.#head];
      m && m.at <= simNow && this.#tokens >= 1;
      m = this.#queue[this.#head]
    ) {
      this.#head++;
      this.#tokens--;
      this.#present(m);
    }
    // Reads held back too long are dropped: a burst of old reads is not what a door sees.
    const cutoff = simNow - MAX_LAG_S * 1000 * this.#o.speed;
    for (let m = this.#queue[this.#head]; m && m.at < cutoff; m = this.#queue[this.#head]) {
      this.#head++;
      this.#tally.skipped();
    }
  }

  /** Plays the opening act (openingAct()) in real seconds, outside the rate bound: two reads. */
  #openingAct(): void {
    const act = openingAct(this.#o.estate.persons, this.#layout, this.#o.seed);
    for (const { delayMs, person, readerId } of act) {
      const fire = () => this.#present({ at: Math.round(this.simNow), person, readerId, cred: 'face' });
      this.#timers.push(setTimeout(fire, delayMs));
    }
  }

  #present(m: Move): string | null {
    const p = this.#o.estate.persons[m.person];
    if (p && this.#vendors.has(m.readerId)) {
      // Vendor face terminals see faces: they recognise whom the gateway enrolled there.
      const rng = new Random(hashSeed(this.#o.seed, 'move', m.at, m.person, m.readerId));
      const id = this.#vendors.present(m.readerId, p, imageFor(p, this.#images, rng));
      if (id) this.#tally.presented(m.readerId, id, p.kind, 'face');
      return id;
    }
    const term = this.#terminals.get(m.readerId);
    if (!p || !term) return null;
    const rng = new Random(hashSeed(this.#o.seed, 'move', m.at, m.person, m.readerId));
    const cred = credentialOf(p, m.cred, rng);
    const image = cred.type === 'face' ? imageFor(p, this.#images, rng) : undefined;
    const { id } = term.present(cred, image ? { image } : {});
    this.#tally.presented(m.readerId, id, p.kind, cred.type as MoveCredential);
    return id;
  }
}
