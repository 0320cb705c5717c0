import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Secrets } from '../config/secrets.js';
import { problem } from './context.js';

/** Roles, weakest first (design.md §9). */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a person (issue 5: session) or a machine (API token). */
export interface Principal {
  kind: 'token' | 'user';
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal | null;
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Finds the caller of a request. Machine clients (the upstream, scripts) send
 * `Authorization: Bearer <token>` with a token from the secrets file (`api.tokens`).
 * Further schemes (the dashboard's session cookie) are added with `addAuthenticator`.
 */
export class Auth {
  readonly #tokens: Array<{ digest: Buffer; name: string; role: Role }>;
  readonly #others: Array<(req: FastifyRequest) => Principal | null> = [];

  constructor(secrets: Secrets) {
    this.#tokens = (secrets.api?.tokens ?? []).map((t) => ({
      digest: digest(t.token),
      name: t.name,
      role: t.role,
    }));
  }

  addAuthenticator(f: (req: FastifyRequest) => Principal | null): void {
    this.#others.push(f);
  }

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

  /** preHandler: 401 without credentials, 403 below the role. */
  require(role: Role) {
    return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const p = req.principal === undefined ? this.authenticate(req) : req.principal;
      req.principal = p;
      if (!p) {
        await reply.status(401).send(problem(401, 'authentication required'));
        return;
      }
      if (ROLES.indexOf(p.role) < ROLES.indexOf(role)) {
        await reply.status(403).send(problem(403, `requires the ${role} role`));
      }
    };
  }
}
