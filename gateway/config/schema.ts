import { type Static, Type as T } from '@sinclair/typebox';
import {
  CalendarSchema,
  CamerasSchema,
  DoorControlSchema,
  DoorHardwareFields,
  ScheduleSchema,
} from './schema-doors.js';
import { ReportsSchema, RosterSyncSchema, ViidSchema } from './schema-exchange.js';
import { DetectorsSchema, LedgerSchema, PassesSchema } from './schema-findings.js';

/**
 * The one source of the configuration: TypeBox builds both the JSON Schema
 * (config/config.schema.json, written by `npm run schema`) and the TypeScript type.
 * Every field carries a description; defaults live here, not scattered in code.
 */

const Id = (description: string) =>
  T.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });

const Tls = T.Object(
  {
    ca: T.Optional(T.String({ description: 'PEM file with the CA that signed the broker certificate.' })),
    cert: T.Optional(T.String({ description: 'PEM client certificate (mutual TLS).' })),
    key: T.Optional(T.String({ description: 'PEM private key for the client certificate.' })),
    rejectUnauthorized: T.Boolean({
      default: true,
      description: 'Refuse brokers whose certificate does not verify.',
    }),
  },
  { additionalProperties: false, description: 'TLS options for mqtts:// URLs.' },
);

/** The embedded broker's TLS listener (mqtts), issue 9 item 6. */
const EmbeddedTls = T.Object(
  {
    host: T.Optional(
      T.String({
        description:
          'Address of the TLS listener; the plain listener’s host when omitted (0.0.0.0 for the LAN).',
      }),
    ),
    port: T.Integer({ minimum: 0, maximum: 65535, default: 8883, description: 'Port of the TLS listener.' }),
    cert: T.String({ minLength: 1, description: 'PEM certificate of the broker (with its chain).' }),
    key: T.String({ minLength: 1, description: 'PEM private key of the broker certificate.' }),
    ca: T.Optional(
      T.String({
        minLength: 1,
        description: 'PEM CA that signs the readers’ client certificates (with requireClientCert).',
      }),
    ),
    requireClientCert: T.Boolean({
      default: false,
      description: 'Readers must present a certificate signed by ca (mutual TLS), on top of their password.',
    }),
  },
  {
    additionalProperties: false,
    description:
      'mqtts listener of the embedded broker: readers send names, ID numbers and faces, so on the LAN they use this.',
  },
);

/**
 * Reconnect delays: full jitter from the first retry, doubling up to maxMs (issue 12).
 * Each link has its own default cap: a broker on the LAN is back within seconds and costs
 * nothing to retry; a district system over the WAN is asked less often.
 */
const Reconnect = (maxDefault: number, why: string) =>
  T.Object(
    {
      minMs: T.Integer({
        minimum: 50,
        default: 500,
        description: 'First reconnect delay bound: the first retry waits a random time up to this.',
      }),
      maxMs: T.Integer({
        minimum: 100,
        default: maxDefault,
        description: `Longest reconnect delay; delays double with full jitter up to this. ${why}`,
      }),
    },
    { additionalProperties: false, default: {} },
  );

