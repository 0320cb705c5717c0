import type { Clock } from '../../core/clock.js';

/** Limits of one key space (per IP or per user name). */
export interface LimitOptions {
  /** Failures allowed before the first lockout. */
  maxFailures: number;
  /** First lockout; each further failure doubles it. */
  lockoutMs: number;
  /** Longest lockout. */
  maxLockoutMs: number;
  /** A key with no failure for this long starts afresh. */
  forgetMs: number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

/** Most keys remembered per space; the oldest are forgotten first (bounded memory). */
const MAX_KEYS = 10_000;

/**
 * Failure counting with exponential lockout for one key space. After `maxFailures`
 * failures a key is locked for `lockoutMs`, doubling with each further failure up to
 * `maxLockoutMs`. Kept in memory: a restart forgives, which the bounded lockout allows.
 */
export class Lockouts {
  readonly #o: LimitOptions;
  readonly #clock: Clock;
  readonly #m = new Map<string, Entry>();

  constructor(o: LimitOptions, clock: Clock) {
    this.#o = o;
    this.#clock = clock;
  }

  /** Milliseconds until the key may try again; 0 when it may try now. */
  retryAfter(key: string): number {
    const e = this.#m.get(key);
    return e ? Math.max(0, e.lockedUntil - this.#clock.now()) : 0;
  }

  /** Counts a failure; returns the lockout now in force (0 when none). */
  fail(key: string): number {
    const now = this.#clock.now();
    let e = this.#m.get(key);
    if (!e || now - e.lastFailure > this.#o.forgetMs) e = { failures: 0, lastFailure: now, lockedUntil: 0 };
    this.#m.delete(key); // re-insert: Map order is the eviction order
    e.failures++;
    e.lastFailure = now;
    const over = e.failures - this.#o.maxFailures;
    if (over >= 0) {
      const ms = Math.min(this.#o.maxLockoutMs, this.#o.lockoutMs * 2 ** Math.min(over, 30));
      e.lockedUntil = now + ms;
    }
    this.#m.set(key, e);
    if (this.#m.size > MAX_KEYS) this.#m.delete(this.#m.keys().next().value as string);
    return Math.max(0, e.lockedUntil - now);
  }

  /** Forgets a key's failures (a successful login). */
  reset(key: string): void {
    this.#m.delete(key);
  }
}

/** Per-IP and per-user login limits: a login is refused while either is locked. */
export class LoginLimiter {
  readonly ip: Lockouts;
  readonly user: Lockouts;

  constructor(o: { ip: LimitOptions; user: LimitOptions }, clock: Clock) {
    this.ip = new Lockouts(o.ip, clock);
    this.user = new Lockouts(o.user, clock);
  }

  /** Milliseconds the caller must wait (0: may try now). */
  retryAfter(ip: string, user: string): number {
    return Math.max(this.ip.retryAfter(ip), this.user.retryAfter(user.toLowerCase()));
  }

  /** Counts a failed login for both keys. */
  failed(ip: string, user: string): number {
    return Math.max(this.ip.fail(ip), this.user.fail(user.toLowerCase()));
  }

  /** A successful login clears the user's count; the IP's count decays by itself. */
  succeeded(user: string): void {
    this.user.reset(user.toLowerCase());
  }
}
