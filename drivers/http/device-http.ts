import http from 'node:http';
import { DigestClient } from '../../core/digest.js';
import { GatewayError } from '../../core/errors.js';
import type { TerminalLogin } from '../types.js';

/** How a terminal is reached and how it refuses. */
export interface DeviceHttpOptions {
  host: string;
  port: number;
  /** The gateway's login on the terminal, read at each use (the secrets file loads after build). */
  login: () => TerminalLogin | undefined;
  /** A whole request (head and body of the reply) must finish within this, ms. */
  timeoutMs: number;
  /** Replies larger than this are cut off and fail (a terminal is no file server). */
  maxReplyBytes: number;
  /**
   * Reads a lockout from a refused login's reply: seconds until the terminal unlocks the
   * account, or null when the reply says nothing of one (vendor-specific).
   */
  lockout?: (body: string) => number | null;
  /** Wall clock for the back-off after refused logins. */
  now?: () => number;
}

/** A terminal's whole reply. */
export interface DeviceReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Every `WWW-Authenticate` value of a reply, each on its own (a device may offer Basic beside Digest). */
function challengesOf(res: http.IncomingMessage): string[] {
  return res.headersDistinct['www-authenticate'] ?? [];
}

/** A reply whose body is read as it comes (an event stream), or the refusal instead. */
export type DeviceStream =
  | { ok: true; headers: http.IncomingHttpHeaders; body: http.IncomingMessage; close: () => void }
  | { ok: false; reply: DeviceReply };

/** Counters of one terminal's HTTP client. */
export interface DeviceHttpStats {
  requests: number;
  /** Logins the terminal refused with a fresh challenge (a wrong password). */
  authFailures: number;
  /** Times the terminal said the account is locked. */
  lockouts: number;
  /** Requests not sent because the client is backing off after refused logins. */
  heldBack: number;
}

/** The longest the client waits after refused logins before trying again, ms. */
const MAX_AUTH_BACKOFF_MS = 30 * 60_000;
const FIRST_AUTH_BACKOFF_MS = 60_000;

/**
 * HTTP to one terminal with Digest (core/digest.ts), the way ISAPI and Dahua CGI want it:
 * the `uri` with its query string, `nc` counted per nonce, and a fresh challenge taken
 * whenever the terminal answers 401 (a stale nonce, or firmware that accepts a nonce only a
 * few times) — once per request. A 401 to a fresh challenge is a wrong login: the client
 * then sends nothing for a while (one minute, doubling to 30), or until the unlock time the
 * terminal announced, because each try during a lock extends it. It never falls back to
 * Basic, which would send the password in clear. Keep-alive sockets, one agent per terminal:
 * a dead terminal ties up only its own requests.
 */
export class DeviceHttp {
  readonly stats: DeviceHttpStats = { requests: 0, authFailures: 0, lockouts: 0, heldBack: 0 };
  readonly #o: DeviceHttpOptions;
  readonly #agent: http.Agent;
  readonly #now: () => number;
  #digest: DigestClient | null = null;
  #digestFor: TerminalLogin | null = null;
  /** The current login got a reply other than 401 since it was taken: requests may run side by side. */
  #proven = false;
  /** While the login is unproven, requests go one at a time: a wrong password costs one try, not one per request. */
  #gate: Promise<void> = Promise.resolve();
  #failures = 0;
  #blockedUntil = 0;
  #blockReason = '';

