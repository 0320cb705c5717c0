/**
 * Reads whose door was answered while the journal could not take them (refused past
 * store.maxHeldReads, issue 12): a redelivery of one must not open the door again. They
 * need remembering only until they are stale — after that no answer leaves for them
 * anyway (act.ts) — so the memory is bounded by time, not by a count.
 */
export class AnsweredUnstored {
  /** Key → when it was answered (ms), oldest first (a Map keeps insertion order). */
  readonly #at = new Map<string, number>();
  readonly #ttlMs: number;

  /** `staleAfterMs`: checks.staleAfterMs; a second is added for the transit of a redelivery. */
  constructor(staleAfterMs: number) {
    this.#ttlMs = staleAfterMs + 1000;
  }

  /** Keys remembered now. */
  get size(): number {
    return this.#at.size;
  }

  /** Remembers an answered key. */
  add(key: string, now: number): void {
    this.#prune(now);
    this.#at.delete(key);
    this.#at.set(key, now);
  }

  /** Whether the key was answered within the last staleAfterMs (+1 s). */
  has(key: string, now: number): boolean {
    this.#prune(now);
    return this.#at.has(key);
  }

  #prune(now: number): void {
    for (const [key, at] of this.#at) {
      if (now - at <= this.#ttlMs) break;
      this.#at.delete(key);
    }
  }
}
