import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { AuditEvent, AuditLog } from '../accounts/audit.js';
import type { AuditThrottle } from '../accounts/audit-throttle.js';
import type { LoginLimiter } from '../accounts/login-limiter.js';
import type { SessionStore } from '../accounts/sessions.js';
import type { UserStore } from '../accounts/users.js';
import type { Config } from '../config/schema.js';
import type { Secrets } from '../config/secrets.js';
import type { FaceOffers } from '../detectors/face-offers.js';
import type { DeviceRegistry } from '../devices.js';
import type { Doors } from '../doors/doors.js';
import type { CaseBook } from '../ledger/case-book.js';
import type { HandoverPackages } from '../ledger/handover-packages.js';
import type { LedgerWorkflow } from '../ledger/workflow.js';
import type { LiveBus } from '../live-bus.js';
import type { Metrics } from '../metrics.js';
import type { PassService } from '../passes/pass-service.js';
import type { Db } from '../store/db.js';
import type { Auth } from './auth.js';
import type { LiveStreams } from './live-streams.js';
import type { Presenters } from './present.js';
import type { HealthDetail } from './schemas-status.js';

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
  /** Faces learnt as residents' card holders, offered for enrolment (issue 10). */
  faces: FaceOffers;
  /** The full inspection, evidence uploads, enforcement feedback, tip rewards (issue 16). */
  workflow: LedgerWorkflow;
  /** The signed hand-over packages for 城管 (issue 14); absent in servers built without them (tests). */
  handover?: HandoverPackages;
  clock: Clock;
  health: () => HealthView;
  /** The doors (issue 13): their state, remote unlock, the fire all-open. */
  doors: Doors;
  log: Logger;
}

/** What /healthz answers (its schema is the one declaration, web/schemas-status.ts). */
export type HealthView = Static<typeof HealthDetail>;

/** The fastify instance with TypeBox typing, as every route module receives it. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Dashboard accounts: users, their sessions, login limits and the audit log (issue 5). */
export interface Accounts {
  users: UserStore;
  sessions: SessionStore;
  limiter: LoginLimiter;
  audit: AuditLog;
}

/** An audit event of the current request: actor, role and address come from the request. */
export type RequestAudit = Omit<AuditEvent, 'actor' | 'role' | 'ip'> & { actor?: string };

/** Counters of refused and rejected requests (bad input gets a counter and a log line). */
export interface WebCounters {
  refused: { inc(labels: { reason: string }): void };
  badRequests: { inc(labels: { route: string; status: string }): void };
  logins: { inc(labels: { outcome: string }): void };
  /** Repeats not written to the audit log (a lockout's later refusals, thumbnails fetched again). */
  auditSuppressed: { inc(labels: { action: string }): void };
}

/** What every route module gets: the dependencies, the presenters, the authenticator. */
export interface Web {
  d: WebDeps;
  present: Presenters;
  auth: Auth;
  accounts: Accounts;
  counters: WebCounters;
  /** Writes an audit row for this request's caller (design.md §9: every action audited). */
  audit: (req: FastifyRequest, e: RequestAudit) => void;
  /** The open live streams, ended with their session (issue 9 item 8). */
  streams: LiveStreams;
  /** Whether a repeat deserves an audit row: the first per key and window does (issue 9 item 3). */
  throttle: AuditThrottle;
  /** Whether this request's caller sees residents' names masked (the viewer role). */
  masked: (req: FastifyRequest) => boolean;
}

/** A route module: registers its routes. One line in web/server.ts per module. */
export type RouteModule = (app: App, w: Web) => void;
