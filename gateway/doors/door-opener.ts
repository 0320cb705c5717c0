import type { Clock } from '../../core/clock.js';
import type { DoorCommand } from '../../core/contracts.js';
import type { DoorConfig, ReaderConfig } from '../config/schema.js';

/** Why the gateway opens a door without a read. */
export type OpenCause = 'remote' | 'exit' | 'fire' | 'passage';

/** What the opener is built from. */
export interface DoorOpenerDeps {
  doors: readonly DoorConfig[];
  readers: readonly ReaderConfig[];
  /** Readers that switch nothing at their door (cameras). */
  switchesNothing: (reader: ReaderConfig) => boolean;
  /** Sends a command through the reader's driver (the doors part, which notes every unlock). */
  send: (readerId: string, cmd: DoorCommand) => void;
  clock: Clock;
}

/**
 * Opens a door that no read asked for (issue 13): a remote unlock, the exit button, a door
 * held open by passage hours or the fire all-open. A door with a lock (a relay board) is
 * opened by its lock; one without is opened by its readers' own relays (face terminals).
 * Such a command answers no credential event, so its `event` is its own id (reader protocol
 * v1 terminals see an unlock they did not ask for; they open as for any unlock).
 */
export class DoorOpener {
  readonly #targets = new Map<string, string[]>();
  readonly #d: DoorOpenerDeps;
  #n = 0;

  constructor(d: DoorOpenerDeps) {
    this.#d = d;
    for (const door of d.doors) {
      const readers = d.readers.filter((r) => r.door === door.id && !d.switchesNothing(r)).map((r) => r.id);
      this.#targets.set(door.id, door.lock ? [door.lock] : readers);
    }
  }

  /** Whether the gateway can open a door at all (it has a lock or readers with relays). */
  canOpen(doorId: string): boolean {
    return (this.#targets.get(doorId)?.length ?? 0) > 0;
  }

  /** Unlocks a door for `durationMs`; returns the command id ('' when nothing could open it). */
  open(doorId: string, durationMs: number, cause: OpenCause): string {
    const targets = this.#targets.get(doorId) ?? [];
    if (targets.length === 0) return '';
    const id = `${cause}-${doorId}-${this.#d.clock.now()}-${++this.#n}`;
    for (const readerId of targets)
      this.#d.send(readerId, { id, event: id, action: 'unlock', durationMs: Math.round(durationMs) });
    return id;
  }
}
