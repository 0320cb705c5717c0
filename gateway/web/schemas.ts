import { Type as T } from '@sinclair/typebox';

/** JSON Schemas of the HTTP API: every route validates its input and serializes its output with these. */

const Nullable = <S extends ReturnType<typeof T.String>>(s: S) => T.Union([s, T.Null()]);
const NStr = Nullable(T.String());

export const Entry = T.Object({
  seq: T.Integer(),
  time: T.String({ format: 'date-time' }),
  readerId: T.String(),
  doorId: T.String(),
  doorName: NStr,
  direction: T.String(),
  type: T.String(),
  score: T.Union([T.Number(), T.Null()]),
  outcome: T.String(),
  answer: NStr,
  reasons: T.Array(T.String()),
  reasonLabels: T.Array(T.String()),
  residentId: NStr,
  residentName: NStr,
  householdId: NStr,
  thumb: NStr,
  offline: T.Boolean(),
  stale: T.Boolean(),
});

export const EventsQuery = T.Object(
  {
    since: T.Optional(T.String({ format: 'date-time', description: 'ISO time, inclusive' })),
    until: T.Optional(T.String({ format: 'date-time', description: 'ISO time, exclusive' })),
    reader: T.Optional(T.String({ maxLength: 64 })),
    door: T.Optional(T.String({ maxLength: 64 })),
    household: T.Optional(T.String({ maxLength: 64 })),
    outcome: T.Optional(T.Union([T.Literal('granted'), T.Literal('denied')])),
    before: T.Optional(T.Integer({ minimum: 1, description: 'Cursor: entries with seq below this' })),
    limit: T.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);

export const EventsReply = T.Object({ items: T.Array(Entry), next: T.Union([T.Integer(), T.Null()]) });

export const EvidenceEntry = T.Object({
  seq: T.Integer(),
  readerId: T.String(),
  recordId: T.String(),
  time: T.String(),
  type: T.String(),
  score: T.Union([T.Number(), T.Null()]),
  thumb: NStr,
  reasons: T.Array(T.String()),
});

export const Alert = T.Object({
  id: T.String(),
  kind: T.String(),
  label: T.String(),
  severity: T.String(),
  state: T.String(),
  householdId: NStr,
  residentId: NStr,
  doorId: NStr,
  readerId: NStr,
  firstTime: T.String(),
  lastTime: T.String(),
  count: T.Integer(),
  evidence: T.Array(EvidenceEntry),
});

export const AlertsQuery = T.Object(
  {
    state: T.Optional(T.String({ maxLength: 32 })),
    kind: T.Optional(T.String({ maxLength: 32 })),
    household: T.Optional(T.String({ maxLength: 64 })),
    before: T.Optional(T.String({ maxLength: 64, description: 'Cursor: alerts with id below this' })),
    limit: T.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const AlertsReply = T.Object({ items: T.Array(Alert), next: NStr });

export const IdParams = T.Object(
  { id: T.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' }) },
  { additionalProperties: false },
);

export const FingerprintSync = T.Object({
  trigger: T.String(),
  at: T.String(),
  ms: T.Number(),
  outcome: T.String(),
  expected: T.Number(),
  orphans: T.Number(),
  missing: T.Number(),
  enrolled: T.Number(),
  replaced: T.Number(),
  removed: T.Number(),
  failed: T.Number(),
  noTemplate: T.Number(),
  error: T.Optional(T.String()),
});

export const Reader = T.Object({
  id: T.String(),
  doorId: T.String(),
  doorName: NStr,
  driver: T.String(),
  direction: T.String(),
  online: T.Union([T.Boolean(), T.Null()]),
  since: NStr,
  lastSeen: NStr,
  firmware: NStr,
  clockOffsetMs: T.Union([T.Number(), T.Null()]),
  counters: T.Record(T.String(), T.Number()),
  /** Fingerprint readers only: the last roster sync of the module (counts, no personal data). */
  fingerprintSync: T.Optional(T.Union([FingerprintSync, T.Null()])),
});

export const ReadersReply = T.Object({ items: T.Array(Reader) });

export const Member = T.Object({
  id: T.String(),
  role: T.String(),
  name: T.String(),
  idMasked: NStr,
  phoneMasked: NStr,
  validFrom: NStr,
  validTo: NStr,
  status: T.String(),
  credentials: T.Array(T.Object({ kind: T.String(), masked: T.String() })),
});

export const HouseholdReply = T.Object({
  id: T.String(),
  buildingId: T.String(),
  buildingName: NStr,
  entranceId: NStr,
  room: T.String(),
  housingType: T.String(),
  housingTypeLabel: T.String(),
  leaseStart: NStr,
  leaseEnd: NStr,
  status: T.String(),
  members: T.Array(Member),
  recentEntries: T.Array(Entry),
  alerts: T.Array(Alert),
});

export const Health = T.Object({
  status: T.Union([T.Literal('ok'), T.Literal('degraded')]),
  version: T.String(),
  estateId: T.String(),
  gatewayId: T.String(),
  uptimeS: T.Integer(),
  broker: T.Object({
    mode: T.String(),
    connected: T.Boolean(),
    sessions: T.Optional(
      T.Object({
        connected: T.Integer(),
        total: T.Integer(),
        paused: T.Integer(),
        unacked: T.Integer(),
        dropped: T.Integer(),
      }),
    ),
  }),
  readers: T.Object({ online: T.Integer(), total: T.Integer() }),
  pipeline: T.Object({ backlog: T.Integer() }),
  upstream: T.Union([
    T.Object({
      transport: T.String(),
      ready: T.Boolean(),
      depth: T.Integer(),
      bytes: T.Integer(),
      delivered: T.Integer(),
      lastError: NStr,
    }),
    T.Null(),
  ]),
  roster: T.Object({ version: NStr, households: T.Integer(), residents: T.Integer() }),
  problems: T.Array(T.String()),
});

export const ErrorReply = T.Object({ statusCode: T.Integer(), error: T.String(), message: T.String() });