  constructor(o: DeviceHttpOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 2, keepAliveMsecs: 10_000 });
  }

  /** Until when (epoch ms) nothing is sent after refused logins; 0 when not backing off. */
  get blockedUntil(): number {
    return this.#blockedUntil > this.#now() ? this.#blockedUntil : 0;
  }

  /** Sends one request and reads the whole reply. Rejects only when no reply came (or the login was refused). */
  async request(
    method: string,
    path: string,
    o: { body?: Buffer | string; headers?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<DeviceReply> {
    const body = typeof o.body === 'string' ? Buffer.from(o.body) : o.body;
    return this.#authenticated(method, path, async (authorization) => {
      const res = await this.#send(method, path, { ...o, body, authorization, agent: this.#agent });
      return {
        status: res.statusCode ?? 0,
        headers: res.headers,
        challenges: challengesOf(res),
        body: await this.#read(res),
      };
    });
  }

  /** Opens a long-lived GET (alertStream, eventManager attach) on a socket of its own. */
  async open(path: string): Promise<DeviceStream> {
    let held: http.IncomingMessage | null = null;
    const reply = await this.#authenticated('GET', path, async (authorization) => {
      const res = await this.#send('GET', path, { authorization, agent: false, headersOnly: true });
      const status = res.statusCode ?? 0;
      const challenges = challengesOf(res);
      if (status === 200) {
        held = res;
        return { status, headers: res.headers, challenges, body: Buffer.alloc(0) };
      }
      return { status, headers: res.headers, challenges, body: await this.#read(res) };
    });
    const res = held as http.IncomingMessage | null;
    if (!res) return { ok: false, reply };
    return { ok: true, headers: res.headers, body: res, close: () => res.destroy() };
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }

  async #authenticated(
    method: string,
    path: string,
    attempt: (authorization: string | null) => Promise<Attempt>,
  ): Promise<DeviceReply> {
    if (this.#proven) return this.#authenticatedNow(method, path, attempt);
    const before = this.#gate;
    let release = () => {};
    this.#gate = new Promise<void>((r) => {
      release = r;
    });
    await before;
    try {
      return await this.#authenticatedNow(method, path, attempt);
    } finally {
      release();
    }
  }

  async #authenticatedNow(
    method: string,
    path: string,
    attempt: (authorization: string | null) => Promise<Attempt>,
  ): Promise<DeviceReply> {
    const login = this.#o.login();
    if (!login)
      throw new GatewayError('NO_LOGIN', 'no login for this terminal in the secrets file (terminals.<id>)');
    if (this.blockedUntil > 0) {
      this.stats.heldBack++;
      throw new GatewayError(
        this.#blockReason === 'locked' ? 'TERMINAL_LOCKED' : 'TERMINAL_AUTH',
        `not calling the terminal until ${new Date(this.#blockedUntil).toISOString()} after refused logins`,
        { until: this.#blockedUntil },
      );
    }
    const d = this.#digestFor;
    if (d === null || d.username !== login.username || d.password !== login.password) {
      // A changed secrets file means a new login: start over with a fresh challenge.
      this.#digest = null;
      this.#proven = false;
      this.#digestFor = login;
    }
    const first = await attempt(this.#digest?.authorization(method, path) ?? null);
    if (first.status !== 401) return this.#succeeded(first);
    // A 401: a first contact, a stale nonce, or one used too often. One fresh challenge each.
    const digest = new DigestClient(login.username, login.password);
    if (!digest.challenge(first.challenges)) return this.#refused(first, 'no_digest');
    this.#digest = digest;
    const second = await attempt(digest.authorization(method, path));
    if (second.status !== 401) return this.#succeeded(second);
    this.#digest = null;
    return this.#refused(second, 'refused');
  }

  #succeeded(r: Attempt): DeviceReply {
    if (this.#digest) this.#proven = true;
    this.#failures = 0;
    this.#blockedUntil = 0;
    return { status: r.status, headers: r.headers, body: r.body };
  }

  #refused(r: Attempt, why: 'no_digest' | 'refused'): never {
    this.#proven = false;
    this.stats.authFailures++;
    this.#failures++;
    const unlockSeconds = this.#o.lockout?.(r.body.toString('utf8')) ?? null;
    const backoff = Math.min(MAX_AUTH_BACKOFF_MS, FIRST_AUTH_BACKOFF_MS * 2 ** (this.#failures - 1));
    if (unlockSeconds !== null) {
      this.stats.lockouts++;
      this.#blockReason = 'locked';
      // A few seconds past the unlock: a try a moment early would lock the account again.
      this.#blockedUntil = this.#now() + Math.max(backoff, unlockSeconds * 1000 + 5000);
      throw new GatewayError(
        'TERMINAL_LOCKED',
        `the terminal locked the account for ${unlockSeconds} s after refused logins; check terminals.<id> in the secrets file`,
        { unlockSeconds },
      );
    }
    this.#blockReason = 'auth';
    this.#blockedUntil = this.#now() + backoff;
    throw new GatewayError(
      'TERMINAL_AUTH',
      why === 'no_digest'
        ? 'the terminal offers no Digest login (Basic is never used: it sends the password in clear)'
        : 'the terminal refused the login; check terminals.<id> in the secrets file',
      { retryInMs: backoff },
    );
  }

  #send(
    method: string,
    path: string,
    o: {
      body?: Buffer;
      headers?: Record<string, string>;
      timeoutMs?: number;
      authorization: string | null;
      agent: http.Agent | false;
      headersOnly?: boolean;
    },
  ): Promise<http.IncomingMessage> {
    this.stats.requests++;
    const timeoutMs = o.timeoutMs ?? this.#o.timeoutMs;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...o.headers };
      if (o.authorization) headers.authorization = o.authorization;
      if (o.body) headers['content-length'] = String(o.body.length);
      const req = http.request({
        host: this.#o.host,
        port: this.#o.port,
        method,
        path,
        headers,
        agent: o.agent,
      });
      const timer = setTimeout(() => {
        req.destroy(new GatewayError('READER_OFFLINE', `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      req.once('response', (res) => {
        if (o.headersOnly && res.statusCode === 200) clearTimeout(timer);
        else res.once('close', () => clearTimeout(timer));
        resolve(res);
      });
      req.once('error', (err) => {
        clearTimeout(timer);
        reject(
          err instanceof GatewayError
            ? err
            : new GatewayError('READER_OFFLINE', `terminal unreachable: ${err.message}`, {}, { cause: err }),
        );
      });
      req.end(o.body);
    });
  }

  #read(res: http.IncomingMessage): Promise<Buffer> {
    const max = this.#o.maxReplyBytes;
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n > max) {
          res.destroy();
          reject(new GatewayError('TERMINAL_REPLY_TOO_LARGE', `reply larger than ${max} bytes`));
          return;
        }
        parts.push(c);
      });
      res.once('end', () => resolve(Buffer.concat(parts, n)));
      res.once('error', (err) =>
        reject(
          err instanceof GatewayError
            ? err
            : new GatewayError('READER_OFFLINE', `reply cut off: ${err.message}`, {}, { cause: err }),
        ),
      );
      res.once('close', () => {
        if (!res.complete) reject(new GatewayError('READER_OFFLINE', 'reply cut off'));
      });
    });
  }
}

/** One try of a request: the reply and its challenges. */
interface Attempt extends DeviceReply {
  challenges: string[];
}
