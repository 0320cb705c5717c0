import type { Statement } from 'better-sqlite3';
import { GatewayError } from '../../core/errors.js';
import { type Db, type OpenOptions, openDb } from './db.js';

/**
 * The gateway's SQLite store as a part of the composition root: created without I/O by
 * `build()`, opened by the first lifecycle step, closed by the last. Parts receive the Store
 * in their constructor and touch `db` only once running (a start step, a handler, a timer),
 * so building the gateway never opens a file.
 */
export class Store {
  readonly file: string;
  readonly #opts: OpenOptions;
  #db: Db | null = null;
  readonly #statements = new Map<string, Statement>();

  constructor(file: string, opts: OpenOptions = {}) {
    this.file = file;
    this.#opts = opts;
  }

  /** Opens (and migrates) the database. Idempotent. */
  open(): Db {
    this.#db ??= openDb(this.file, this.#opts);
    return this.#db;
  }

  /** Wraps a database that is already open (tests, one-shot CLI commands). */
  static of(db: Db): Store {
    const s = new Store(db.name);
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

  /** Checkpoints the WAL and closes the database. Idempotent. */
  close(): void {
    const db = this.#db;
    if (db === null || !db.open) return;
    this.#statements.clear();
    if (!db.readonly) db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
}
