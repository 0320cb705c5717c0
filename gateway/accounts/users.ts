import type { Statement } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { Db } from '../store/db.js';
import { hashPassword, needsRehash, passwordProblem, verifyDummy, verifyPassword } from './passwords.js';

/** Dashboard roles, weakest first (design.md §9). */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` is at least `min`. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/** A dashboard account as shown to an admin: never the hash. */
export interface User {
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  passwordChangedAt: number;
  lastLoginAt: number | null;
}

const NAME_RE = /^[A-Za-z0-9_.-]{2,32}$/;

/** Why a user name is refused, or null. */
export function userNameProblem(name: string): string | null {
  return NAME_RE.test(name) ? null : 'user name must be 2–32 letters, digits, dots, dashes or underscores';
}

const COLS = `name, role, disabled, created_at AS createdAt, password_changed_at AS passwordChangedAt,
  last_login_at AS lastLoginAt`;

function toUser(r: Record<string, unknown> | undefined): User | null {
  return r ? ({ ...(r as unknown as User), disabled: r.disabled === 1 } as User) : null;
}

/** The users table: accounts with scrypt password hashes. */
export class UserStore {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #get: Statement;
  readonly #hash: Statement;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#get = db.prepare(`SELECT ${COLS} FROM users WHERE name = ?`);
    this.#hash = db.prepare('SELECT password_hash FROM users WHERE name = ? AND disabled = 0').pluck();
  }

  /** One account by name (case-insensitive), or null. */
  get(name: string): User | null {
    return toUser(this.#get.get(name) as Record<string, unknown> | undefined);
  }

  /** Every account, by name. */
  list(): User[] {
    return (
      this.#db.prepare(`SELECT ${COLS} FROM users ORDER BY name`).all() as Array<Record<string, unknown>>
    )
      .map(toUser)
      .filter((u): u is User => u !== null);
  }

  /** Creates an account; throws USER_EXISTS or USER_INVALID. */
  async add(name: string, role: Role, password: string): Promise<User> {
    const bad = userNameProblem(name) ?? passwordProblem(password);
    if (bad) throw new GatewayError('USER_INVALID', bad);
    if (this.get(name)) throw new GatewayError('USER_EXISTS', `user ${name} already exists`);
    const hash = await hashPassword(password);
    const now = this.#clock.now();
    this.#db
      .prepare(
        `INSERT INTO users(name, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(name, role, hash, now, now);
    return this.get(name)!;
  }

  /** Sets a new password and ends every session of the account. */
  async setPassword(name: string, password: string): Promise<void> {
    const bad = passwordProblem(password);
    if (bad) throw new GatewayError('USER_INVALID', bad);
    if (!this.get(name)) throw new GatewayError('USER_UNKNOWN', `no user ${name}`);
    const hash = await hashPassword(password);
    this.#db.transaction(() => {
      this.#db
        .prepare('UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?')
        .run(hash, this.#clock.now(), name);
      this.#db.prepare('DELETE FROM sessions WHERE user_name = ?').run(name);
    })();
  }

  /** Changes role and/or disabled flag; disabling ends the account's sessions. */
  update(name: string, change: { role?: Role; disabled?: boolean }): User {
    const u = this.get(name);
    if (!u) throw new GatewayError('USER_UNKNOWN', `no user ${name}`);
    this.#db.transaction(() => {
      this.#db
        .prepare('UPDATE users SET role = ?, disabled = ? WHERE name = ?')
        .run(change.role ?? u.role, (change.disabled ?? u.disabled) ? 1 : 0, name);
      if (change.disabled) this.#db.prepare('DELETE FROM sessions WHERE user_name = ?').run(name);
    })();
    return this.get(name)!;
  }

  /**
   * Checks a login. Returns the account when the password is right and the account
   * enabled; null otherwise, after the same scrypt work either way.
   */
  async verify(name: string, password: string): Promise<User | null> {
    const hash = this.#hash.get(name) as string | undefined;
    if (!hash) {
      await verifyDummy(password);
      return null;
    }
    if (!(await verifyPassword(password, hash))) return null;
    // A hash made with older, weaker parameters is replaced now that the password is known
    // (issue 9 item 2); sessions stay, the password did not change.
    if (needsRehash(hash)) {
      const fresh = await hashPassword(password);
      this.#db
        .prepare('UPDATE users SET password_hash = ? WHERE name = ? AND password_hash = ?')
        .run(fresh, name, hash);
    }
    this.#db.prepare('UPDATE users SET last_login_at = ? WHERE name = ?').run(this.#clock.now(), name);
    return this.get(name);
  }
}
