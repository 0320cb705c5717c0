import type { Clock } from '../../core/clock.js';
import type { DriverState } from '../../drivers/types.js';
import type { Store } from './store.js';

/**
 * Drivers' per-reader values in the store (table `driver_state`, migration 008). Each set
 * is its own statement, committed when it returns: a terminal's cursor moves only after
 * the reads it covers are durable, so a crash between the two repeats a few records
 * (deduplicated by record id) and loses none.
 */
export class StoreDriverState implements DriverState {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  get(readerId: string, key: string): string | null {
    const v = this.#store
      .statement('SELECT value FROM driver_state WHERE reader_id = ? AND key = ?')
      .pluck()
      .get(readerId, key) as string | undefined;
    return v ?? null;
  }

  set(readerId: string, key: string, value: string): void {
    this.#store
      .statement(
        `INSERT INTO driver_state(reader_id, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(reader_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(readerId, key, value, this.#clock.now());
  }
}
