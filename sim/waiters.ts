/**
 * Promises for "the next thing that matches": what a simulated device's or terminal's
 * `expect()` hands out. The owner calls seen() with each thing as it happens; a waiter
 * registered before it resolves with the first one its predicate accepts, or rejects
 * after its timeout, naming what it waited for.
 */
export class Waiters<T> {
  readonly #list = new Set<Waiter<T>>();

  /** Waiters not yet resolved. */
  get size(): number {
    return this.#list.size;
  }

  /** A promise of the next `x` passed to seen() that `accept` takes. */
  add(accept: (x: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const w: Waiter<T> = {
        accept,
        settle: (x, err) => {
          clearTimeout(timer);
          if (err === undefined) resolve(x);
          else reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.#list.delete(w);
        reject(new Error(`timed out waiting for ${what} (${timeoutMs} ms)`));
      }, timeoutMs);
      this.#list.add(w);
    });
  }

  /** Something happened: resolves (and forgets) every waiter that accepts it. */
  seen(x: T): void {
    for (const w of this.#list) {
      let hit: boolean;
      try {
        hit = w.accept(x);
      } catch (err) {
        // A predicate that throws fails its own wait, not the device answering the host.
        this.#list.delete(w);
        w.settle(x, err);
        continue;
      }
      if (!hit) continue;
      this.#list.delete(w);
      w.settle(x, undefined);
    }
  }
}

interface Waiter<T> {
  accept: (x: T) => boolean;
  /** Resolves with `x`, or rejects with `err` when there is one. */
  settle: (x: T, err: unknown) => void;
}
