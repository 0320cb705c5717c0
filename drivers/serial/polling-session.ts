import type { Logger } from 'pino';
import type { ReadSink } from '../../core/contracts.js';
import { ReaderPort, type ReaderPortOptions, type SerialStats, StatusReporter } from './reader-port.js';
import { Sleeper, type Timers } from './timers.js';

/** Timing of a polled reader. */
export interface PollTiming {
  /** Pause between polls, ms. */
  pollMs: number;
  /** With no successful probe this long after start, the reader is reported offline, ms. */
  offlineGraceMs: number;
  /** Ceiling of the re-probe backoff, ms. */
  maxProbeBackoffMs: number;
}

/** A polled reader's timing: its poll pause, 10 s of grace before "offline", re-probes at most every 30 s. */
export function pollTiming(pollMs: number): PollTiming {
  return { pollMs, offlineGraceMs: 10_000, maxProbeBackoffMs: 30_000 };
}

/**
 * A reader the gateway must ask (fingerprint module, ID-card SAM): keeps the line open,
 * probes the device until it answers, then polls it; a failed poll (every retry timed
 * out) or a closed line sends it back to probing, reported offline. Subclasses say how
 * to probe and what one poll does.
 */
export abstract class PollingSession<F> {
  protected readonly port: ReaderPort<F>;
  protected readonly status: StatusReporter;
  protected readonly sleeper: Sleeper;
  protected readonly log: Logger;
  protected readonly readerId: string;
  protected readonly timers: Timers;
  readonly #timing: PollTiming;
  #running = false;
  #ready = false;
  #loop: Promise<void> = Promise.resolve();
  #grace: unknown = undefined;

  constructor(opts: ReaderPortOptions<F> & { sink: ReadSink }, timing: PollTiming) {
    this.port = new ReaderPort(opts);
    this.status = new StatusReporter(opts.sink, opts.readerId);
    this.sleeper = new Sleeper(opts.timers);
    this.log = opts.log;
    this.readerId = opts.readerId;
    this.timers = opts.timers;
    this.#timing = timing;
    this.port.link.on('close', () => {
      this.#ready = false;
      this.status.set(false);
      this.onOffline();
    });
  }

  /** True once the device answered its probe and until it stops answering. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Asks the device who it is; throws when it does not answer as expected. */
  protected abstract probe(): Promise<void>;
  /** One poll of the device. Throws when the device stopped answering. */
  protected abstract poll(): Promise<void>;
  /** Forgets per-presentation state when the device goes away. */
  protected onOffline(): void {}

  /** Line counters. */
  stats(): SerialStats {
    return this.port.stats();
  }

  /** Opens the line and starts the loop. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.sleeper.resume();
    this.#grace = this.#setGrace();
    this.port.link.start();
    this.#loop = this.#run();
  }

  /** Ends the loop and closes the line. */
  async stop(): Promise<void> {
    this.#running = false;
    this.sleeper.cancelAll();
    this.#clearGrace();
    // Closing the line fails the request in flight, so the loop cannot wait on a timeout.
    await this.port.link.stop();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let backoff = this.#timing.pollMs;
    while (this.#running) {
      if (!this.port.link.isOpen) {
        this.#ready = false;
        await this.sleeper.sleep(this.#timing.pollMs);
        continue;
      }
      if (!this.#ready) {
        try {
          await this.probe();
          this.#ready = true;
          this.#clearGrace();
          this.status.set(true);
          backoff = this.#timing.pollMs;
        } catch (err) {
          if (this.#running) this.log.info({ err }, 'reader did not answer its probe');
          this.status.set(false);
          await this.sleeper.sleep(backoff);
          backoff = Math.min(backoff * 2, this.#timing.maxProbeBackoffMs);
          continue;
        }
      }
      try {
        await this.poll();
      } catch (err) {
        if (!this.#running) break;
        this.log.info({ err }, 'reader stopped answering');
        this.#ready = false;
        this.status.set(false);
        this.onOffline();
      }
      await this.sleeper.sleep(this.#timing.pollMs);
    }
  }

  #setGrace(): unknown {
    return this.timers.setTimeout(() => {
      this.#grace = undefined;
      if (!this.status.online) this.status.set(false);
    }, this.#timing.offlineGraceMs);
  }

  #clearGrace(): void {
    if (this.#grace !== undefined) this.timers.clearTimeout(this.#grace);
    this.#grace = undefined;
  }
}
