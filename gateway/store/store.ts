import type { Statement } from 'better-sqlite3';
import { GatewayError } from '../../core/errors.js';
import { type Db, type OpenOptions, openDb } from './db.js';
import { type SyncFn, WalSync } from './wal-sync.js';

/** How a Store is opened. */
export interface StoreOptions extends OpenOptions {
  /** How the WAL is made durable after a deferred commit (tests inject a slow or failing one). */
  syncWal?: SyncFn;
}

/** synchronous=FULL and EXTRA (PRAGMA synchronous's numbers). */
const SYNC_FULL = 2;

/**
 * The gateway's SQLite store as a part of the composition root: created without I/O by
 * `build()`, opened by the first lifecycle step, closed by the last. Parts receive the Store
 * in their constructor and touch `db` only once running (a start step, a handler, a timer),
 * so building the gateway never opens a file.
 */
export class Store {
  readonly file: string;
  readonly #opts: StoreOptions;
  #db: Db | null = null;
  readonly #statements = new Map<string, Statement>();
  /** Whether the database is in WAL mode (known once open). */
  #wal: boolean | null = null;
  /** The WAL's syncs after deferred commits. */
  readonly wal: WalSync;

  constructor(file: string, opts: StoreOptions = {}) {
    this.file = file;
    this.#opts = opts;
    this.wal = new WalSync(`${file}-wal`, opts.syncWal);
  }

  /** Opens (and migrates) the database. Idempotent. */
  open(): Db {
    this.#db ??= openDb(this.file, this.#opts);
    return this.#db;
  }

  /** Wraps a database that is already open (tests, one-shot CLI commands). */
  static of(db: Db, opts: Pick<StoreOptions, 'syncWal'> = {}): Store {
    const s = new Store(db.name, opts);
    s.#db = db;
    return s;
  }

  /** True between open() and close(). */
  get isOpen(): boolean {
    return this.#db?.open === true;
  }

  /** The open database; throws STORE_CLOSED before open() or after close(). */
  get db(): Db {
    if (this.#db === null || !this.#db.open) {
      throw new GatewayError('STORE_CLOSED', `the store ${this.file} is not open`);
    }
    return this.#db;
  }

  /**
   * A prepared statement, prepared once per SQL text on first use. Call it with a string
   * literal on the hot path: V8 caches a literal's hash, so the lookup is cheap.
   */
  statement(sql: string): Statement {
    let s = this.#statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /**
   * Runs `commit` (one transaction) without waiting for its fsync, and says whether the
   * caller must wait for `wal.after()` before anything depends on it being on disk. Only
   * while the connection is at synchronous=FULL (or EXTRA) in WAL mode: the commit runs at
   * NORMAL — SQLite's FULL minus the WAL fsync at commit; checkpoints and the WAL header
   * after a restart are synced as under FULL — and the level is put back at once, so every
   * other writer on the connection commits at FULL as before. At OFF (a replay, which may
   * also leave WAL mode) or NORMAL there is nothing to wait for: false, as before.
   */
  deferredCommit(commit: () => void): boolean {
    const db = this.db;
    this.#wal ??= (db.pragma('journal_mode', { simple: true }) as string) === 'wal';
    const level = this.#wal ? (this.statement('PRAGMA synchronous').pluck().get() as number) : 0;
    if (level < SYNC_FULL) {
      commit();
      return false;
    }
    this.statement('PRAGMA synchronous = NORMAL').run();
    try {
      commit();
    } finally {
      this.statement(level === SYNC_FULL ? 'PRAGMA synchronous = FULL' : 'PRAGMA synchronous = EXTRA').run();
    }
    return true;
  }

  /** Checkpoints the WAL and closes the database. Idempotent. */
  close(): void {
    this.wal.close();
    const db = this.#db;
    if (db === null || !db.open) return;
    this.#statements.clear();
    if (!db.readonly) db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
}
