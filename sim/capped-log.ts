/**
 * A Map that forgets its oldest entries past a cap. Terminals and the scenario remember
 * per-event facts (when sent, how often answered) for matching commands; a demo that runs
 * for days must not grow without bound, and a command for an event this old is long moot.
 */
export class CappedLog<V> {
  readonly #map = new Map<string, V>();
  readonly #cap: number;

  /** @param cap entries kept; the oldest inserted go first. */
  constructor(cap = 100_000) {
    this.#cap = cap;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#map.size;
  }

  /** The value for `key`, if still remembered. */
  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Sets a value; a new key may push the oldest one out. */
  set(key: string, value: V): void {
    this.#map.set(key, value);
    if (this.#map.size > this.#cap) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }

  /** Entries, oldest first. */
  entries(): IterableIterator<[string, V]> {
    return this.#map.entries();
  }
}
