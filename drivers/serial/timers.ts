/**
 * Timer source for the serial drivers. Request timeouts, retries, poll loops and reopen
 * backoff all go through it, so tests drive them with a fake (style.md: "a mock clock for
 * timeouts") instead of waiting in real time.
 */
export interface Timers {
  /** Calls `fn` once after `ms` milliseconds; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a pending setTimeout; a handle that already fired is ignored. */
  clearTimeout(handle: unknown): void;
}

/** Node's own timers. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Sleeps that a stop() can cut short: every pending sleep resolves at once when the
 * owner cancels, so loops notice `running === false` without waiting out a poll period.
 */
export class Sleeper {
  readonly #timers: Timers;
  readonly #pending = new Map<unknown, () => void>();
  #cancelled = false;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  /** Resolves after `ms`, or at once after cancelAll() until resume(). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#cancelled) return resolve();
      const handle = this.#timers.setTimeout(() => {
        this.#pending.delete(handle);
        resolve();
      }, ms);
      this.#pending.set(handle, resolve);
    });
  }

  /** Sleeps wait again (after a restart). */
  resume(): void {
    this.#cancelled = false;
  }

  /** Resolves every pending sleep now, and every later one at once until resume(). */
  cancelAll(): void {
    this.#cancelled = true;
    for (const [handle, resolve] of this.#pending) {
      this.#timers.clearTimeout(handle);
      resolve();
    }
    this.#pending.clear();
  }
}
