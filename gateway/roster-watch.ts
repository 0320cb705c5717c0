import type { Logger } from 'pino';
import type { LibrarySync } from './provisioning/library-sync.js';
import type { RosterState } from './roster/roster-state.js';
import type { Store } from './store/store.js';

/**
 * Brings a roster imported by another process (`estate-gateway roster import`, another
 * SQLite connection) into the running gateway: the index is swapped and every reader
 * library is synced with it. SIGHUP reloads at once.
 */
export class RosterWatch {
  readonly #store: Store;
  readonly #roster: RosterState;
  readonly #libraries: LibrarySync | null;
  readonly #log: Logger;
  #dataVersion = 0;

  constructor(store: Store, roster: RosterState, libraries: LibrarySync | null, log: Logger) {
    this.#store = store;
    this.#roster = roster;
    this.#libraries = libraries;
    this.#log = log;
  }

  /** Loads the roster index (the roster start step). */
  load(): void {
    const index = this.#roster.load(this.#store.db);
    this.#log.info({ ...index.size, version: this.#roster.version }, 'roster loaded');
  }

  /** Reloads the index from the store and syncs every reader library with it. */
  reload(): void {
    const index = this.#roster.load(this.#store.db);
    this.#log.info({ ...index.size, version: this.#roster.version }, 'roster reloaded');
    void this.#libraries?.triggerAll('roster');
  }

  /** Notes where the database is: a commit by another connection moves SQLite's data_version. */
  mark(): void {
    this.#dataVersion = this.#dataVersionNow();
  }

  /** Reloads when another connection committed a roster of another version since the last check. */
  check(): void {
    const dv = this.#dataVersionNow();
    if (dv === this.#dataVersion) return;
    this.#dataVersion = dv;
    if (this.#roster.stale(this.#store.db)) this.reload();
  }

  #dataVersionNow(): number {
    return this.#store.db.pragma('data_version', { simple: true }) as number;
  }
}
