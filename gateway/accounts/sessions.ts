import { createHash, randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../store/db.js';
import type { Role } from './users.js';

/** A live session joined with its (current) account. */
export interface Session {
  idHash: string;
  user: string;
  role: Role;
  csrf: string;
  expiresAt: number;
}

/** Lifetimes of a session. */
export interface SessionOptions {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after login, used or not. */
  maxAgeMs: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/** Last-seen is written at most this often per session (edge boxes run on flash). */
const TOUCH_EVERY_MS = 60_000;

/**
 * Server-side sessions. The cookie carries 32 random bytes; the table keeps only their
 * SHA-256, the user, a synchronizer CSRF token and the expiry. The role is read from
 * the users table on every request, so a role change or a disabled account takes effect
 * at once.
 */
export class SessionStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #o: SessionOptions;
  readonly #get: Statement;
  readonly #touch: Statement;

  constructor(db: Db, clock: Clock, o: SessionOptions) {
    this.#db = db;
    this.#clock = clock;
    this.#o = o;
    this.#get = db.prepare(
      `SELECT s.id_hash AS idHash, s.user_name AS user, u.role, s.csrf, s.created_at AS createdAt,
              s.last_seen AS lastSeen, s.expires_at AS expiresAt
         FROM sessions s JOIN users u ON u.name = s.user_name
        WHERE s.id_hash = ? AND u.disabled = 0`,
    );
    this.#touch = db.prepare('UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id_hash = ?');
  }

  /** Opens a session; returns the cookie value (shown once, never stored) and the CSRF token. */
  create(user: string, ip: string | null): { id: string; csrf: string; expiresAt: number } {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = this.#clock.now();
    const expiresAt = now + Math.min(this.#o.idleMs, this.#o.maxAgeMs);
    this.#db
      .prepare(
        `INSERT INTO sessions(id_hash, user_name, csrf, ip, created_at, last_seen, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(sha256(id), user, csrf, ip, now, now, expiresAt);
    return { id, csrf, expiresAt };
  }

  /** The live session for a cookie value, sliding its idle expiry; null when unknown or expired. */
  get(id: string): Session | null {
    const r = this.#get.get(sha256(id)) as (Session & { createdAt: number; lastSeen: number }) | undefined;
    if (!r) return null;
    const now = this.#clock.now();
    if (now >= r.expiresAt) {
      this.#db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(r.idHash);
      return null;
    }
    if (now - r.lastSeen >= TOUCH_EVERY_MS) {
      r.expiresAt = Math.min(now + this.#o.idleMs, r.createdAt + this.#o.maxAgeMs);
      this.#touch.run(now, r.expiresAt, r.idHash);
    }
    return { idHash: r.idHash, user: r.user, role: r.role, csrf: r.csrf, expiresAt: r.expiresAt };
  }

  /**
   * Whether a session (by its stored hash) is still live — not ended, not expired, its
   * account not disabled — without sliding its expiry: a live stream's heartbeat asks
   * this, and an open page alone must not keep a session from going idle.
   */
  alive(idHash: string): boolean {
    const r = this.#get.get(idHash) as { expiresAt: number } | undefined;
    return r !== undefined && this.#clock.now() < r.expiresAt;
  }

  /** Ends one session (logout). */
  destroy(idHash: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  /** Deletes expired sessions; returns how many. */
  purge(): number {
    return this.#db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(this.#clock.now()).changes;
  }
}
