import type { ManualClock } from '../../core/clock.js';
import type { Timers } from '../../drivers/serial/timers.js';

/** Lets pending I/O callbacks (binding-mock uses nextTick, promises and setImmediate) run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Timers that move only when the test says so. Between timers it lets real I/O settle,
 * so a driver over binding-mock runs exactly as it would, minus the waiting. A
 * ManualClock passed in moves along with it.
 */
export class FakeTimers implements Timers {
  #now = 0;
  #seq = 0;
  readonly #pending = new Map<number, { at: number; fn: () => void }>();
  readonly #clock: ManualClock | undefined;
  readonly #base: number;

  constructor(clock?: ManualClock) {
    this.#clock = clock;
    this.#base = clock?.now() ?? 0;
  }

  /** Fake milliseconds elapsed. */
  get now(): number {
    return this.#now;
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#pending.size;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#pending) if (e[1].at <= target && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#pending.delete(next[0]);
      this.#set(next[1].at);
      next[1].fn();
    }
    this.#set(target);
    await settle();
  }

  /** Advances in steps until `done()` holds; throws after `maxMs` of fake time. */
  async until(done: () => boolean, maxMs = 60_000, stepMs = 10): Promise<void> {
    const start = this.#now;
    await settle();
    while (!done()) {
      if (this.#now - start > maxMs) throw new Error(`condition not met within ${maxMs} fake ms`);
      await this.advance(stepMs);
    }
  }

  #set(t: number): void {
    this.#now = t;
    this.#clock?.set(this.#base + t);
  }
}
