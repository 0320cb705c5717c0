import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../../core/errors.js';
import { MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Open read-only (CLI exports next to a running daemon). */
  readonly?: boolean;
}

/**
 * Opens the gateway database with the pragmas durability depends on, and migrates it.
 * WAL with synchronous=FULL: a commit is fsynced before it returns, so "acknowledged"
 * means on disk even across power loss; group commit pays for the fsync (issue 2).
 */
export function openDb(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = OFF');
    db.pragma('temp_store = MEMORY');
    // 2 MB of page cache (500 pages): the hot path never reads the roster from SQLite (it is
    // in memory), and a commit's pages are the tails of its B-trees. 4 MB held ~2 MB more
    // of malloc at the same CPU per read (docs/performance.md, p-hot4).
    db.pragma('cache_size = -2000');
    migrate(db);
  } else {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < MIGRATIONS.length) {
      throw new GatewayError(
        'DB_OLD',
        `database ${file} is at schema ${version}; run the gateway once to migrate it`,
      );
    }
  }
  return db;
}

/** Applies the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new GatewayError(
      'DB_NEWER',
      `database schema ${current} is newer than this gateway (${MIGRATIONS.length}); refusing to run an older version on it`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}

/** Reads one value of the meta table. */
export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/** Writes one value of the meta table. */
export function setMeta(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}
