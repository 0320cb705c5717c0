import { Type as T } from '@sinclair/typebox';
import { SyncResultSchema } from '../provisioning/sync-result.js';

/** JSON Schemas of health, readers, doors and the running configuration. */

const NStr = T.Union([T.String(), T.Null()]);

/** Where the roster stands against the district system: version, signer, last refusal (issue 14). */
export const RosterSyncStatus = T.Object({
  version: T.Union([T.Integer(), T.Null()]),
  signer: T.Union([T.Object({ keyId: T.String(), label: NStr }), T.Null()]),
  at: NStr,
  via: NStr,
  connected: T.Union([T.Boolean(), T.Null()]),
  lastRefusal: T.Union([T.Object({ reason: T.String(), at: T.String(), detail: NStr }), T.Null()]),
});

/** The health view in full (a token or a session): ids, version, parts, problems. */
export const HealthDetail = T.Object({
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
  /** Whether the journal commits and how much room it has (issue 12). */
  store: T.Object({
    state: T.Union([T.Literal('ok'), T.Literal('full'), T.Literal('failed')]),
    since: NStr,
    error: NStr,
    held: T.Integer({ description: 'reads held in memory, unacknowledged, until the journal commits' }),
    answered: T.Integer({ description: 'doors answered by their onStoreFailure policy since it failed' }),
    refused: T.Integer({ description: 'reads refused past store.maxHeldReads since it failed' }),
    freeBytes: T.Union([T.Integer(), T.Null()]),
    totalBytes: T.Union([T.Integer(), T.Null()]),
    usedPercent: T.Union([T.Number(), T.Null()]),
    warnPercent: T.Integer(),
  }),
  upstream: T.Union([
    T.Object({
      transport: T.String(),
      ready: T.Boolean(),
      depth: T.Integer(),
      bytes: T.Integer(),
      oldestAgeS: T.Union([T.Integer(), T.Null()], { description: 'age of the oldest event waiting' }),
      delivered: T.Integer(),
      lastError: NStr,
    }),
    T.Null(),
  ]),
  roster: T.Object({
    version: NStr,
    households: T.Integer(),
    residents: T.Integer(),
    /** The signed roster from the district system (issue 14), when rosterSync is on. */
    sync: T.Optional(RosterSyncStatus),
  }),
  /** The GA/T 1400 link to the police platform (issue 14), when viid is on. */
  viid: T.Optional(
    T.Object({
      state: T.String(),
      deviceId: T.String(),
      registeredAt: NStr,
      lastKeepalive: NStr,
      queue: T.Integer(),
      uploaded: T.Integer(),
      lastError: NStr,
    }),
  ),
  problems: T.Array(T.String()),
});

/**
 * /healthz: the status for anyone (systemd, load balancers, monitors); the rest of
 * HealthDetail only for a caller with a token or a session (issue 9 item 9).
 */
export const Health = T.Composite([
  T.Pick(HealthDetail, ['status']),
  T.Partial(T.Omit(HealthDetail, ['status'])),
]);

/** The last fingerprint library sync of a module, its time in ISO (the sync's own record, issue 3). */
export const FingerprintSync = T.Composite([
  T.Omit(SyncResultSchema, ['at']),
  T.Object({ at: T.String({ format: 'date-time' }) }),
]);

export const Reader = T.Object({
  id: T.String(),
  doorId: T.String(),
  doorName: NStr,
  driver: T.String(),
  direction: T.String(),
  online: T.Union([T.Boolean(), T.Null()], {
    description: 'null: unknown (not heard from since start, or its link is down)',
  }),
  linkDown: T.Optional(
    T.Literal(true, { description: 'the gateway’s broker session for this reader is down (issue 12)' }),
  ),
  since: NStr,
  lastSeen: NStr,
  firmware: NStr,
  clockOffsetMs: T.Union([T.Number(), T.Null()]),
  counters: T.Record(T.String(), T.Number()),
  /** Fingerprint readers only: the last roster sync of the module (counts, no personal data). */
  fingerprintSync: T.Optional(T.Union([FingerprintSync, T.Null()])),
});

export const ReadersReply = T.Object({ items: T.Array(Reader) });

/** A door as GET /api/doors lists it. */
export const Door = T.Object({
  id: T.String(),
  name: T.String(),
  building: NStr,
  entrance: NStr,
  policy: T.String(),
});

export const DoorsReply = T.Object({ items: T.Array(Door) });

/** The running configuration (admin): validated, frozen, without secrets. */
export const ConfigReply = T.Object({
  config: T.Unknown({ description: 'the configuration as loaded (config/schema.ts)' }),
  version: T.String(),
});
