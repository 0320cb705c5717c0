import type { DoorCommand, RejectReason } from '../../core/contracts.js';
import { oversizePush, prefixed, sendDoorOpen, TerminalCounters } from './counters.js';
import { Cursor } from './cursor.js';
import { DeviceHttp } from './device-http.js';
import type { HeldStream } from './held-stream.js';
import type { Mapped } from './mapped.js';
import { TerminalSession } from './terminal-session.js';
import type { VendorTerminal } from './terminal-set.js';
import type { VendorTerminalDeps } from './vendor-driver.js';

/**
 * How far back a new terminal's first catch-up searches when its first record was lost
 * (ms): wide enough for a terminal clock minutes off the gateway's; what it finds twice is
 * deduplicated by record id.
 */
const FIRST_RECORD_LOOKBACK_MS = 10 * 60_000;

/** A live record this far newer than the cursor's, with a lower number, means the terminal's counter restarted (ms). */
const RESTART_AFTER_MS = 60_000;

/** The options every vendor terminal has (each vendor's options extend them). */
export interface VendorTerminalOptions {
  host: string;
  port: number;
  timeoutMs: number;
  probeSeconds: number;
}

/** How a vendor's terminal differs in what the base builds. */
export interface VendorTerminalShape {
  /** The largest reply the HTTP client reads (a record's picture fits in it). */
  maxReplyBytes: number;
  /** Reads a lockout's seconds from a refused login's body (device-http.ts), when the vendor says them. */
  lockout?: (body: string) => number | null;
  /** Under what name the catch-up cursor is kept in the driver state. */
  cursorKey: string;
}

/**
 * What Hikvision and Dahua terminals share: the Digest client, the session (liveness probe
 * and catch-up, terminal-session.ts), the durable cursor, the counters, a held event
 * stream when the vendor opens one, and what a mapped record does (Mapped → the sink).
 * Every record goes to the sink with its identity; a vendor's subclass moves the cursor
 * once its record is durable, and starts a catch-up at a gap.
 */
export abstract class VendorTerminalBase<O extends VendorTerminalOptions> implements VendorTerminal {
  readonly readerId: string;
  readonly options: O;
  readonly http: DeviceHttp;
  readonly session: TerminalSession;
  readonly counters = new TerminalCounters();
  protected readonly deps: VendorTerminalDeps<O>;
  protected readonly cursor: Cursor;
  /** The held event stream, when the vendor's subclass opens one in its constructor. */
  protected stream: HeldStream | null = null;
  /** Streamed events are recorded one after another, in the order they came. */
  #chain: Promise<void> = Promise.resolve();

  constructor(d: VendorTerminalDeps<O>, shape: VendorTerminalShape) {
    this.deps = d;
    this.readerId = d.readerId;
    this.options = d.options;
    const o = d.options;
    this.http = new DeviceHttp({
      host: o.host,
      port: o.port,
      login: d.login,
      timeoutMs: o.timeoutMs,
      maxReplyBytes: shape.maxReplyBytes,
      ...(shape.lockout ? { lockout: shape.lockout } : {}),
      now: () => d.clock.now(),
    });
    this.cursor = new Cursor(d.state, d.readerId, shape.cursorKey);
    this.session = new TerminalSession({
      readerId: d.readerId,
      sink: d.sink,
      log: d.log,
      probeMs: o.probeSeconds * 1000,
      hooks: { probe: () => this.probe(), catchUp: () => this.catchUp() },
    });
  }

  start(): void {
    if (!this.deps.login())
      this.deps.log.warn(
        { reader: this.readerId },
        'no login for this terminal in the secrets file (terminals.<id>.username/password): it is not called until one is there',
      );
    this.session.start();
    this.stream?.start();
  }

  async stop(): Promise<void> {
    await this.stream?.stop();
    await this.session.stop();
    await this.#chain;
    this.http.close();
  }

  /** A pushed or streamed body's problems: counted and handed to the sink (it logs them). */
  bad(reason: RejectReason, detail: string): void {
    this.counters.count(`rejected_${reason}`);
    this.deps.sink.reject(this.readerId, reason, detail);
  }