export const MqttSchema = T.Object(
  {
    url: T.Union([T.String({ pattern: '^(mqtt|mqtts|tcp|tls)://' }), T.Null()], {
      default: null,
      description: 'External broker (mqtt://host:1883, mqtts://host:8883). null runs the embedded broker.',
    }),
    topicPrefix: T.String({
      default: 'acs/v1',
      minLength: 1,
      description: 'Reader protocol v1 topic prefix (design.md §5).',
    }),
    clientId: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 64,
        description: 'Client id of the gateway session; default estate-gateway-{gateway.id}.',
      }),
    ),
    username: T.Optional(
      T.String({
        description:
          'Username at the external broker; the password lives in the secrets file (mqtt.password).',
      }),
    ),
    protocolVersion: T.Union([T.Literal(4), T.Literal(5)], {
      default: 5,
      description: '5 (MQTT 5) or 4 (MQTT 3.1.1) for old brokers.',
    }),
    sessionExpirySeconds: T.Integer({
      minimum: 60,
      default: 604800,
      description:
        'How long the broker keeps the gateway session (and queues reads) while the gateway is down.',
    }),
    receiveMaximum: T.Integer({
      minimum: 1,
      maximum: 65535,
      default: 1024,
      description:
        'Unacknowledged reads the broker may push to each session at once. Each reader has its own session, so a replayed backlog waits at the broker in front of that reader only.',
    }),
    keepaliveSeconds: T.Integer({ minimum: 5, maximum: 3600, default: 30 }),
    tls: T.Optional(Tls),
    reconnect: Reconnect(
      5000,
      'The readers’ broker is on the box or the LAN: a short cap, and the first session back wakes the others, so every reader is answered within seconds of a broker restart.',
    ),
    embedded: T.Object(
      {
        host: T.String({
          default: '127.0.0.1',
          description: 'Address the embedded broker listens on; 0.0.0.0 for readers on the LAN.',
        }),
        port: T.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
        requireAuth: T.Boolean({
          default: true,
          description:
            'Readers log in with their reader id and the password from the secrets file (readers.{id}).',
        }),
        plain: T.Boolean({
          default: true,
          description:
            'Listen for plain MQTT on host:port. With tls set, keep it on 127.0.0.1 (or turn it off) so that nothing crosses the LAN in clear.',
        }),
        tls: T.Optional(EmbeddedTls),
        maxPacketBytes: T.Integer({
          minimum: 1024,
          maximum: 268435455,
          default: 1048576,
          description:
            'A client announcing a larger packet is disconnected before it is read (a credential event is at most 512 KiB).',
        }),
        maxPreAuthBytes: T.Integer({
          minimum: 256,
          default: 65536,
          description:
            'Most bytes a client may send before its login is accepted, its CONNECT included; beyond, it is disconnected.',
        }),
        connectTimeoutMs: T.Integer({
          minimum: 100,
          default: 5000,
          description: 'A connection whose CONNECT has not arrived and been accepted within this is closed.',
        }),
        maxConnections: T.Integer({
          minimum: 1,
          default: 1000,
          description: 'Open connections, all clients together; more are refused at once.',
        }),
        maxConnectionsPerSource: T.Integer({
          minimum: 1,
          default: 16,
          description:
            'Open connections from one source address on the LAN; more are refused at once. Loopback (processes on this box) counts only towards maxConnections.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const DoorSchema = T.Object(
  {
    id: Id('Door id, used by readers and in records.'),
    name: T.String({ minLength: 1, description: 'Name shown to the operator, e.g. 3号楼2单元.' }),
    building: T.Optional(
      Id('Building the door belongs to; residents of other buildings are wrong_building.'),
    ),
    entrance: T.Optional(Id('Entrance (单元/门洞) the door belongs to; narrower than building.')),
    policy: T.Union([T.Literal('enforce'), T.Literal('monitor')], {
      default: 'enforce',
      description:
        'enforce: deny unknown and inactive credentials. monitor: open for everyone, record and alert.',
    }),
    unlockMs: T.Integer({
      minimum: 500,
      maximum: 30000,
      default: 3000,
      description: 'How long an unlock holds the door open.',
    }),
    welcome: T.String({
      default: '欢迎回家',
      description: 'Message shown on the terminal when the door opens.',
    }),
    denyMessage: T.String({
      default: '未登记，请联系物业',
      description: 'Message shown when the door stays shut.',
    }),
    lock: T.Optional(
      Id(
        'Reader id of the lock this door opens with (a modbus-relay reader at this door): an unlock pulses it for unlockMs, so a door whose readers have no relay of their own opens too.',
      ),
    ),
    onStoreFailure: T.Optional(
      T.Union([T.Literal('memory'), T.Literal('closed'), T.Literal('open')], {
        default: 'memory',
        description:
          'How the door is answered while the journal cannot commit (disk full, I/O error; issue 12). memory (default): as usual, from the roster in memory — residents in, strangers out — and the read is held until it can be journaled. closed: every entry is denied (a door where no entry may go unrecorded). open: every entry unlocks (a door where being shut out is worse than an unrecorded entry). Exits always open. Each read is answered once, never after checks.staleAfterMs.',
      }),
    ),
    factors: T.Optional(
      T.Union([T.Literal('one'), T.Literal('idcard+biometric')], {
        default: 'one',
        description:
          'one: any valid credential opens. idcard+biometric (人证合一): an ID card and a face or fingerprint of the same resident within checks.personCardWindowSeconds; a lone factor is recorded and denied with a request for the other.',
      }),
    ),
    ...DoorHardwareFields,
  },
  { additionalProperties: false },
);

export const ReaderSchema = T.Object(
  {
    id: Id('Reader id: the {reader} in acs/v1/readers/{reader}/… and the MQTT username.'),
    door: Id('Door this reader answers for.'),
    driver: T.String({ default: 'mqtt-v1', description: 'Driver name (drivers/registry.ts).' }),
    direction: T.Union([T.Literal('in'), T.Literal('out')], {
      default: 'in',
      description: 'in: entering the building; out: leaving (always opens).',
    }),
    options: T.Optional(
      T.Record(T.String(), T.Unknown(), {
        description: 'Driver-specific options (serial path, baud rate…).',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The operator's dashboard: sessions and login limits (issue 5). */
export const DashboardSchema = T.Object(
  {
    sessionIdleMinutes: T.Integer({
      minimum: 1,
      maximum: 1440,
      default: 30,
      description: 'A session unused this long ends; the operator logs in again.',
    }),
    sessionMaxHours: T.Integer({
      minimum: 1,
      maximum: 168,
      default: 12,
      description: 'A session ends this long after login however busy (one shift).',
    }),
    liveHeartbeatSeconds: T.Integer({
      minimum: 1,
      maximum: 60,
      default: 15,
      description:
        'A live stream sends a heartbeat this often and checks that its session is still valid; an ended session ends the stream.',
    }),
    secureCookies: T.Boolean({
      default: false,
      description:
        'Mark the session cookie Secure: set true when the dashboard is served over HTTPS (behind a TLS proxy).',
    }),
    login: T.Object(
      {
        maxFailuresPerUser: T.Integer({
          minimum: 1,
          default: 5,
          description: 'Wrong passwords for one user name before it is locked out.',
        }),
        maxFailuresPerIp: T.Integer({
          minimum: 1,
          default: 20,
          description:
            'Wrong passwords from one address (several staff may share one) before it is locked out.',
        }),
        lockoutSeconds: T.Integer({
          minimum: 1,
          default: 30,
          description: 'First lockout; it doubles with every further failure.',
        }),
        maxLockoutSeconds: T.Integer({ minimum: 1, default: 900, description: 'Longest lockout.' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const ConfigSchema = T.Object(
  {
    estate: T.Object(
      {
        id: Id('Estate id, part of every upstream CloudEvent source.'),
        name: T.String({ minLength: 1, description: 'Estate name shown in the dashboard and reports.' }),
      },
      { additionalProperties: false },
    ),
    gateway: T.Object({ id: Id('This gateway box within the estate.') }, { additionalProperties: false }),
    dataDir: T.String({
      default: './var',
      description: 'SQLite database, thumbnails; relative paths are relative to the config file.',
    }),
    secretsFile: T.String({
      default: './var/secrets.yaml',
      description:
        'YAML with the ID-number hash key and passwords; created (mode 0600) with random values when missing.',
    }),
    log: T.Object(
      {
        level: T.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l)),
          { default: 'info' },
        ),
        pretty: T.Boolean({
          default: false,
          description: 'Human-readable logs (demo); JSON for journald otherwise.',
        }),
        rateLimit: T.Object(
          {
            burst: T.Integer({
              minimum: 1,
              default: 5,
              description:
                'Lines of one kind (a reader and a reason: a refused read, a broker refusal) written per window; the rest are counted and summed up at its end.',
            }),
            maxLines: T.Integer({
              minimum: 1,
              default: 100,
              description: 'Rate-limited lines of all kinds together written per window.',
            }),
            windowSeconds: T.Integer({
              minimum: 1,
              default: 60,
              description:
                'Length of a window: at its end one line says how many lines of each kind were held back. Metrics keep the exact counts.',
            }),
          },
          {
            additionalProperties: false,
            default: {},
            description:
              'Repeated lines that outside input can cause without end (issue 12): an SD card must not wear out or fill up with them.',
          },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    http: T.Object(
      {
        host: T.String({
          default: '127.0.0.1',
          description:
            'Address of the dashboard and HTTP API; 0.0.0.0 serves the estate LAN (every page needs a login).',
        }),
        port: T.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        trustProxy: T.Array(T.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Fa-f.:/]+$' }), {
          default: [],
          maxItems: 16,
          description:
            'Addresses (or CIDR ranges) of the TLS proxies in front of the dashboard, e.g. [127.0.0.1]: only from these is X-Forwarded-For believed, so login limits and the audit see the real client. Empty: the peer address is the client.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    mqtt: MqttSchema,
    terminals: T.Object(
      {
        http: T.Object(
          {
            host: T.String({
              default: '127.0.0.1',
              description:
                'Address of the listener that terminals push to (Hikvision HTTP host, Dahua /notification, ZKTeco iclock); 0.0.0.0 for the estate LAN. Serves only the routes of the configured vendor drivers, never the dashboard.',
            }),
            port: T.Integer({ minimum: 0, maximum: 65535, default: 8090 }),
            maxConnections: T.Integer({
              minimum: 1,
              default: 256,
              description: 'Open connections, all terminals together.',
            }),
            headersTimeoutMs: T.Integer({
              minimum: 100,
              default: 5000,
              description: 'A request head must arrive within this.',
            }),
            requestTimeoutMs: T.Integer({
              minimum: 100,
              default: 30000,
              description: 'A whole request must arrive within this.',
            }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Terminals that push to the gateway over HTTP (issue 11).',
      },
    ),
    dashboard: DashboardSchema,
    doors: T.Array(DoorSchema, { default: [], description: 'Every door the gateway answers for.' }),
    readers: T.Array(ReaderSchema, { default: [], description: 'Every reader, each bound to one door.' }),
    schedules: T.Array(ScheduleSchema, {
      default: [],
      description:
        'Door schedules (issue 13): passage windows (常开) and closed hours, by day of the calendar.',
    }),
    calendar: CalendarSchema,
    doorControl: DoorControlSchema,
    cameras: CamerasSchema,
    checks: T.Object(
      {
        faceMinScore: T.Number({
          minimum: 0,
          maximum: 1,
          default: 0.8,
          description: 'Face matches below this score are denied (low_score).',
        }),
        requireLiveness: T.Boolean({
          default: true,
          description: 'Deny a face read whose liveness is false.',
        }),
        staleAfterMs: T.Integer({
          minimum: 500,
          default: 5000,
          description:
            'A live read older than this (against the reader’s observed clock) is recorded but not answered.',
        }),
        maxFutureMs: T.Integer({
          minimum: 1000,
          default: 86400000,
          description:
            'A read stamped further than this ahead of the gateway clock is rejected as bad input.',
        }),
        idcardExpiry: T.Boolean({
          default: true,
          description: 'Deny ID cards past their validUntil date (idcard_expired).',
        }),
        personCardWindowSeconds: T.Integer({
          minimum: 1,
          maximum: 300,
          default: 10,
          description:
            'An ID card and a face or fingerprint at the same door within this many seconds (event time) are one presentation (人证比对): different people raise person_card_mismatch.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    alerts: T.Object(
      {
        coalesceSeconds: T.Integer({
          minimum: 0,
          default: 300,
          description:
            'Repeats of the same per-entry alert (kind, door, person) within this window update one alert.',
        }),
        deviceOfflineGraceSeconds: T.Integer({
          minimum: 5,
          default: 120,
          description: 'A reader offline this long raises device_offline.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    upstream: T.Object(
      {
        enabled: T.Boolean({
          default: false,
          description: 'Send alerts (and access records, see access) upstream.',
        }),
        url: T.Union([T.String({ pattern: '^(mqtt|mqtts|tcp|tls|http|https)://' }), T.Null()], {
          default: null,
          description:
            'The district/city system: mqtt(s)://host:port for its MQTT 5 broker, or https://… for CloudEvents batches over HTTPS (signed with secrets upstream.hmacKey).',
        }),
        protocolVersion: T.Union([T.Literal(4), T.Literal(5)], {
          default: 5,
          description: 'MQTT version at the upstream broker.',
        }),
        topicPrefix: T.String({
          default: 'estate/v1',
          description: 'Events go to {topicPrefix}/{estateId}/alerts|access.',
        }),
        clientId: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
        username: T.Optional(
          T.String({ description: 'The password lives in the secrets file (upstream.password).' }),
        ),
        tls: T.Optional(Tls),
        access: T.Union([T.Literal('none'), T.Literal('denied'), T.Literal('all')], {
          default: 'none',
          description: 'Which access records go upstream besides alerts.',
        }),
        maxOutboxMB: T.Number({
          minimum: 1,
          default: 512,
          description: 'Disk quota of the outbox during an outage; access records are dropped before alerts.',
        }),
        inflight: T.Integer({
          minimum: 1,
          maximum: 1000,
          default: 64,
          description: 'Events published and not yet acknowledged.',
        }),
        healthIntervalSeconds: T.Integer({
          minimum: 5,
          default: 60,
          description: 'How often the retained health message is refreshed.',
        }),
        reconnect: Reconnect(
          10000,
          'Also paces retries of a failed delivery. The district system is one connection per box: a 10 s cap brings it back within seconds of its return without hammering it.',
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    store: T.Object(
      {
        batchMaxRows: T.Integer({
          minimum: 1,
          maximum: 10000,
          default: 256,
          description:
            'Most replayed (offline/stale) reads committed in one transaction beside the live ones.',
        }),
        replaySliceMs: T.Number({
          minimum: 0.5,
          maximum: 100,
          default: 2,
          description:
            'While doors are answering live reads, a replayed backlog is committed in slices of about this many milliseconds (a live read waits for at most one slice). Smaller: quicker doors, slower replay.',
        }),
        maxHeldReads: T.Integer({
          minimum: 100,
          maximum: 1000000,
          default: 10000,
          description:
            'Reads held in memory (about 2 KB each, images dropped) while the journal cannot commit; they are journaled and acknowledged when it can again. Past this, further reads are answered by the door’s onStoreFailure policy but left unacknowledged for the broker to deliver again.',
        }),
        diskWarnPercent: T.Integer({
          minimum: 50,
          maximum: 99,
          default: 90,
          description:
            'Warn (health, alert disk_space_low) when the disk holding dataDir is this full, before a full disk stops the journal (Hikvision terminals alarm at 90 % of their buffer).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    thumbnails: T.Object(
      {
        maxPx: T.Integer({
          minimum: 32,
          maximum: 320,
          default: 320,
          description: 'Longest side of a stored face thumbnail.',
        }),
        format: T.Union([T.Literal('webp'), T.Literal('jpeg')], { default: 'webp' }),
        quality: T.Integer({ minimum: 10, maximum: 100, default: 70 }),
        queue: T.Integer({
          minimum: 1,
          default: 500,
          description: 'Images waiting for a thumbnail; past this, new ones are dropped and counted.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    retention: T.Object(
      {
        journalDays: T.Integer({
          minimum: 1,
          default: 400,
          description: 'Access records older than this are deleted (the monthly report needs a year).',
        }),
        thumbnailDays: T.Integer({
          minimum: 1,
          default: 30,
          description:
            'Face thumbnails older than this are deleted (those of cases still open stay until they close).',
        }),
        alertDays: T.Integer({
          minimum: 1,
          default: 400,
          description:
            'Alerts (and their links to entries) untouched this long are deleted, unless their case is still open: as long as the entries they cite.',
        }),
        auditDays: T.Integer({
          minimum: 30,
          default: 1095,
          description:
            'Audit rows (who saw or changed what, from which address) older than this are deleted: 3 years, the record PIPL Art. 56 asks to keep.',
        }),
        closedCaseDays: T.Integer({
          minimum: 1,
          default: 1095,
          description:
            'Closed cases (and their timelines) are deleted this long after closing; open cases are never deleted.',
        }),
        tipDays: T.Integer({
          minimum: 1,
          default: 1095,
          description:
            'Tips (which may name the tipster) older than this are deleted, unless their case is still open.',
        }),
        patrolDays: T.Integer({
          minimum: 1,
          default: 1095,
          description: 'Patrol records older than this are deleted, unless their case is still open.',
        }),
        passDaysAfterExpiry: T.Integer({
          minimum: 1,
          default: 90,
          description:
            'Passes (visitor names, masked phones) are deleted this long after they expired or were revoked.',
        }),
        movedOutResidentDays: T.Integer({
          minimum: 1,
          default: 180,
          description:
            'Residents who moved out are deleted this long after moving out, with their credentials and fingerprint templates — unless a case about their household is open.',
        }),
        tipContactDays: T.Integer({
          minimum: 1,
          default: 180,
          description:
            "A tipster's name and phone are removed this many days after the tip's case closed and its reward, if any, was decided; for a tip that opened no case, this many days after it was received (issue 16).",
        }),
        evidenceDays: T.Integer({
          minimum: 1,
          default: 180,
          description:
            'Uploaded photos and documents: kept while their case is open, removed this many days after it closed; those of no case this many days after upload (issue 16).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    detectors: DetectorsSchema,
    passes: PassesSchema,
    ledger: LedgerSchema,
    rosterSync: RosterSyncSchema,
    viid: ViidSchema,
    reports: ReportsSchema,
    sim: T.Object(
      {
        seed: T.Integer({ default: 1, description: 'Seed of the simulated residents and their days.' }),
        households: T.Integer({ minimum: 1, maximum: 100000, default: 300 }),
        speed: T.Number({ minimum: 0.01, default: 60, description: 'Simulated seconds per real second.' }),
        maxReadsPerSecond: T.Number({
          minimum: 0.1,
          default: 20,
          description: 'Bound on the simulated reads per real second.',
        }),
        upstreamPort: T.Integer({
          minimum: 0,
          maximum: 65535,
          default: 18830,
          description:
            'Port of the simulated district system (HTTP): point upstream.url at http://127.0.0.1:{port}/v1/events.',
        }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'The simulated estate of `estate-gateway demo` (npm start) and `estate-gateway sim`.',
      },
    ),
  },
  {
    additionalProperties: false,
    $id: 'https://estate-gateway.local/config.schema.json',
    title: 'estate-gateway configuration',
  },
);

export type Config = Static<typeof ConfigSchema>;
export type DoorConfig = Static<typeof DoorSchema>;
export type ReaderConfig = Static<typeof ReaderSchema>;
export type MqttConfig = Static<typeof MqttSchema>;
export type DashboardConfig = Static<typeof DashboardSchema>;
