import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { Auth } from './auth.js';
import { type App, problem, type RouteModule, type WebDeps } from './context.js';
import { presenters } from './present.js';
import { caseRoutes } from './routes/cases.js';
import { householdRoutes } from './routes/households.js';
import { journalRoutes } from './routes/journal.js';
import { liveRoutes } from './routes/live.js';
import { passRoutes } from './routes/passes.js';
import { patrolRoutes } from './routes/patrols.js';
import { readerRoutes } from './routes/readers.js';
import { statusRoutes } from './routes/status.js';

export type { HealthView, WebDeps } from './context.js';

/** Every route module; a new area of the API is one module and one line here. */
const ROUTES: RouteModule[] = [
  statusRoutes,
  journalRoutes,
  readerRoutes,
  householdRoutes,
  liveRoutes,
  passRoutes,
  caseRoutes,
  patrolRoutes,
];

/**
 * The HTTP API (fastify, a JSON Schema on every route). Binds to loopback by default;
 * write routes require a role (web/auth.ts).
 */
export function buildServer(d: WebDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: d.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    requestTimeout: 15_000,
    connectionTimeout: 30_000,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    else if (status === 400) {
      // Schema validation: counted and logged like every other bad input (issue 4).
      const route = req.routeOptions.url ?? 'unknown';
      d.metrics.badRequests.inc({ route, status: '400' });
      req.log.warn({ route, status, problem: err.message }, 'bad request');
    }
    reply
      .status(status)
      .send(
        status >= 500
          ? { statusCode: status, error: 'Internal Server Error', message: err.message }
          : problem(status, err.message),
      );
  });

  const web = { d, present: presenters(d), auth: new Auth(d.secrets) };
  for (const register of ROUTES) register(app, web);
  return app as unknown as FastifyInstance;
}
