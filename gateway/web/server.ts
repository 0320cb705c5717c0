import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { AlertRecord } from '../alerts/alert-manager.js';
import { ALERT_KINDS, type AlertKind } from '../alerts/kinds.js';
import type { Config } from '../config/schema.js';
import type { DeviceRegistry } from '../devices.js';
import type { EntryView, LiveBus } from '../live-bus.js';
import type { Metrics } from '../metrics.js';
import { REASONS, type ReasonCode } from '../pipeline/reasons.js';
import { HOUSING_TYPE_LABELS, type HousingType } from '../roster/model.js';
import type { Db } from '../store/db.js';
import { type AlertRow, getAlert, listAlerts, listEntries } from '../store/queries.js';
import * as S from './schemas.js';
import { serveLive } from './sse.js';

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

export interface WebDeps {
  config: Config;
  db: Db;
  live: LiveBus;
  devices: DeviceRegistry;
  metrics: Metrics;
  dataDir: string;
  health: () => HealthView;
  log: Logger;
}

type N = string | null;
interface HouseholdRow {
  id: string;
  buildingId: string;
  buildingName: N;
  entranceId: N;
  room: string;
  housingType: HousingType;
  leaseStart: N;
  leaseEnd: N;
  status: string;
}
interface MemberRow {
  id: string;
  role: string;
  name: string;
  idMasked: N;
  phoneMasked: N;
  validFrom: N;
  validTo: N;
  status: string;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const THUMB_RE = /^thumbs\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{20}\.(webp|jpg)$/;

function maskCredential(kind: string, key: string, idMasked: string | null): string {
  if (kind === 'idcard') return idMasked ?? '******';
  if (kind === 'card') return `****${key.slice(-4)}`;
  if (kind === 'qrcode') return '******';
  return key;
}

/**
 * The HTTP API (fastify, a JSON Schema on every route). Read-only until the dashboard's
 * login exists (issue 5): it binds to loopback by default.
 */
export function buildServer(d: WebDeps): FastifyInstance {
  return buildTyped(d) as unknown as FastifyInstance;
}

function buildTyped(d: WebDeps) {
  const app = Fastify({
    loggerInstance: d.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    requestTimeout: 15_000,
    connectionTimeout: 30_000,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const doorNames = new Map(d.config.doors.map((x) => [x.id, x.name]));
  // Names live in SQLite, not in the in-memory roster index (which holds only what the
  // door decision needs).
  const nameOf = d.db.prepare('SELECT name FROM residents WHERE id = ?').pluck();
  const residentName = (id: string | null) => (id ? ((nameOf.get(id) as string | undefined) ?? null) : null);
  const householdOf = d.db.prepare(
    `SELECT h.id, h.building_id AS buildingId, b.name AS buildingName, h.entrance_id AS entranceId, h.room,
            h.housing_type AS housingType, h.lease_start AS leaseStart, h.lease_end AS leaseEnd, h.status
       FROM households h LEFT JOIN buildings b ON b.id = h.building_id WHERE h.id = ?`,
  );
  const membersOf = d.db.prepare(
    `SELECT id, role, name, id_masked AS idMasked, phone_masked AS phoneMasked, valid_from AS validFrom,
            valid_to AS validTo, status FROM residents WHERE household_id = ? ORDER BY role DESC, id`,
  );
  const credsOf = d.db.prepare('SELECT kind, key FROM credentials WHERE resident_id = ? ORDER BY kind, key');
  const entry = (e: Omit<EntryView, 'ts'> & { ts: number }) => ({
    seq: e.seq,
    time: new Date(e.ts).toISOString(),
    readerId: e.readerId,
    doorId: e.doorId,
    doorName: doorNames.get(e.doorId) ?? null,
    direction: e.direction,
    type: e.type,
    score: 'score' in e ? ((e as { score: number | null }).score ?? null) : null,
    outcome: e.outcome,
    answer: e.answer,
    reasons: e.reasons,
    reasonLabels: e.reasons.map((r) => REASONS[r as ReasonCode] ?? r),
    residentId: e.residentId,
    residentName: residentName(e.residentId),
    householdId: e.householdId,
    thumb: e.thumb,
    offline: e.offline,
    stale: e.stale,
  });
  const alert = (a: AlertRow | AlertRecord) => {
    const ev =
      (Array.isArray((a.evidence as { entries?: unknown }).entries)
        ? (a.evidence as AlertRecord['evidence']).entries
        : []) ?? [];
    return {
      id: a.id,
      kind: a.kind,
      label: ALERT_KINDS[a.kind as AlertKind]?.label ?? a.kind,
      severity: a.severity,
      state: a.state,
      householdId: a.householdId,
      residentId: a.residentId,
      doorId: a.doorId,
      readerId: a.readerId,
      firstTime: new Date(a.firstTs).toISOString(),
      lastTime: new Date(a.lastTs).toISOString(),
      count: a.count,
      evidence: ev.map((x) => ({ ...x, time: new Date(x.ts).toISOString() })),
    };
  };

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    reply.status(status).send({
      statusCode: status,
      error: status >= 500 ? 'Internal Server Error' : 'Bad Request',
      message: err.message,
    });
  });

  app.get('/healthz', { schema: { response: { 200: S.Health, 503: S.Health } } }, async (_req, reply) => {
    const h = d.health();
    return reply.status(h.status === 'ok' ? 200 : 503).send(h);
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', d.metrics.registry.contentType);
    return d.metrics.registry.metrics();
  });

  app.get(
    '/api/events',
    { schema: { querystring: S.EventsQuery, response: { 200: S.EventsReply, 400: S.ErrorReply } } },
    async (req) => {
      const q = req.query;
      const rows = listEntries(
        d.db,
        {
          since: q.since ? Date.parse(q.since) : undefined,
          until: q.until ? Date.parse(q.until) : undefined,
          readerId: q.reader,
          doorId: q.door,
          householdId: q.household,
          outcome: q.outcome,
          before: q.before,
        },
        q.limit,
      );
      return { items: rows.map(entry), next: rows.length === q.limit ? (rows.at(-1)?.seq ?? null) : null };
    },
  );

  app.get(
    '/api/alerts',
    { schema: { querystring: S.AlertsQuery, response: { 200: S.AlertsReply } } },
    async (req) => {
      const q = req.query;
      const rows = listAlerts(
        d.db,
        { state: q.state, kind: q.kind, householdId: q.household, beforeId: q.before },
        q.limit,
      );
      return { items: rows.map(alert), next: rows.length === q.limit ? (rows.at(-1)?.id ?? null) : null };
    },
  );

  app.get(
    '/api/alerts/:id',
    { schema: { params: S.IdParams, response: { 200: S.Alert, 404: S.ErrorReply } } },
    async (req, reply) => {
      const a = getAlert(d.db, req.params.id);
      if (!a)
        return reply
          .status(404)
          .send({ statusCode: 404, error: 'Not Found', message: `no alert ${req.params.id}` });
      return alert(a);
    },
  );

  app.get('/api/readers', { schema: { response: { 200: S.ReadersReply } } }, async () => ({
    items: d.devices.list().map((r) => ({
      ...r,
      doorName: doorNames.get(r.doorId) ?? null,
      since: iso(r.since),
      lastSeen: iso(r.lastSeen),
    })),
  }));

  app.get(
    '/api/households/:id',
    { schema: { params: S.IdParams, response: { 200: S.HouseholdReply, 404: S.ErrorReply } } },
    async (req, reply) => {
      const h = householdOf.get(req.params.id) as HouseholdRow | undefined;
      if (!h)
        return reply
          .status(404)
          .send({ statusCode: 404, error: 'Not Found', message: `no household ${req.params.id}` });
      const members = membersOf.all(h.id) as MemberRow[];
      return {
        ...h,
        housingTypeLabel: HOUSING_TYPE_LABELS[h.housingType],
        members: members.map((m) => ({
          ...m,
          credentials: (credsOf.all(m.id) as Array<{ kind: string; key: string }>).map((c) => ({
            kind: c.kind,
            masked: maskCredential(c.kind, c.key, m.idMasked),
          })),
        })),
        recentEntries: listEntries(d.db, { householdId: h.id }, 20).map(entry),
        alerts: listAlerts(d.db, { householdId: h.id }, 20).map(alert),
      };
    },
  );

  app.get('/api/live', (req, reply) => {
    serveLive(req, reply, d.live, { entry, alert: (a, isNew) => ({ ...alert(a), isNew }) });
  });

  app.get('/api/thumbs/*', async (req, reply) => {
    const rel = `thumbs/${(req.params as { '*': string })['*']}`;
    if (!THUMB_RE.test(rel))
      return reply
        .status(400)
        .send({ statusCode: 400, error: 'Bad Request', message: 'not a thumbnail path' });
    const file = path.join(d.dataDir, rel);
    try {
      await stat(file);
    } catch {
      return reply
        .status(404)
        .send({ statusCode: 404, error: 'Not Found', message: 'thumbnail expired or not yet written' });
    }
    reply.header('content-type', rel.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
    reply.header('cache-control', 'private, max-age=3600');
    return reply.send(createReadStream(file));
  });

  return app;
}
