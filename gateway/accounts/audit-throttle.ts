import type { Clock } from '../../core/clock.js';

/** Keys remembered at most; the oldest are forgotten first (bounded memory under a flood). */
const MAX_KEYS = 10_000;

/**
 * Says whether an audit row should be written for a repeat of the same thing: the first
 * occurrence of a key within its window is written, the rest are only counted (issue 9
 * item 3). Every audit row is an fsynced insert on the thread that also commits door
 * reads, so a flood of refused logins — or a page of thumbnails fetched again and again —
 * must not become a flood of writes. Kept in memory: a restart writes the first again.
 */
export class AuditThrottle {
  readonly #clock: Clock;
  readonly #until = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * True when `key` is new or its window ended: the caller writes the row, and the key's
   * window now runs until `until` (epoch ms). False while the window runs.
   */
  first(key: string, until: number): boolean {
    const now = this.#clock.now();
    const end = this.#until.get(key);
    if (end !== undefined && end > now) return false;
    this.#until.delete(key); // re-insert: Map order is the eviction order
    this.#until.set(key, until);
    if (this.#until.size > MAX_KEYS) this.#until.delete(this.#until.keys().next().value as string);
    return true;
  }
}
