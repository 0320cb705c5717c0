import type { Db } from '../store/db.js';
import { rosterVersion } from './repository.js';
import { RosterIndex } from './roster-index.js';

/** What readers of the roster hold: the current index, swapped whole when a new roster is imported. */
export interface RosterSource {
  readonly index: RosterIndex;
}

/**
 * The one owner of the roster in memory (issue 8): the pipeline, the detectors and the
 * health report all read the index here, and a reload swaps it for every one of them at
 * once. Empty until load(), the roster start step.
 */
export class RosterState implements RosterSource {
  #index = new RosterIndex();
  #version: string | null = null;

  /** A state holding `index` already (tests, the simulator). */
  static of(index: RosterIndex, version: string | null = null): RosterState {
    const s = new RosterState();
    s.#index = index;
    s.#version = version;
    return s;
  }

  /** The current index. Reads already checked keep the one they were checked against. */
  get index(): RosterIndex {
    return this.#index;
  }

  /** The version of the roster the index was built from (null: none imported yet). */
  get version(): string | null {
    return this.#version;
  }

  /** Builds the index from the store and swaps it in. */
  load(db: Db): RosterIndex {
    const version = rosterVersion(db) ?? null;
    this.#index = RosterIndex.load(db);
    this.#version = version;
    return this.#index;
  }

  /** True when the store holds a roster version other than the loaded one (another process imported). */
  stale(db: Db): boolean {
    return (rosterVersion(db) ?? null) !== this.#version;
  }
}
