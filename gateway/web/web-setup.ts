import type { FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { AuditLog } from '../accounts/audit.js';
import { AuditThrottle } from '../accounts/audit-throttle.js';
import { LoginLimiter } from '../accounts/login-limiter.js';
import { SessionStore } from '../accounts/sessions.js';
import { UserStore } from '../accounts/users.js';
import { Auth } from './auth.js';
import { inputWarn } from './bad-input.js';
import type { Accounts, RequestAudit, Web, WebCounters, WebDeps } from './context.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import { LiveStreams } from './live-streams.js';
import { presenters } from './present.js';

/** The accounts of the dashboard over the gateway database, with the configured limits. */
export function createAccounts(d: WebDeps): Accounts {
  const clock = d.clock;
  const c = d.config.dashboard;
  const lock = (maxFailures: number) => ({
    maxFailures,
    lockoutMs: c.login.lockoutSeconds * 1000,
    maxLockoutMs: c.login.maxLockoutSeconds * 1000,
    forgetMs: 15 * 60_000,
  });
  return {
    users: new UserStore(d.db, clock),
    sessions: new SessionStore(d.db, clock, {
      idleMs: c.sessionIdleMinutes * 60_000,
      maxAgeMs: c.sessionMaxHours * 3600_000,
    }),
    limiter: new LoginLimiter(
      { ip: lock(c.login.maxFailuresPerIp), user: lock(c.login.maxFailuresPerUser) },
      clock,
    ),
    audit: new AuditLog(d.db, clock),
  };
}

function counters(d: WebDeps): WebCounters {
  const registers = [d.metrics.registry];
  return {
    refused: new Counter({
      name: 'estate_gateway_http_refused_total',
      help: 'HTTP requests refused by authentication, role or CSRF check, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    badRequests: d.metrics.badRequests,
    logins: new Counter({
      name: 'estate_gateway_logins_total',
      help: 'Dashboard logins by outcome (ok, failed, locked)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    auditSuppressed: new Counter({
      name: 'estate_gateway_audit_suppressed_total',
      help: 'Repeats counted instead of audited (a lockout refused again, a thumbnail fetched again), by action',
      labelNames: ['action'] as const,
      registers,
    }),
  };
}

/** Everything route modules share: presenters, authenticator (token + session), accounts, audit. */
export function createWeb(d: WebDeps): Web {
  const accounts = createAccounts(d);
  const auth = new Auth(d.secrets);
  auth.addAuthenticator((req) => {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    const s = id ? accounts.sessions.get(id) : null;
    return s
      ? { kind: 'user', name: s.user, role: s.role, session: { idHash: s.idHash, csrf: s.csrf } }
      : null;
  });
  const c = counters(d);
  const audit = (req: FastifyRequest, e: RequestAudit) => {
    const p = req.principal;
    accounts.audit.record({
      ...e,
      actor: e.actor ?? (p ? (p.kind === 'token' ? `token:${p.name}` : p.name) : '(unknown)'),
      role: p?.role ?? null,
      ip: req.ip,
    });
  };
  auth.onRefused = (req, why) => {
    const route = req.routeOptions.url ?? req.url.split('?')[0];
    c.refused.inc({ reason: why });
    inputWarn(req, `${route} ${why}`, { method: req.method, route, why }, 'request refused');
    // A logged-in caller refused is worth an audit row; anonymous probes are only counted.
    if (req.principal)
      audit(req, {
        action: 'request.refused',
        target: `${req.method} ${route}`,
        outcome: 'refused',
        detail: { why },
      });
  };
  return {
    d,
    present: presenters({ doors: d.config.doors, db: d.db }),
    auth,
    accounts,
    counters: c,
    audit,
    throttle: new AuditThrottle(d.clock),
    streams: new LiveStreams(),
    masked: (req) => req.principal?.role === 'viewer',
  };
}
