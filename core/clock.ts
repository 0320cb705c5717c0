/**
 * Time source. Everything that asks "what time is it" takes a Clock, so tests can drive
 * time explicitly and the simulator can replay a year in minutes.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start = Date.parse('2026-05-01T08:00:00+08:00')) {
    this.#t = start;
  }
  now(): number {
    return this.#t;
  }
  advance(ms: number): void {
    this.#t += ms;
  }
  set(t: number): void {
    this.#t = t;
  }
}
