import type { RosterMessageKind } from '../../../core/roster-message.js';
import type { Store } from '../../store/store.js';

/** How a message reached the gateway. */
export type Via = 'mqtt' | 'https' | 'file';

/** What became of a message. */
export type SyncResult = 'applied' | 'duplicate' | 'current' | 'behind' | 'refused' | 'failed';

/** One row of the sync log, as the dashboard and the tests read it. */
export interface SyncLogRow {
  at: number;
  via: Via;
  kind: RosterMessageKind | null;
  version: number | null;
  keyId: string | null;
  digest: string | null;
  outcome: SyncResult;
  reason: string | null;
  detail: string | null;
}

/** Rows kept: the log explains the recent past, it is not an archive. */
const KEEP_ROWS = 2000;

/**
 * The log of roster messages (migration 006): every message applied or refused, with its
 * kind, version, signer and digest — never the roster. It also answers "was this exact
 * message applied here before", which tells a redelivery from a replay.
 */
export class SyncLog {
  readonly #store: Store;
  #writes = 0;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Adds a row (inside the caller's transaction when there is one). */
  add(r: SyncLogRow): void {
    this.#store
      .statement(
        `INSERT INTO roster_sync_log(at, via, kind, version, key_id, digest, outcome, reason, detail)
         VALUES (@at, @via, @kind, @version, @keyId, @digest, @outcome, @reason, @detail)`,
      )
      .run(r);
    if (++this.#writes % 100 === 0)
      this.#store
        .statement('DELETE FROM roster_sync_log WHERE seq <= (SELECT max(seq) FROM roster_sync_log) - ?')
        .run(KEEP_ROWS);
  }

  /** True when a message with this digest was applied here. */
  applied(digest: string): boolean {
    return (
      this.#store
        .statement("SELECT 1 FROM roster_sync_log WHERE digest = ? AND outcome = 'applied' LIMIT 1")
        .get(digest) !== undefined
    );
  }

  /** The latest rows, newest first. */
  recent(limit: number): SyncLogRow[] {
    return this.#store
      .statement(
        `SELECT at, via, kind, version, key_id AS keyId, digest, outcome, reason, detail
           FROM roster_sync_log ORDER BY seq DESC LIMIT ?`,
      )
      .all(limit) as SyncLogRow[];
  }

  /** The latest refusal, if any. */
  lastRefusal(): SyncLogRow | null {
    return (
      (this.#store
        .statement(
          `SELECT at, via, kind, version, key_id AS keyId, digest, outcome, reason, detail
             FROM roster_sync_log WHERE outcome = 'refused' ORDER BY seq DESC LIMIT 1`,
        )
        .get() as SyncLogRow | undefined) ?? null
    );
  }
}
