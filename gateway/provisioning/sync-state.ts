import type { LibraryKind } from '../../core/provisioning.js';
import type { Store } from '../store/store.js';
import type { SyncStateStore } from './library-sync.js';
import type { SyncResult } from './sync-result.js';

/**
 * The last sync outcome of each reader library in `library_sync_state` (migration 012), so
 * the devices page still says "人脸库部分同步, 3 persons refused" after a restart instead of
 * "waiting". Counts only, never who.
 */
export class SqliteSyncState implements SyncStateStore {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  load(): Map<string, SyncResult> {
    const rows = this.#store.statement('SELECT reader_id, result FROM library_sync_state').all() as Array<{
      reader_id: string;
      result: string;
    }>;
    const out = new Map<string, SyncResult>();
    for (const row of rows) {
      try {
        out.set(row.reader_id, JSON.parse(row.result) as SyncResult);
      } catch {
        // A row this version cannot read is as good as none: the next run writes it again.
      }
    }
    return out;
  }

  save(readerId: string, kind: LibraryKind, r: SyncResult): void {
    this.#store
      .statement(
        `INSERT INTO library_sync_state(reader_id, kind, result, at) VALUES (?, ?, ?, ?)
         ON CONFLICT(reader_id) DO UPDATE SET kind = excluded.kind, result = excluded.result, at = excluded.at`,
      )
      .run(readerId, kind, JSON.stringify(r), r.at);
  }
}
