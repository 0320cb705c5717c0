/**
 * The demo's door acts (issue 13): within its first minute, someone holds a gate open for a
 * delivery (exit button, then the door left open past its heldOpenSeconds: door_held_open,
 * cleared when it closes) and someone forces a building door (opened with the lock shut:
 * door_forced) — at a quiet moment, when no unlock of the last forcedWindowSeconds would
 * make the opening legitimate. Doors with a schedule are left out (in passage hours nothing
 * alarms). Repeated now and then, so a demo left running shows them again.
 */
import type { Logger } from 'pino';
import type { SimDoorLeaves } from './door-leaves.js';
import type { SimDoor } from './site.js';

/** When the acts happen. */
export interface DoorActsOptions {
  leaves: SimDoorLeaves;
  doors: readonly SimDoor[];
  /** Real ms after start() of the first held-open act (default 20 s); the forced one follows 25 s later. */
  firstAfterMs?: number;
  /** Real ms between rounds (default 10 min). */
  everyMs?: number;
  log?: Logger;
}

/** The held door is left open this much past its limit, so the alarm shows for a while. */
const PAST_LIMIT_MS = 15_000;
/** Between the held-open act and the forced one. */
const FORCED_AFTER_MS = 25_000;
/** How long the forced door stands open. */
const FORCED_OPEN_MS = 6000;

/** Plays the held-open and forced acts at doors with a contact. */
export class DoorActs {
  readonly #o: DoorActsOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** The doors the acts use: one with an exit button held open, another forced. */
  readonly held: string | null;
  readonly forced: string | null;

  constructor(o: DoorActsOptions) {
    this.#o = o;
    const door = (id: string) => o.doors.find((d) => d.id === id);
    const ids = o.leaves.doorIds.filter((id) => door(id)?.schedule === undefined);
    const gate = (id: string) => door(id)?.building === undefined;
    this.held =
      ids.find((id) => gate(id) && o.leaves.hasExit(id)) ?? ids.find((id) => o.leaves.hasExit(id)) ?? null;
    this.forced =
      ids.find((id) => !gate(id) && id !== this.held) ?? ids.find((id) => id !== this.held) ?? null;
  }

  start(): void {
    const round = () => {
      const { leaves, doors } = this.#o;
      if (this.held) {
        const limit = (doors.find((d) => d.id === this.held)?.heldOpenSeconds ?? 60) * 1000;
        leaves.exitAndHold(this.held, limit + PAST_LIMIT_MS);
      }
      if (this.forced) {
        const forced = this.forced;
        const windowMs = (doors.find((d) => d.id === forced)?.forcedWindowSeconds ?? 10) * 1000;
        this.#after(FORCED_AFTER_MS, () => leaves.forceWhenQuiet(forced, FORCED_OPEN_MS, windowMs + 1000));
      }
      this.#after(this.#o.everyMs ?? 600_000, round);
    };
    this.#after(this.#o.firstAfterMs ?? 20_000, round);
    this.#o.log?.info({ held: this.held, forced: this.forced }, 'sim: door acts scheduled');
  }

  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #after(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      f();
    }, ms);
    this.#timers.add(t);
  }
}
