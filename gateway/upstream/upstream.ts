import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { CloudEvent } from '../../core/cloudevent.js';
import type { Metrics } from '../metrics.js';
import { Backoff } from '../mqtt/backoff.js';
import type { Outbox, OutboxRow } from './outbox.js';
import type { Transport } from './transport.js';

export interface UpstreamOptions {
  /** Rows sent before waiting for their acknowledgement. */
  window: number;
  maxOutboxBytes: number;
  healthIntervalMs: number;
  retry: { minMs: number; maxMs: number };
}

/**
 * Drains the outbox to the transport: oldest first, a window at a time, deleting rows
 * only once acknowledged; after a failure the same rows go again after a backoff, so the
 * order (and with it the order per household) holds and nothing is lost — at least once,
 * deduplicated upstream by CloudEvent id. Survives restarts because the outbox is SQLite.
 */
export class Upstream {
  readonly #outbox: Outbox;
  readonly #t: Transport;
  readonly #o: UpstreamOptions;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #clock: Clock;
  readonly #health: () => CloudEvent;
  readonly #backoff: Backoff;
  #running = false;
  #stopped = true;
  #wake: NodeJS.Timeout | undefined;
  #healthTimer: NodeJS.Timeout | undefined;
  #idle: Array<() => void> = [];
  #lastError: string | null = null;
  #delivered = 0;

  constructor(
    outbox: Outbox,
    transport: Transport,
    o: UpstreamOptions,
    deps: { log: Logger; metrics: Metrics; clock: Clock; health: () => CloudEvent },
  ) {
    this.#outbox = outbox;
    this.#t = transport;
    this.#o = o;
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.#clock = deps.clock;
    this.#health = deps.health;
    this.#backoff = new Backoff(o.retry);
  }

  get status(): {
    transport: string;
    ready: boolean;
    depth: number;
    bytes: number;
    /** Age of the oldest event waiting, seconds; null when none waits. */
    oldestAgeS: number | null;
    delivered: number;
    lastError: string | null;
  } {
    const oldest = this.#outbox.oldestAt();
    return {
      transport: this.#t.name,
      ready: this.#t.ready,
      depth: this.#outbox.depth,
      bytes: this.#outbox.bytes,
      oldestAgeS: oldest === null ? null : Math.max(0, Math.round((this.#clock.now() - oldest) / 1000)),
      delivered: this.#delivered,
      lastError: this.#lastError,
    };
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#t.onReady(() => {
      this.#backoff.reset();
      this.kick();
    });
    await this.#t.start();
    this.#t.health(this.#health());
    this.#healthTimer = setInterval(() => {
      this.#t.health(this.#health());
      this.#enforceQuota();
      this.kick();
    }, this.#o.healthIntervalMs);
    this.#healthTimer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#wake);
    clearInterval(this.#healthTimer);
    if (this.#running) await new Promise<void>((r) => this.#idle.push(r));
    await this.#t.stop();
  }

  /** Something was added to the outbox (or the link came back): deliver soon. */
  kick(): void {
    if (this.#running || this.#stopped) return;
    clearTimeout(this.#wake);
    this.#wake = setTimeout(() => void this.#run(), 0);
  }

  async #run(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    try {
      for (;;) {
        if (this.#stopped || !this.#t.ready) break;
        const rows: OutboxRow[] = this.#outbox.peek(0, this.#o.window);
        if (rows.length === 0) break;
        try {
          await this.#t.send(rows);
          // Delivered: a failure to delete them (a full disk) sends them again later, which
          // the upstream deduplicates by id; it must not end the delivery loop.
          this.#outbox.remove(rows);
        } catch (err) {
          const first = this.#lastError === null;
          this.#lastError = (err as Error).message;
          const delay = this.#backoff.next();
          // The first failure of an outage is logged; the retries' repeats go to debug.
          this.#log[first ? 'warn' : 'debug'](
            { err: this.#lastError, retryInMs: delay, depth: this.#outbox.depth },
            'upstream delivery failed',
          );
          this.#wake = setTimeout(() => void this.#run(), delay);
          this.#wake.unref();
          break;
        }
        this.#backoff.reset();
        this.#lastError = null;
        this.#delivered += rows.length;
        this.#metrics.upstreamSent.inc(rows.length);
      }
    } finally {
      this.#running = false;
      this.#metrics.outboxDepth.set(this.#outbox.depth);
      this.#metrics.outboxBytes.set(this.#outbox.bytes);
      for (const f of this.#idle.splice(0)) f();
    }
  }

  #enforceQuota(): void {
    let dropped: { access: number; alerts: number };
    try {
      dropped = this.#outbox.enforceQuota(this.#o.maxOutboxBytes);
    } catch (err) {
      // A full disk can refuse even a delete; the next interval tries again.
      this.#log.warn({ err: (err as Error).message }, 'outbox quota not enforced');
      return;
    }
    if (dropped.access + dropped.alerts > 0) {
      this.#metrics.upstreamDropped.inc({ class: 'access' }, dropped.access);
      this.#metrics.upstreamDropped.inc({ class: 'alerts' }, dropped.alerts);
      this.#log.error(
        { ...dropped, quotaBytes: this.#o.maxOutboxBytes, at: this.#clock.now() },
        'outbox over its disk quota: oldest events dropped',
      );
    }
  }
}
