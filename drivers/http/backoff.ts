/**
 * Reconnect delays for terminal sessions: exponential with full jitter (as the MQTT link's),
 * so twenty terminals that lost the gateway at once do not come back in lockstep, and a
 * dead terminal is tried less and less often without ever being given up.
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

  /** After a success: the next failure waits the minimum again. */
  reset(): void {
    this.#attempt = 0;
  }
}
