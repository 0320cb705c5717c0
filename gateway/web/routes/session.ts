import type { FastifyRequest } from 'fastify';
import type { RouteModule } from '../context.js';
import { readCookie, SESSION_COOKIE, sessionCookie } from '../cookies.js';
import { problem } from '../problem.js';
import * as S from '../schemas.js';
import * as A from '../schemas-accounts.js';

/**
 * A login posted from another site is refused: browsers send Origin on every POST, and
 * a JSON body cannot come from a plain HTML form (login CSRF).
 */
function foreignOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/** Login, who-am-I (with the CSRF token for writes) and logout. */
export const sessionRoutes: RouteModule = (app, w) => {
  const { accounts, counters, d } = w;
  const estate = { id: d.config.estate.id, name: d.config.estate.name };
  const secure = (req: FastifyRequest) => d.config.dashboard.secureCookies || req.protocol === 'https';

  app.post(
    '/api/session',
    {
      config: { public: true },
      schema: {
        body: A.LoginBody,
        response: {
          200: A.SessionReply,
          400: S.ErrorReply,
          401: S.ErrorReply,
          403: S.ErrorReply,
          429: S.ErrorReply,
        },
      },
    },
    async (req, reply) => {
      const { user, password } = req.body;
      const ip = req.ip;
      if (foreignOrigin(req)) {
        counters.refused.inc({ reason: 'origin' });
        return reply.status(403).send(problem(403, 'login from another site refused'));
      }
      const known = accounts.users.get(user);
      // Unknown names are audited as such: a password typed into the name field stays out of the log.
      const actor = known?.name ?? '(unknown)';
      // The attempt is reserved before scrypt runs (issue 9 item 2): concurrent guesses
      // beyond what the address and the user have left are refused without hashing.
      const attempt = accounts.limiter.reserve(ip, user);
      if ('wait' in attempt) {
        const s = Math.ceil(attempt.wait / 1000);
        counters.logins.inc({ outcome: 'locked' });
        // One audit row and one log line per locked key (the address, or the user) and
        // lockout; the rest are counted (issue 9 item 3).
        if (w.throttle.first(`login.locked\0${attempt.key}`, d.clock.now() + attempt.wait)) {
          w.audit(req, { actor, action: 'login.locked', outcome: 'refused', detail: { retryAfterS: s } });
          req.log.warn({ ip, retryAfterS: s }, 'login refused: locked out');
        } else counters.auditSuppressed.inc({ action: 'login.locked' });
        reply.header('retry-after', String(s));
        return reply.status(429).send(problem(429, `too many failed logins: try again in ${s} s`));
      }
      let u: Awaited<ReturnType<typeof accounts.users.verify>>;
      try {
        u = await accounts.users.verify(user, password);
      } catch (err) {
        attempt.failed();
        throw err;
      }
      if (!u) {
        const locked = attempt.failed();
        counters.logins.inc({ outcome: 'failed' });
        w.audit(req, {
          actor,
          action: 'login.failed',
          outcome: 'failed',
          detail: locked ? { lockedS: Math.ceil(locked / 1000) } : null,
        });
        req.log.warn({ ip, known: !!known }, 'login failed');
        return reply.status(401).send(problem(401, 'wrong user name or password'));
      }
      attempt.succeeded();
      const s = accounts.sessions.create(u.name, ip);
      req.principal = { kind: 'user', name: u.name, role: u.role };
      counters.logins.inc({ outcome: 'ok' });
      w.audit(req, { action: 'login.ok' });
      reply.header('set-cookie', sessionCookie(s.id, null, secure(req)));
      reply.header('cache-control', 'no-store');
      return { user: u.name, role: u.role, kind: 'user' as const, csrf: s.csrf, estate };
    },
  );

  app.get('/api/session', { schema: { response: { 200: A.SessionReply } } }, async (req, reply) => {
    const p = req.principal!;
    reply.header('cache-control', 'no-store');
    return { user: p.name, role: p.role, kind: p.kind, csrf: p.session?.csrf ?? null, estate };
  });

  // Anyone logged in changes their own password (the one an admin generated for them).
  app.post(
    '/api/session/password',
    {
      schema: {
        body: A.OwnPasswordBody,
        response: { 200: A.SessionReply, 400: S.ErrorReply, 401: S.ErrorReply, 429: S.ErrorReply },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (!p.session) return reply.status(400).send(problem(400, 'API tokens have no password to change'));
      const attempt = accounts.limiter.reserve(req.ip, p.name);
      if ('wait' in attempt) {
        const s = Math.ceil(attempt.wait / 1000);
        reply.header('retry-after', String(s));
        return reply.status(429).send(problem(429, `too many failed attempts: try again in ${s} s`));
      }
      let ok = false;
      try {
        ok = (await accounts.users.verify(p.name, req.body.current)) !== null;
      } finally {
        if (ok) attempt.succeeded();
        else attempt.failed();
      }
      if (!ok) {
        w.audit(req, { action: 'user.password', target: p.name, outcome: 'failed' });
        return reply.status(401).send(problem(401, 'the current password is wrong'));
      }
      // Every session of the account ends (another browser may be someone else); this one goes on anew.
      await accounts.users.setPassword(p.name, req.body.password);
      w.streams.endUser(p.name);
      w.audit(req, { action: 'user.password', target: p.name, detail: { own: true } });
      const s = accounts.sessions.create(p.name, req.ip);
      reply.header('set-cookie', sessionCookie(s.id, null, secure(req)));
      reply.header('cache-control', 'no-store');
      return { user: p.name, role: p.role, kind: 'user' as const, csrf: s.csrf, estate };
    },
  );

  app.delete('/api/session', { schema: { response: { 204: S.NoContent } } }, async (req, reply) => {
    const p = req.principal!;
    if (p.session) {
      accounts.sessions.destroy(p.session.idHash);
      w.streams.endSession(p.session.idHash);
    }
    w.audit(req, { action: 'logout' });
    if (readCookie(req.headers.cookie, SESSION_COOKIE))
      reply.header('set-cookie', sessionCookie('', 0, secure(req)));
    return reply.status(204).send();
  });
};
