/**
 * Doors held unlocked (issue 13): in a passage window of their schedule (a gate open by
 * day), or by the fire all-open where the door's config lets it open (onFire: unlock). Every
 * `refreshMs` each held door is sent an unlock lasting a little longer than the period, so a
 * lock relocks by itself within one period of the hold ending, of the gateway stopping, or
 * of a lost command. The reader protocol has no "stay open" command, and a relay that
 * missed its switch-off must not leave a door open for good.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Release } from './door-machine.js';
import type { DoorModel } from './door-model.js';
import type { DoorOpener } from './door-opener.js';
import type { DoorSchedules } from './schedule.js';

/** A pulse outlasts its period by this much, so a late refresh never lets the lock click shut. */
const OVERLAP_MS = 5000;

/** What the hold is built from. */
export interface DoorHoldDeps {
  doorIds: readonly string[];
  model: DoorModel;
  schedules: DoorSchedules;
  opener: DoorOpener;
  /** Whether the fire all-open is on now. */
  fireActive: () => boolean;
  refreshMs: number;
  clock: Clock;
  log: Logger;
}

/** Keeps released doors unlocked and tells the door model which are released. */
export class DoorHold {
  readonly #d: DoorHoldDeps;
  readonly #held = new Map<string, Release>();
  #timer: NodeJS.Timeout | undefined;

  constructor(d: DoorHoldDeps) {
    this.#d = d;
  }

  /** Evaluates now, then every refresh period. */
  start(): void {
    this.evaluate();
    this.#timer = setInterval(() => {
      try {
        this.evaluate();
      } catch (err) {
        this.#d.log.error({ err }, 'door hold failed');
      }
    }, this.#d.refreshMs);
    this.#timer.unref();
  }

  /** Stops refreshing: held doors relock within one period. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Why a door is held now, if it is. */
  releaseOf(doorId: string): Release {
    return this.#held.get(doorId) ?? null;
  }

  /**
   * Works out which doors are held and why, tells the model, and refreshes their unlocks.
   * Called each period and at once when the fire all-open begins or ends.
   */
  evaluate(): void {
    const { model, schedules, opener, clock, log } = this.#d;
    const now = clock.now();
    const fire = this.#d.fireActive();
    for (const doorId of this.#d.doorIds) {
      const hw = model.hardware(doorId);
      if (!hw) continue;
      const want: Release = fire
        ? hw.onFire === 'unlock'
          ? 'fire'
          : null // locked-safe: a fire never opens it, nor does its passage schedule meanwhile
        : schedules.at(doorId, now)?.mode === 'passage'
          ? 'passage'
          : null;
      const was = this.#held.get(doorId) ?? null;
      if (want !== was) {
        log.info({ door: doorId, release: want, was }, want ? 'door held unlocked' : 'door hold ended');
        if (want) this.#held.set(doorId, want);
        else this.#held.delete(doorId);
      }
      model.release(doorId, want);
      if (want) opener.open(doorId, this.#d.refreshMs + OVERLAP_MS, want);
    }
  }
}
