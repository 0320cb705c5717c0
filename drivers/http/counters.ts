import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';

/** Most distinct counter names one terminal may create (codes and event types come from the terminal). */
const MAX_KEYS = 200;

/**
 * A terminal's counters by name (reads, door signals, unknown event codes, refusals…),
 * shown as its line counters on the devices page. Names partly come from the terminal (an
 * unknown code, an event type), so their number is capped: a terminal that invents names
 * cannot grow the gateway's memory; past the cap they add up under `other`.
 */
export class TerminalCounters {
  readonly #m = new Map<string, number>();

  /** Adds `n` to a counter; returns its new value. */
  count(name: string, n = 1): number {
    const clean = name.replace(/[^\w/.-]/g, '_').slice(0, 80);
    const key = this.#m.has(clean) || this.#m.size < MAX_KEYS ? clean : 'other';
    const v = (this.#m.get(key) ?? 0) + n;
    this.#m.set(key, v);
    return v;
  }

  /** One counter's value (0 when never counted). */
  get(name: string): number {
    return this.#m.get(name) ?? 0;
  }

  /** Every counter. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#m);
  }
}

/** Another part's counters (an HTTP client's, a stream's) under a prefix, for one stats map. */
export function prefixed(prefix: string, o: object): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [`${prefix}_${k}`, v as number]));
}

/**
 * Sends a remote door open without waiting for it: counted as a door command, and a
 * failure (refused, unreachable) counted and logged with the reader; the read it answers
 * is already recorded, so nothing else depends on the outcome.
 */
export function sendDoorOpen(
  t: { readerId: string; counters: TerminalCounters; log: Logger },
  what: string,
  open: () => Promise<void>,
): void {
  t.counters.count('door_commands');
  void open().catch((err: unknown) => {
    t.counters.count('door_failures');
    t.log.warn(
      {
        reader: t.readerId,
        code: err instanceof GatewayError ? err.code : 'ERROR',
        reason: (err as Error).message,
      },
      `${what} failed`,
    );
  });
}

/** What `oversizePush` touches on a terminal. */
export interface OversizeTarget {
  readerId: string;
  counters: TerminalCounters;
  log: Logger;
  /** Starts a search of the terminal's records from the durable cursor. */
  requestCatchUp: () => unknown;
}

/**
 * A push whose body passed the listener's cap: it was dropped unread, and the terminal
 * was answered as if it arrived, because Hikvision and Dahua firmware resend a refused
 * push without end (a 413 loop). Its record is fetched by a catch-up search from the
 * cursor instead, whose pictures are capped one by one; counted and logged.
 */
export function oversizePush(t: OversizeTarget): void {
  t.counters.count('push_oversize');
  t.log.warn(
    { reader: t.readerId },
    'push over the size cap dropped; its record is fetched by a catch-up search',
  );
  void t.requestCatchUp();
}