  /**
   * A push too large to read: answered as received, its record fetched by a catch-up
   * (counters.ts). On a terminal with no cursor yet (its first record), the catch-up
   * searches the last few minutes by time, so that record is not lost either.
   */
  oversizePush(): void {
    this.cursor.startAt(this.deps.clock.now() - FIRST_RECORD_LOOKBACK_MS);
    oversizePush({
      readerId: this.readerId,
      counters: this.counters,
      log: this.deps.log,
      requestCatchUp: () => this.session.requestCatchUp(),
    });
  }

  /** A picture dropped with its event kept. */
  pictureDropped(why: string): void {
    this.counters.count(`picture_${why}`);
    this.deps.log.warn({ reader: this.readerId, why }, 'picture dropped; the event is kept');
  }

  /** Opens the door for an unlock; a deny has nothing to send (the terminal shows its own verdict). */
  command(cmd: DoorCommand): void {
    if (cmd.action !== 'unlock') return;
    sendDoorOpen(
      { readerId: this.readerId, counters: this.counters, log: this.deps.log },
      this.openName,
      () => this.openDoor(),
    );
  }

  /** Driver counters with the HTTP client's, the session's and the stream's. */
  stats(): Record<string, number> {
    return {
      ...this.counters.snapshot(),
      ...prefixed('http', this.http.stats),
      ...prefixed('session', this.session.stats),
      ...(this.stream ? prefixed('stream', this.stream.stats) : {}),
    };
  }

  /** What the door-open call is named in logs. */
  protected abstract readonly openName: string;
  /** Asks the terminal to open its door; rejects with why it did not. */
  protected abstract openDoor(): Promise<void>;
  /** The terminal's clock (ms since the epoch), or null when it does not say. */
  protected abstract probe(): Promise<number | null>;
  /** Fetches the records after the cursor. */
  protected abstract catchUp(): Promise<void>;

  /** Records a streamed event after the ones before it; a failure leaves the cursor where it was. */
  protected streamed(record: () => Promise<void>): void {
    this.#chain = this.#chain.then(() =>
      record().catch((err: unknown) => {
        // Not durable: the cursor stays, so the next catch-up finds it again.
        this.deps.log.error({ err, reader: this.readerId }, 'streamed event not recorded');
      }),
    );
  }

  /** What a mapped record does: a read to the sink (resolves once durable), a door signal, a count. */
  protected async deliver(m: Mapped, offline: boolean): Promise<void> {
    switch (m.kind) {
      case 'read':
        await this.deps.sink.submit(m.read);
        this.counters.count(offline ? 'reads_offline' : 'reads_live');
        break;
      case 'door':
        this.deps.sink.door(m.signal);
        this.counters.count(`door_${m.signal.kind}`);
        break;
      case 'note':
        this.counters.count(`note_${m.name}`);
        break;
      case 'unknown':
        // Recorded, not dropped: counted by code on the devices page, logged the first time.
        if (this.counters.count(`unknown_${m.code}`) === 1)
          this.deps.log.info(
            { reader: this.readerId, code: m.code },
            'event code not in the driver’s table; counted',
          );
        break;
      case 'bad':
        this.bad(m.reason, m.detail);
        break;
    }
  }

  /** After a catch-up: counted and logged; more left means another round. */
  protected caughtUp(r: { recorded: number; more: boolean }): void {
    if (r.recorded > 0) {
      this.counters.count('caught_up', r.recorded);
      this.deps.log.info(
        { reader: this.readerId, records: r.recorded },
        'caught up with the terminal’s records',
      );
    }
    if (r.more) void this.session.requestCatchUp();
  }

  /**
   * A live or streamed record with number `n` at `t` moves the cursor: in step (the next
   * number), past a gap (a catch-up fetches what was missed), or back. A number that went
   * back on a record well newer than the cursor's is a terminal reset or replaced: its
   * counter restarted, and the cursor follows the new numbering (forced) so later
   * catch-ups search the numbers the terminal has now. A history record (`current`
   * false) never moves it back.
   */
  protected advance(n: number | null, t: number, current: boolean): void {
    if (n === null) return;
    const cur = this.cursor.value;
    if (cur === null || n === cur.n + 1) this.cursor.set({ n, t });
    else if (n > cur.n + 1) void this.session.requestCatchUp();
    else if (current && t > cur.t + RESTART_AFTER_MS) {
      this.deps.log.warn(
        { reader: this.readerId, record: n, cursor: cur.n },
        'the terminal’s record numbers went back (reset or replaced?); following the new numbering',
      );
      this.counters.count('numbering_restarted');
      this.cursor.set({ n, t }, true);
    }
  }
}
