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

/** How long a caller is asked to wait when the attempts allowed are all in flight (a hash takes ~0.3 s). */
export const IN_FLIGHT_RETRY_MS = 1000;

/** Most keys remembered per space; the oldest are forgotten first (bounded memory). */
const MAX_KEYS = 10_000;

/**
 * Failure counting with exponential lockout for one key space. After `maxFailures`
 * failures a key is locked for `lockoutMs`, doubling with each further failure up to
 * `maxLockoutMs`. Kept in memory: a restart forgives, which the bounded lockout allows.
 *
 * Attempts are reserved before the password is hashed (issue 9 item 2): a key may have
 * only as many attempts in flight as it has failures left (one, once it has none left and
 * its lockout ended), so concurrent requests cannot all reach scrypt while the count
 * still reads zero.
 */
export class Lockouts {
  readonly #o: LimitOptions;
  readonly #clock: Clock;
  readonly #m = new Map<string, Entry>();
  readonly #inFlight = new Map<string, number>();

  constructor(o: LimitOptions, clock: Clock) {
    this.#o = o;
    this.#clock = clock;
  }

  /** Milliseconds until the key may try again; 0 when it may try now. */
  retryAfter(key: string): number {
    const e = this.#m.get(key);
    return e ? Math.max(0, e.lockedUntil - this.#clock.now()) : 0;
  }

  /** Attempts of a key started and not yet settled. */
  inFlight(key: string): number {
    return this.#inFlight.get(key) ?? 0;
  }

  /**
   * Milliseconds until a new attempt of the key may start (0: it may): its lockout, or
   * IN_FLIGHT_RETRY_MS when the attempts it has left are all in flight.
   */
  wait(key: string): number {
    const locked = this.retryAfter(key);
    if (locked > 0) return locked;
    const e = this.#m.get(key);
    const fresh = !e || this.#clock.now() - e.lastFailure > this.#o.forgetMs;
    const left = Math.max(1, this.#o.maxFailures - (fresh ? 0 : e.failures));
    return this.inFlight(key) >= left ? IN_FLIGHT_RETRY_MS : 0;
  }

  /** Counts an attempt in flight (after wait() said 0, in the same tick). */
  hold(key: string): void {
    this.#inFlight.set(key, this.inFlight(key) + 1);
  }

  /** Settles an attempt in flight. */
  release(key: string): void {
    const n = this.inFlight(key) - 1;
    if (n > 0) this.#inFlight.set(key, n);
    else this.#inFlight.delete(key);
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

/** An attempt reserved before hashing: settle it exactly once with failed() or succeeded(). */
export interface Attempt {
  /** Counts the failure for the address and the user; returns the lockout now in force (0 when none). */
  failed(): number;
  /** Clears the user's failures (the address's count decays by itself). */
  succeeded(): void;
}

/** An attempt refused before hashing: how long to wait, and which key (`ip:…` or `user:…`) holds it back. */
export interface Refused {
  wait: number;
  key: string;
}

/** Per-IP and per-user login limits: a login is refused while either is locked. */
export class LoginLimiter {
  readonly ip: Lockouts;
  readonly user: Lockouts;

  constructor(o: { ip: LimitOptions; user: LimitOptions }, clock: Clock) {
    this.ip = new Lockouts(o.ip, clock);
    this.user = new Lockouts(o.user, clock);
  }

  /** Milliseconds the caller must wait because of a lockout (0: none in force). */
  retryAfter(ip: string, user: string): number {
    return Math.max(this.ip.retryAfter(ip), this.user.retryAfter(user.toLowerCase()));
  }

  /**
   * Reserves an attempt for the address and the user before the password is hashed:
   * `{ wait, key }` (ms, > 0) when either is locked or has all its attempts in flight,
   * otherwise the attempt, counted in flight for both until it is settled. Synchronous,
   * so no two requests can pass the check on the same count.
   */
  reserve(ip: string, user: string): Refused | Attempt {
    const u = user.toLowerCase();
    const byIp = this.ip.wait(ip);
    const byUser = this.user.wait(u);
    if (byIp > 0 || byUser > 0)
      return byIp >= byUser ? { wait: byIp, key: `ip:${ip}` } : { wait: byUser, key: `user:${u}` };
    this.ip.hold(ip);
    this.user.hold(u);
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      this.ip.release(ip);
      this.user.release(u);
      return true;
    };
    return {
      failed: () => (settle() ? Math.max(this.ip.fail(ip), this.user.fail(u)) : 0),
      succeeded: () => {
        if (settle()) this.user.reset(u);
      },
    };
  }
}
