import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';

/** The lock file in dataDir; `gateway.pid` beside it says who holds it. */
export const LOCK_FILE = 'gateway.lock';
const OWNER_FILE = 'gateway.pid';

/** Who holds a data directory, as its pid file says. */
interface Owner {
  pid: number;
  host: string;
  since: string;
}

/**
 * One gateway per data directory (issue 12 item 3): a second instance on the same
 * dataDir would answer the same doors twice, fight the first for its MQTT client ids and
 * write the same journal. The lock is SQLite's own exclusive lock on `gateway.lock`, held
 * by the kernel for the life of the process (fcntl): it goes with the process however it
 * ends — SIGKILL, power cut — so there is never a stale lock to clean up by hand, and no
 * PID that a reboot could hand to another process. `gateway.pid` beside it is for people:
 * it names the holder in the refusal.
 */
export class DataLock {
  readonly #dir: string;
  readonly #log: Logger;
  #db: Database.Database | null = null;

  constructor(dataDir: string, log: Logger) {
    this.#dir = dataDir;
    this.#log = log;
  }

  /** The lock file's path. */
  get file(): string {
    return path.join(this.#dir, LOCK_FILE);
  }

  /** True while this instance holds the lock. */
  get held(): boolean {
    return this.#db?.open === true;
  }

  /** Takes the lock, or throws DATA_DIR_LOCKED naming the instance that holds it. */
  acquire(): void {
    if (this.held) return;
    mkdirSync(this.#dir, { recursive: true });
    // timeout 0: a held lock is an answer, not something to wait for.
    const db = new Database(this.file, { timeout: 0 });
    try {
      // In exclusive locking mode a connection keeps the lock its first write transaction
      // takes until it closes (sqlite.org/pragma.html#pragma_locking_mode).
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('COMMIT');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
      const o = this.#owner();
      const who = o ? `pid ${o.pid} on ${o.host}, since ${o.since}` : 'another process';
      throw new GatewayError(
        'DATA_DIR_LOCKED',
        `the data directory ${this.#dir} is in use by another estate-gateway (${who}); stop it first, or give this one its own dataDir`,
        { dataDir: this.#dir, owner: o },
      );
    }
    this.#db = db;
    const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      writeFileSync(path.join(this.#dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
    } catch (err) {
      // Only for the message of a refused second instance: a full disk must not stop the start.
      this.#log.warn({ err: (err as Error).message }, 'could not write gateway.pid');
    }
  }

  /** Lets the lock go (and removes the pid file). */
  release(): void {
    const db = this.#db;
    if (!db) return;
    this.#db = null;
    rmSync(path.join(this.#dir, OWNER_FILE), { force: true });
    db.close();
  }

  #owner(): Owner | null {
    try {
      const o = JSON.parse(readFileSync(path.join(this.#dir, OWNER_FILE), 'utf8')) as Owner;
      return typeof o.pid === 'number' ? o : null;
    } catch {
      return null;
    }
  }
}
