import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import type { DeviceRegistry } from '../devices.js';
import type { CaseBook } from '../ledger/case-book.js';
import type { LiveBus } from '../live-bus.js';
import type { Metrics } from '../metrics.js';
import type { PassService } from '../passes/pass-service.js';
import type { Db } from '../store/db.js';

/** What the HTTP layer may use. Routes read the store and the live bus (design.md §3). */
export interface WebDeps {
  config: Config;
  db: Db;
  live: LiveBus;
  devices: DeviceRegistry;
  metrics: Metrics;
  dataDir: string;
  secrets: Secrets;
  /** Visitor passes and the ledger (issue 4). */
  passes: PassService;
  cases: CaseBook;
  clock: Clock;
  health: () => HealthView;
  log: Logger;
}

export interface HealthView {
  status: 'ok' | 'degraded';
  version: string;
  estateId: string;
  gatewayId: string;
  uptimeS: number;
  broker: { mode: string; connected: boolean };
  readers: { online: number; total: number };
  pipeline: { backlog: number };
  upstream: {
    transport: string;
    ready: boolean;
    depth: number;
    bytes: number;
    delivered: number;
    lastError: string | null;
  } | null;
  roster: { version: string | null; households: number; residents: number };
  problems: string[];
}

/** The fastify instance with TypeBox typing, as every route module receives it. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What every route module gets: the dependencies, the presenters, the authenticator. */
export interface Web {
  d: WebDeps;
  present: import('./present.js').Presenters;
  auth: import('./auth.js').Auth;
}

/** A route module: registers its routes. One line in web/server.ts per module. */
export type RouteModule = (app: App, w: Web) => void;

/** A 4xx reply body in the shape of every error this API returns. */
export function problem(statusCode: number, message: string) {
  const error =
    statusCode === 404
      ? 'Not Found'
      : statusCode === 401
        ? 'Unauthorized'
        : statusCode === 403
          ? 'Forbidden'
          : 'Bad Request';
  return { statusCode, error, message };
}
