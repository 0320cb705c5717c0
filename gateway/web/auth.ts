import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, type Role, roleAtLeast } from '../accounts/users.js';
import type { Secrets } from '../config/secrets.js';
import { problem } from './problem.js';

export { ROLES, type Role };

/** Who is calling: a person (dashboard session) or a machine (API token). */
export interface Principal {
  kind: 'token' | 'user';
  name: string;
  role: Role;
  /** Set for dashboard sessions: writes must carry its CSRF token (X-CSRF-Token). */
  session?: { idHash: string; csrf: string };
}

/** Why a request was refused: what the refusal counter and log line say. */
export type Refusal = 'no_credentials' | 'bad_token' | 'role' | 'csrf';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal | null;
  }
  interface FastifyContextConfig {
    /** The route needs no login (/healthz, the login page and its assets, the login call). */
    public?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The header a dashboard write carries its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Finds the caller of a request. Machine clients (the upstream, scripts, Prometheus) send
 * `Authorization: Bearer <token>` with a token from the secrets file (`api.tokens`).
 * Further schemes (the dashboard's session cookie) are added with `addAuthenticator`.
 */
export class Auth {
  readonly #tokens: Array<{ digest: Buffer; name: string; role: Role }>;
  readonly #others: Array<(req: FastifyRequest) => Principal | null> = [];
  /** Told of every refusal (counter, log line); set by web/server.ts. */
  onRefused: (req: FastifyRequest, why: Refusal) => void = () => {};

  constructor(secrets: Secrets) {
    this.#tokens = (secrets.api?.tokens ?? []).map((t) => ({
      digest: digest(t.token),
      name: t.name,
      role: t.role,
    }));
  }

  /** Adds a way of finding the caller (tried in order after Bearer tokens). */
  addAuthenticator(f: (req: FastifyRequest) => Principal | null): void {
    this.#others.push(f);
  }

  /** The caller of a request, or null. A Bearer header that matches no token is never a session. */
  authenticate(req: FastifyRequest): Principal | null {
    const h = req.headers.authorization;
    if (h?.startsWith('Bearer ')) {
      const d = digest(h.slice(7).trim());
      for (const t of this.#tokens)
        if (timingSafeEqual(d, t.digest)) return { kind: 'token', name: t.name, role: t.role };
      return null;
    }
    for (const f of this.#others) {
      const p = f(req);
      if (p) return p;
    }
    return null;
  }

  /** Whether a write by a session carries that session's CSRF token (synchronizer token). */
  csrfOk(req: FastifyRequest, p: Principal): boolean {
    if (!p.session || SAFE_METHODS.has(req.method)) return true;
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || sent.length === 0) return false;
    const a = digest(sent);
    return timingSafeEqual(a, digest(p.session.csrf));
  }

  /**
   * A hook (use it as onRequest or preValidation, so refusals come before input
   * validation): 401 without credentials, 403 below the role, 403 for a session write
   * without its CSRF token.
   */
  require(role: Role) {
    return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (req.principal === undefined) req.principal = this.authenticate(req);
      const p = req.principal;
      if (!p) {
        this.onRefused(req, req.headers.authorization ? 'bad_token' : 'no_credentials');
        await reply.status(401).send(problem(401, 'authentication required: log in or send an API token'));
        return;
      }
      if (!this.csrfOk(req, p)) {
        this.onRefused(req, 'csrf');
        await reply
          .status(403)
          .send(problem(403, `CSRF token missing or wrong: send the session's token in ${CSRF_HEADER}`));
        return;
      }
      if (!roleAtLeast(p.role, role)) {
        this.onRefused(req, 'role');
        await reply.status(403).send(problem(403, `requires the ${role} role`));
      }
    };
  }
}
