import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { parseIsoTime } from '../../core/time.js';
import { LogLimiter, logLimits } from '../log-limit.js';
import { inputWarn } from './bad-input.js';
import type { App, RouteModule, WebDeps } from './context.js';
import { problem } from './problem.js';
import { accountRoutes } from './routes/accounts.js';
import { adminRoutes } from './routes/admin.js';
import { auditRoutes } from './routes/audit.js';
import { campaignRoutes } from './routes/campaigns.js';
import { caseRoutes, handoverArchiveRoute } from './routes/cases.js';
import { doorRoutes } from './routes/doors.js';
import { enforcementRoutes } from './routes/enforcement.js';
import { evidenceRoutes } from './routes/evidence.js';
import { faceOfferRoutes } from './routes/face-offers.js';
import { householdRoutes } from './routes/households.js';
import { journalRoutes } from './routes/journal.js';
import { listingRoutes } from './routes/listings.js';
import { liveRoutes } from './routes/live.js';
import { overviewRoutes } from './routes/overview.js';
import { passRoutes } from './routes/passes.js';
import { patrolRoutes } from './routes/patrols.js';
import { readerRoutes } from './routes/readers.js';
import { sessionRoutes } from './routes/session.js';
import { statusRoutes } from './routes/status.js';
import { tipRoutes } from './routes/tips.js';
import { uiRoutes } from './routes/ui.js';
import { createWeb } from './web-setup.js';

export type { HealthView, WebDeps } from './context.js';

/** Every route module; a new area of the API is one module and one line here. */
const ROUTES: RouteModule[] = [
  statusRoutes,
  sessionRoutes,
  journalRoutes,
  readerRoutes,
  doorRoutes,
  householdRoutes,
  faceOfferRoutes,
  liveRoutes,
  overviewRoutes,
  passRoutes,
  caseRoutes,
  handoverArchiveRoute,
  patrolRoutes,
  // Issue 16: the full inspection, listing patrols, uploads, enforcement feedback, tip rewards.
  tipRoutes,
  listingRoutes,
  evidenceRoutes,
  enforcementRoutes,
  campaignRoutes,
  auditRoutes,
  accountRoutes,
  adminRoutes,
  uiRoutes,
];

/** One registered route, as the auth tests enumerate them. */
export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
  /** The status codes its response schema declares (every route has one: the API's types come from it). */
  responses: string[];
}

const TABLES = new WeakMap<FastifyInstance, RouteInfo[]>();

/** Every route the server registered (HEAD twins excluded). */
export function routeTable(app: FastifyInstance): readonly RouteInfo[] {
  return TABLES.get(app) ?? [];
}

/** Sent with every response: no framing, no sniffing, no referrer, scripts only from here. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/**
 * The HTTP API and the dashboard (fastify, a JSON Schema on every route). Every route
 * needs a session or an API token (at least viewer) unless it is marked public; route
 * modules ask for more with `auth.require(role)`.
 */
export function buildServer(d: WebDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: d.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // X-Forwarded-For is believed only from the configured proxies (issue 9 item 4): from
    // anyone else it would let a caller pick the address its failed logins count against.
    trustProxy: d.config.http.trustProxy.length > 0 ? [...d.config.http.trustProxy] : false,
    requestTimeout: 15_000,
    connectionTimeout: 30_000,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true },
      // A time the routes will Date.parse must name a moment that exists (issue 12 item 5):
      // ajv-formats lets 23:59:60Z through, which Date.parse turns into NaN.
      onCreate: (ajv) => {
        ajv.addFormat('date-time', { type: 'string', validate: (s: string) => parseIsoTime(s) !== null });
      },
    },
    // Fastify's messages, but an unknown field is named: "must NOT have additional
    // properties" alone leaves the caller guessing which one.
    schemaErrorFormatter: (errors, dataVar) =>
      new Error(
        errors
          .map((e) => {
            const extra = (e.params as { additionalProperty?: string }).additionalProperty;
            return `${dataVar}${e.instancePath} ${e.message ?? e.keyword}${extra ? ` (${extra})` : ''}`;
          })
          .join(', '),
      ),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  app.decorate('inputLog', new LogLimiter(d.log, logLimits(d.config)));
  const web = createWeb(d);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    // The route pattern, not the URL: a query string may carry a name.
    if (status >= 500) req.log.error({ err, route: req.routeOptions.url ?? null }, 'request failed');
    else if (err.validation) {
      const route = req.routeOptions.url ?? 'unknown';
      web.counters.badRequests.inc({ route, status: '400' });
      // The message names the field and the rule, never the value (it may be a password).
      inputWarn(req, `${route} 400`, { method: req.method, route, message: err.message }, 'bad request');
    }
    reply.status(status).send(
      status >= 500
        ? // A fixed message (issue 9 item 9): err.message may be SQLite's text or a path.
          // The request id finds the log line (its reqId) with the cause.
          {
            statusCode: status,
            error: 'Internal Server Error',
            message: `internal error (request ${req.id}): see the gateway log`,
            requestId: req.id,
          }
        : problem(status, err.message),
    );
  });

  const table: RouteInfo[] = [];
  TABLES.set(app as unknown as FastifyInstance, table);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      if (method !== 'HEAD')
        table.push({
          method,
          url: r.url,
          public: r.config?.public === true,
          responses: Object.keys(r.schema?.response ?? {}),
        });
  });
  const viewer = web.auth.require('viewer');
  app.addHook('onRequest', async (req, reply) => {
    reply.headers(SECURITY_HEADERS);
    if (req.routeOptions.config?.public === true) return;
    await viewer(req, reply);
  });

  for (const register of ROUTES) register(app, web);
  const purge = setInterval(() => web.accounts.sessions.purge(), 600_000);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));
  return app as unknown as FastifyInstance;
}
