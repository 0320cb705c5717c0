/** What a Backoff is built from. */
export interface BackoffOptions {
  /** Base delay, ms: the first retry waits up to this long. */
  minMs: number;
  /** Longest delay, ms. */
  maxMs: number;
  /**
   * A connection that lasted this long (ms) was a success: the next failure starts from
   * the first delay again. One that dropped sooner keeps the exponent growing, so a
   * session a broker keeps kicking (a twin with the same client id) backs off instead of
   * reconnecting every minMs (issue 12: 343 reconnects in 60 s). Default 10 s.
   */
  stableMs?: number;
  /** Uniform random numbers in [0, 1); tests pass their own. */
  random?: () => number;
  /** Monotonic time, ms; tests pass their own. */
  now?: () => number;
}

/**
 * Exponential backoff with full jitter from the first retry (AWS architecture blog,
 * "Exponential Backoff And Jitter"): the delay is uniform in [0, min(max, min·2^attempt)].
 * Issue 12 item 2: with the floor at min, 213 sessions all made their first retry at
 * exactly +500 ms after a broker restart; with full jitter they spread over the window.
 */
export class Backoff {
  #attempt = 0;
  readonly #min: number;
  readonly #max: number;
  readonly #stableMs: number;
  readonly #random: () => number;
  readonly #now: () => number;
  /** When the current connection came up; null while there is none. */
  #upSince: number | null = null;

  constructor(o: BackoffOptions) {
    this.#min = o.minMs;
    this.#max = Math.max(o.minMs, o.maxMs);
    this.#stableMs = o.stableMs ?? 10_000;
    this.#random = o.random ?? Math.random;
    this.#now = o.now ?? (() => performance.now());
  }

  /** The delay before the next attempt, ms, after a failure or a lost connection. */
  next(): number {
    if (this.#upSince !== null && this.#now() - this.#upSince >= this.#stableMs) this.#attempt = 0;
    this.#upSince = null;
    const cap = Math.min(this.#max, this.#min * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(this.#random() * cap);
  }

  /** A connection is up: if it lasts stableMs, the next failure starts afresh. */
  connected(): void {
    this.#upSince = this.#now();
  }

  /** Forgets the failures: the other end is known to be back, or a request succeeded. */
  reset(): void {
    this.#attempt = 0;
  }

  /** Delays handed out since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }
}
