/**
 * Limits of remote unlocks (issue 13): each operator or API token may unlock a few doors a
 * minute, and a door unlocked remotely is not unlocked remotely again for a few seconds. A
 * stolen session or a script in a loop cannot hold a door open. The check and the count are
 * one synchronous step, so two requests racing each other cannot both slip under a limit.
 */

/** How remote unlocks are limited (config doorControl.remoteUnlock). */
export interface RemoteUnlockLimits {
  perActorPerMinute: number;
  perDoorIntervalSeconds: number;
}

/** Why a remote unlock was refused by the limits, and when to try again. */
export interface Limited {
  why: 'actor_rate' | 'door_interval';
  retryAfterSeconds: number;
}

const MINUTE_MS = 60_000;

/** Sliding-window counters of remote unlocks, by actor and by door. */
export class RemoteUnlockLimiter {
  readonly #limits: RemoteUnlockLimits;
  readonly #byActor = new Map<string, number[]>();
  readonly #byDoor = new Map<string, number>();

  constructor(limits: RemoteUnlockLimits) {
    this.#limits = limits;
  }

  /** Takes one unlock of `doorId` by `actor` at `now`, or says why not (and counts nothing). */
  take(actor: string, doorId: string, now: number): Limited | null {
    const times = (this.#byActor.get(actor) ?? []).filter((t) => now - t < MINUTE_MS);
    if (times.length >= this.#limits.perActorPerMinute) {
      this.#byActor.set(actor, times);
      const oldest = times[0] ?? now;
      return {
        why: 'actor_rate',
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + MINUTE_MS - now) / 1000)),
      };
    }
    const last = this.#byDoor.get(doorId);
    const gap = this.#limits.perDoorIntervalSeconds * 1000;
    if (last !== undefined && now - last < gap)
      return { why: 'door_interval', retryAfterSeconds: Math.max(1, Math.ceil((last + gap - now) / 1000)) };
    times.push(now);
    this.#byActor.set(actor, times);
    this.#byDoor.set(doorId, now);
    this.#sweep(now);
    return null;
  }

  /** Forgets actors with nothing in the window (the maps stay as small as the active callers). */
  #sweep(now: number): void {
    if (this.#byActor.size < 64) return;
    for (const [actor, times] of this.#byActor)
      if (times.every((t) => now - t >= MINUTE_MS)) this.#byActor.delete(actor);
  }
}
