import { DigestClient } from '../../../core/digest.js';
import { GatewayError } from '../../../core/errors.js';
import {
  parseViidReply,
  USER_IDENTIFY,
  VIID_CONTENT_TYPE,
  type ViidStatus,
} from '../../../core/viid-wire.js';
import { cappedText } from '../../capped-text.js';

/** What the GA/T 1400 client is built from. */
export interface ViidClientOptions {
  /** The platform's base URL (the /VIID/… paths are appended). */
  url: string;
  /** The 20-digit device id: the User-Identify header of every call. */
  deviceId: string;
  username: string;
  /** The Digest password (secrets viid.password), read when a challenge is answered. */
  password: () => string;
  timeoutMs: number;
}

/** A reply: the HTTP status and the ResponseStatusObject(s), null when the body had none. */
export interface ViidReply {
  http: number;
  statuses: ViidStatus[] | null;
}

/** Largest reply read: a status list, never more. */
const MAX_REPLY_BYTES = 1024 * 1024;

/**
 * HTTP to a VIID platform: JSON bodies, `User-Identify` on every call, HTTP Digest (MD5,
 * qop=auth, core/digest.ts). The first call goes without credentials and takes the 401's
 * challenge; later calls answer it with a counted nonce; a 401 on a later call (a stale
 * nonce, a platform restart) takes the new challenge and retries once. A second 401 is
 * returned to the caller: the registration is gone or the password is wrong.
 */
export class ViidClient {
  readonly #o: ViidClientOptions;
  #digest: DigestClient | null = null;

  constructor(o: ViidClientOptions) {
    this.#o = o;
  }

  /** Forgets the challenge (a new registration starts from a fresh 401). */
  reset(): void {
    this.#digest = null;
  }

  /** POSTs a body to a path; throws only when the platform cannot be reached. */
  async post(path: string, body: string): Promise<ViidReply> {
    let res = await this.#send(path, body);
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate');
      await res.body?.cancel();
      const digest = new DigestClient(this.#o.username, this.#o.password());
      if (!digest.challenge(challenge)) return { http: 401, statuses: null };
      this.#digest = digest;
      res = await this.#send(path, body);
    }
    const text = await cappedText(
      res,
      MAX_REPLY_BYTES,
      () => new GatewayError('VIID_REPLY_TOO_LARGE', `platform reply over ${MAX_REPLY_BYTES} bytes`),
    );
    return { http: res.status, statuses: parseViidReply(text) };
  }

  #send(path: string, body: string): Promise<Response> {
    const headers: Record<string, string> = {
      'content-type': VIID_CONTENT_TYPE,
      accept: 'application/json, application/*+json',
      [USER_IDENTIFY]: this.#o.deviceId,
    };
    const auth = this.#digest?.authorization('POST', path);
    if (auth) headers.authorization = auth;
    return fetch(new URL(path, this.#o.url), {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(this.#o.timeoutMs),
    });
  }
}
