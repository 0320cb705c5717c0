import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { DigestServer } from '../../core/digest.js';
import type { IngressHead, IngressVerdict } from '../../core/ingress.js';

/** How a terminal's pushes are told apart from anyone else's. */
export type PushAuthMode = 'address' | 'digest';

/** One terminal's push check. */
export interface PushAuthOptions {
  readerId: string;
  mode: PushAuthMode;
  /** The terminal's host: its address(es) are what `address` mode admits. */
  host: string;
  /** The password the terminal signs with as user `readerId` (secrets file `readers.{id}`), read at each push. */
  password: () => string | undefined;
}

/**
 * Decides from a request head alone whether a push is this terminal's (core/ingress.ts:
 * an unauthenticated client never gets a body buffered). `address`: the peer must be the
 * terminal's host (resolved once at start when it is a name). `digest`: the request must
 * carry Digest as the reader id with its password — for terminals behind NAT or sharing an
 * address — and is answered 401 with a fresh challenge otherwise, as Hikvision and Dahua
 * expect of a server that wants Digest.
 */
export class PushAuth {
  readonly #o: PushAuthOptions;
  readonly #digest: DigestServer;
  #addresses: Set<string>;

  constructor(o: PushAuthOptions) {
    this.#o = o;
    this.#addresses = new Set(isIP(o.host) ? [normalise(o.host)] : []);
    this.#digest = new DigestServer({
      realm: 'estate-gateway',
      users: (name) => (name === o.readerId ? o.password() : undefined),
      // Terminals push every few seconds: a nonce may serve a while, then a fresh one is asked for.
      nonceTtlMs: 600_000,
      maxUses: 1000,
    });
  }

  /** Resolves a host name to its addresses (once, at start); an IP needs nothing. */
  async resolve(): Promise<void> {
    if (isIP(this.#o.host)) return;
    const found = await lookup(this.#o.host, { all: true });
    this.#addresses = new Set(found.map((a) => normalise(a.address)));
  }

  /** The addresses `address` mode admits (for logs and tests). */
  get addresses(): ReadonlySet<string> {
    return this.#addresses;
  }

  /** True when the head's peer is this terminal's address (whatever the mode). */
  fromTerminal(head: IngressHead): boolean {
    return this.#addresses.has(normalise(head.remoteAddress));
  }

  /** The verdict on a push's head. */
  check(head: IngressHead): IngressVerdict {
    if (this.#o.mode === 'address') {
      if (this.fromTerminal(head)) return { ok: true };
      return { ok: false, reply: { status: 403, body: 'not from this terminal’s address' } };
    }
    const v = this.#digest.verify(head.headers.authorization, head.method);
    if (v.ok) return { ok: true };
    return {
      ok: false,
      reply: {
        status: 401,
        headers: { 'www-authenticate': this.#digest.challenge(v.why === 'stale_nonce') },
        body: 'Digest login required',
      },
    };
  }
}

function normalise(address: string): string {
  return address.replace(/^::ffff:/, '').toLowerCase();
}
