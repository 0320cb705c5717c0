/**
 * HTTP Digest access authentication (RFC 7616, MD5 with qop="auth", the form every device
 * here speaks): Hikvision ISAPI and Dahua CGI terminals, ONVIF snapshot URIs, the police
 * platform's GA/T 1400 `Register`. The client side answers a challenge; the server side is
 * what the simulators check with. Pure functions over strings: the caller does the HTTP.
 *
 * Devices differ in small ways this tolerates: parameters quoted or not, in any order, the
 * `uri` carrying the query string (Hikvision `?format=json`), a `stale=true` challenge that
 * asks for a fresh nonce without a new password, and a nonce some firmware accepts only a
 * few times (so the client counts `nc` per nonce and takes a new challenge when told).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A parsed `WWW-Authenticate: Digest …` challenge. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop: string | null;
  opaque: string | null;
  algorithm: string;
  /** The server says the nonce expired, not the password: retry at once with the new one. */
  stale: boolean;
}

/** Parameters of a Digest header (challenge or response), names lower-case. */
export function parseDigestParams(header: string): Map<string, string> | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return null;
  const out = new Map<string, string>();
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/g;
  const rest = m[1] ?? '';
  for (let p = re.exec(rest); p !== null; p = re.exec(rest)) {
    const key = (p[1] ?? '').toLowerCase();
    const value = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    out.set(key, value);
  }
  return out;
}

/**
 * The Digest challenge among a response's `WWW-Authenticate` values, or null when there is
 * none (or it asks for an algorithm other than MD5, which no device here uses).
 */
export function parseChallenge(
  header: string | readonly string[] | null | undefined,
): DigestChallenge | null {
  const values =
    header === null || header === undefined ? [] : typeof header === 'string' ? [header] : header;
  for (const v of values) {
    const p = parseDigestParams(v);
    if (!p) continue;
    const realm = p.get('realm');
    const nonce = p.get('nonce');
    if (realm === undefined || nonce === undefined) continue;
    const algorithm = (p.get('algorithm') ?? 'MD5').toUpperCase();
    if (algorithm !== 'MD5') continue;
    const qops = (p.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase());
    return {
      realm,
      nonce,
      qop: qops.includes('auth') ? 'auth' : null,
      opaque: p.get('opaque') ?? null,
      algorithm,
      stale: (p.get('stale') ?? '').toLowerCase() === 'true',
    };
  }
  return null;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** The response hash of RFC 7616 §3.4.1 for MD5. */
export function digestResponse(o: {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  qop: string | null;
  nc: string;
  cnonce: string;
}): string {
  const ha1 = md5(`${o.username}:${o.realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  return o.qop
    ? md5(`${ha1}:${o.nonce}:${o.nc}:${o.cnonce}:${o.qop}:${ha2}`)
    : md5(`${ha1}:${o.nonce}:${ha2}`);
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * A client's Digest state for one device: answers its challenges, counting `nc` per nonce.
 * Call `authorization()` for each request once a challenge was taken; on a 401 take the new
 * challenge with `challenge()` and retry once (a second 401 with `stale` false means the
 * password is wrong: back off, the device may be locking the account).
 */
export class DigestClient {
  readonly #username: string;
  readonly #password: string;
  #challenge: DigestChallenge | null = null;
  #nc = 0;

  constructor(username: string, password: string) {
    this.#username = username;
    this.#password = password;
  }

  /** Takes the challenge of a 401. Returns false when the header holds no usable Digest challenge. */
  challenge(header: string | readonly string[] | null | undefined): boolean {
    const c = parseChallenge(header);
    if (!c) return false;
    this.#challenge = c;
    this.#nc = 0;
    return true;
  }

  /** True once a challenge was taken. */
  get ready(): boolean {
    return this.#challenge !== null;
  }

  /** The Authorization header for `method uri` (uri: path and query, as sent); null before a challenge. */
  authorization(method: string, uri: string): string | null {
    const c = this.#challenge;
    if (!c) return null;
    this.#nc += 1;
    const nc = this.#nc.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    const response = digestResponse({
      username: this.#username,
      password: this.#password,
      realm: c.realm,
      nonce: c.nonce,
      method,
      uri,
      qop: c.qop,
      nc,
      cnonce,
    });
    const parts = [
      `username=${quote(this.#username)}`,
      `realm=${quote(c.realm)}`,
      `nonce=${quote(c.nonce)}`,
      `uri=${quote(uri)}`,
      `response=${quote(response)}`,
      'algorithm=MD5',
    ];
    if (c.qop) parts.push(`qop=${c.qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
    if (c.opaque !== null) parts.push(`opaque=${quote(c.opaque)}`);
    return `Digest ${parts.join(', ')}`;
  }
}

/** Why a server refused an Authorization header. */
export type DigestRefusal = 'missing' | 'malformed' | 'unknown_user' | 'stale_nonce' | 'bad_response';

/**
 * The server side, for simulated devices and platforms: issues nonces, checks answers.
 * A nonce is valid for `nonceTtlMs` and for `maxUses` requests (one Hikvision firmware
 * rejects a nonce's third use); after that the client gets `stale=true`.
 */
export class DigestServer {
  readonly realm: string;
  readonly #users: (name: string) => string | undefined;
  readonly #nonceTtlMs: number;
  readonly #maxUses: number;
  readonly #now: () => number;
  readonly #nonces = new Map<string, { issued: number; uses: number }>();

  constructor(o: {
    realm: string;
    /** The password of a user name, or undefined. */
    users: (name: string) => string | undefined;
    nonceTtlMs?: number;
    maxUses?: number;
    now?: () => number;
  }) {
    this.realm = o.realm;
    this.#users = o.users;
    this.#nonceTtlMs = o.nonceTtlMs ?? 300_000;
    this.#maxUses = o.maxUses ?? Number.POSITIVE_INFINITY;
    this.#now = o.now ?? Date.now;
  }

  /** A `WWW-Authenticate` value with a fresh nonce. */
  challenge(stale = false): string {
    const nonce = randomBytes(16).toString('hex');
    this.#nonces.set(nonce, { issued: this.#now(), uses: 0 });
    if (this.#nonces.size > 10_000) this.#nonces.delete(this.#nonces.keys().next().value as string);
    return `Digest realm=${quote(this.realm)}, qop="auth", nonce=${quote(nonce)}, algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /** Checks an Authorization header for `method`; the user name when it is right. */
  verify(
    header: string | undefined,
    method: string,
  ): { ok: true; username: string } | { ok: false; why: DigestRefusal } {
    if (!header) return { ok: false, why: 'missing' };
    const p = parseDigestParams(header);
    const username = p?.get('username');
    const nonce = p?.get('nonce');
    const uri = p?.get('uri');
    const response = p?.get('response');
    if (!p || username === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return { ok: false, why: 'malformed' };
    }
    const password = this.#users(username);
    if (password === undefined) return { ok: false, why: 'unknown_user' };
    const n = this.#nonces.get(nonce);
    if (!n || this.#now() - n.issued > this.#nonceTtlMs || n.uses >= this.#maxUses) {
      return { ok: false, why: 'stale_nonce' };
    }
    const want = digestResponse({
      username,
      password,
      realm: this.realm,
      nonce,
      method,
      uri,
      qop: p.get('qop') ?? null,
      nc: p.get('nc') ?? '',
      cnonce: p.get('cnonce') ?? '',
    });
    const a = Buffer.from(want);
    const b = Buffer.from(response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, why: 'bad_response' };
    n.uses += 1;
    return { ok: true, username };
  }
}
