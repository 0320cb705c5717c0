/**
 * The door leaves of the simulated estate (issue 13): for every door whose relay board has a
 * contact wired, the door opens a moment after its lock releases and closes again a few
 * seconds later, as people walk through; the exit button is a press on the board's input; a
 * door can be forced (opened with the lock shut) or held open (a delivery). The gateway sees
 * none of this but the board's inputs, through its production Modbus driver.
 */
import type { Logger } from 'pino';
import type { SerialDoor } from './serial/rig.js';

/** After the lock releases, the door opens this much later… */
const OPEN_AFTER_MS = 800;
/** …and stands open this long. */
const WALK_THROUGH_MS = 3000;
/** An exit button press lasts this long (the board is polled every 100 ms by default). */
const PRESS_MS = 400;

interface Leaf {
  door: SerialDoor;
  board: SerialDoor['relays'][number]['board'];
  contact: number;
  exit: number | undefined;
  /** A scripted act holds the door (open or shut) as it wants. */
  scripted: boolean;
  /** When its lock last released (0: never). */
  lastUnlock: number;
}

/** Every simulated door with a contact. Constructing closes them; stop() cancels what is pending. */
export class SimDoorLeaves {
  readonly #leaves = new Map<string, Leaf>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #log: Logger | undefined;
  /** Openings so far, by kind. */
  readonly counts = { walkThrough: 0, forced: 0, heldOpen: 0, exitPresses: 0 };

  constructor(doors: Iterable<SerialDoor>, log?: Logger) {
    this.#log = log;
    for (const door of doors) {
      const relay = door.relays.find((r) => r.inputs.contact !== undefined);
      if (!relay || relay.inputs.contact === undefined) continue;
      const leaf: Leaf = {
        door,
        board: relay.board,
        contact: relay.inputs.contact,
        exit: relay.inputs.exit,
        scripted: false,
        lastUnlock: 0,
      };
      relay.board.setInput(leaf.contact, true); // closed: a normally-closed contact reads on
      relay.board.coilListeners.add((e) => {
        if (e.coil !== relay.coil) return;
        // A lock held released (passage, a long pulse) counts as releasing until it shuts.
        leaf.lastUnlock = e.on ? Number.POSITIVE_INFINITY : Date.now();
        if (e.on && !leaf.scripted) this.#walkThrough(leaf);
      });
      this.#leaves.set(door.doorId, leaf);
    }
  }

  /** Doors with a contact. */
  get doorIds(): string[] {
    return [...this.#leaves.keys()];
  }

  /** Whether a door has an exit button wired. */
  hasExit(doorId: string): boolean {
    return this.#leaves.get(doorId)?.exit !== undefined;
  }

  /** Someone inside presses the exit button, and walks out holding the door for `openMs`. */
  exitAndHold(doorId: string, openMs: number): void {
    const leaf = this.#leaves.get(doorId);
    if (!leaf || leaf.exit === undefined) return;
    const exit = leaf.exit;
    leaf.scripted = true;
    this.counts.exitPresses++;
    this.counts.heldOpen++;
    leaf.board.setInput(exit, true);
    this.#after(PRESS_MS, () => leaf.board.setInput(exit, false));
    this.#after(OPEN_AFTER_MS + PRESS_MS, () => this.#set(leaf, false));
    this.#after(OPEN_AFTER_MS + PRESS_MS + openMs, () => {
      this.#set(leaf, true);
      leaf.scripted = false;
    });
    this.#log?.info(
      { door: doorId, openSeconds: Math.round(openMs / 1000) },
      'sim: a door is held open for a delivery',
    );
  }

  /** Someone pulls the door open with the lock shut, and lets it close after `openMs`. */
  force(doorId: string, openMs: number): void {
    const leaf = this.#leaves.get(doorId);
    if (!leaf) return;
    leaf.scripted = true;
    this.counts.forced++;
    this.#set(leaf, false);
    this.#after(openMs, () => {
      this.#set(leaf, true);
      leaf.scripted = false;
    });
    this.#log?.info({ door: doorId }, 'sim: a door is forced open');
  }

  /**
   * Forces a door at the first quiet moment: no unlock for `quietMs` (else the gateway would
   * rightly take the opening for the person just let in). Gives up after two minutes.
   */
  forceWhenQuiet(doorId: string, openMs: number, quietMs: number, giveUpAt = Date.now() + 120_000): void {
    const leaf = this.#leaves.get(doorId);
    if (!leaf) return;
    if (Date.now() - leaf.lastUnlock >= quietMs) this.force(doorId, openMs);
    else if (Date.now() < giveUpAt)
      this.#after(250, () => this.forceWhenQuiet(doorId, openMs, quietMs, giveUpAt));
  }

  /** Cancels every pending change; doors are left as they are. */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #walkThrough(leaf: Leaf): void {
    this.counts.walkThrough++;
    this.#after(OPEN_AFTER_MS, () => this.#set(leaf, false));
    this.#after(OPEN_AFTER_MS + WALK_THROUGH_MS, () => {
      if (!leaf.scripted) this.#set(leaf, true);
    });
  }

  /** The contact: closed reads on. */
  #set(leaf: Leaf, closed: boolean): void {
    leaf.board.setInput(leaf.contact, closed);
  }

  #after(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      f();
    }, ms);
    this.#timers.add(t);
  }
}
