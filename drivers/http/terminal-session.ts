import type { Logger } from 'pino';
import type { ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';

/** What a vendor terminal does for its session. */
export interface SessionHooks {
  /** A cheap authenticated request that proves the terminal answers; its clock (epoch ms) when it tells it. */
  probe(): Promise<number | null>;
  /** Reads what the terminal recorded since the cursor (a catch-up after a gap). */
  catchUp(): Promise<void>;
}

/** Options of a TerminalSession. */
export interface TerminalSessionOptions {
  readerId: string;
  sink: ReadSink;
  log: Logger;
  /** Time between probes, ms. */
  probeMs: number;
  /**
   * A catch-up at least this often while online, ms (default 15 min): the safety net for a
   * gap no event showed (a push refused as too large, a stream without record numbers).
   */
  catchUpMs?: number;
  hooks: SessionHooks;
}

/**
 * One terminal's liveness and catch-up, independent of every other terminal's: its own
 * timer, its own failures, nothing shared that a dead terminal could hold up (the Home
 * Assistant add-on bug of issue 11). Probes report the terminal online (with its clock, so
 * the gateway learns its offset as for reader protocol v1) or offline, logging only
 * changes. Coming online starts a catch-up and tells the library sync; catch-ups never
 * overlap, a request during one queues one more.
 */
export class TerminalSession {
  readonly stats = { probes: 0, probeFailures: 0, catchUps: 0, catchUpFailures: 0 };
  readonly #o: TerminalSessionOptions;
  readonly #ready = new Set<(readerId: string) => void>();
  #online: boolean | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #catching: Promise<void> | null = null;
  #again = false;
  #lastError = '';
  #lastCatchUp = 0;

  constructor(o: TerminalSessionOptions) {
    this.#o = o;
  }

  /** True while the last probe (or stream) reached the terminal. */
  get online(): boolean {
    return this.#online === true;
  }

  /** Starts probing now and every probeMs. */
  start(): void {
    this.#running = true;
    void this.#probe();
  }

  /** Stops probing and waits for a catch-up in progress. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#catching;
  }

  /** Calls `listener` now if the terminal is online, and each time it comes online. */
  onReady(listener: (readerId: string) => void): () => void {
    this.#ready.add(listener);
    if (this.#online) listener(this.#o.readerId);
    return () => this.#ready.delete(listener);
  }

  /** The terminal answered (a probe, a stream that connected): online, with its clock when known. */
  reachable(clock: number | null): void {
    const was = this.#online;
    this.#online = true;
    this.#o.sink.status(this.#o.readerId, { online: true, ...(clock !== null ? { ts: clock } : {}) });
    if (was === true) return;
    this.#o.log.info({ reader: this.#o.readerId }, 'terminal online');
    void this.requestCatchUp();
    for (const f of this.#ready) f(this.#o.readerId);
  }

  /** The terminal did not answer: offline (logged once per change, with the reason's code). */
  unreachable(err: unknown): void {
    const code = err instanceof GatewayError ? err.code : 'ERROR';
    const detail = `${code}: ${(err as Error).message}`;
    if (this.#online !== false || detail !== this.#lastError)
      this.#o.log.warn(
        { reader: this.#o.readerId, code, reason: (err as Error).message },
        'terminal unreachable',
      );
    this.#lastError = detail;
    if (this.#online !== false) this.#o.sink.status(this.#o.readerId, { online: false });
    this.#online = false;
  }

  /** Reads what the terminal recorded since the cursor, now or right after the catch-up in progress. */
  requestCatchUp(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    this.#again = true;
    this.#catching ??= this.#drain().finally(() => {
      this.#catching = null;
    });
    return this.#catching;
  }

  /** Resolves when no catch-up runs or waits (tests). */
  async settled(): Promise<void> {
    while (this.#catching !== null) await this.#catching;
  }

  async #drain(): Promise<void> {
    while (this.#again && this.#running) {
      this.#again = false;
      this.stats.catchUps++;
      this.#lastCatchUp = Date.now();
      try {
        await this.#o.hooks.catchUp();
      } catch (err) {
        this.stats.catchUpFailures++;
        // Tried again when the terminal comes back or the next gap shows; the cursor has not moved past anything missed.
        this.#o.log.warn(
          {
            reader: this.#o.readerId,
            code: err instanceof GatewayError ? err.code : 'ERROR',
            reason: (err as Error).message,
          },
          'catch-up stopped; resumed from the last record recorded',
        );
        return;
      }
    }
  }

  async #probe(): Promise<void> {
    if (!this.#running) return;
    this.stats.probes++;
    try {
      this.reachable(await this.#o.hooks.probe());
      if (Date.now() - this.#lastCatchUp >= (this.#o.catchUpMs ?? 15 * 60_000)) void this.requestCatchUp();
    } catch (err) {
      this.stats.probeFailures++;
      this.unreachable(err);
    }
    if (!this.#running) return;
    this.#timer = setTimeout(() => void this.#probe(), this.#o.probeMs);
    this.#timer.unref();
  }
}
