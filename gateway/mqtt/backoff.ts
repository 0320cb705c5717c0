/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): a broker restart is not met by every client reconnecting in lockstep, as
 * MQTT.js's fixed 1 s period would do.
 */
export class Backoff {
  #attempt = 0;
  readonly #min: number;
  readonly #max: number;
  readonly #random: () => number;

  constructor(minMs: number, maxMs: number, random: () => number = Math.random) {
    this.#min = minMs;
    this.#max = Math.max(minMs, maxMs);
    this.#random = random;
  }

  /** The next delay, ms: uniform in [min, min(max, min·2^attempt)]. */
  next(): number {
    const cap = Math.min(this.#max, this.#min * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(this.#min + this.#random() * (cap - this.#min));
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempts(): number {
    return this.#attempt;
  }
}
