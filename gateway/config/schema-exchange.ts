import { Type as T } from '@sinclair/typebox';

/**
 * Configuration of what comes down from and goes up to the outside systems (issue 14): the
 * signed roster from the district system, the GA/T 1400 link to the police platform, the
 * monthly report and the hand-over package. Kept beside schema.ts, which includes these
 * sections; the same TypeBox source builds the JSON Schema and the type.
 */

const Backoff = (minMs: number, maxMs: number, description: string) =>
  T.Object(
    {
      minMs: T.Integer({ minimum: 50, default: minMs, description: 'First retry delay.' }),
      maxMs: T.Integer({
        minimum: 100,
        default: maxMs,
        description: 'Longest retry delay; delays double with full jitter up to this.',
      }),
    },
    { additionalProperties: false, default: {}, description },
  );

const TlsFiles = T.Object(
  {
    ca: T.Optional(T.String({ description: 'PEM file with the CA that signed the server certificate.' })),
    cert: T.Optional(T.String({ description: 'PEM client certificate (mutual TLS).' })),
    key: T.Optional(T.String({ description: 'PEM private key for the client certificate.' })),
    rejectUnauthorized: T.Boolean({
      default: true,
      description: 'Refuse servers whose certificate does not verify.',
    }),
  },
  { additionalProperties: false, description: 'TLS options for mqtts:// URLs.' },
);

/** One trusted upstream signing key. */
export const RosterKeySchema = T.Object(
  {
    key: T.String({
      minLength: 1,
      description:
        'The district system’s Ed25519 public key: 32 bytes in base64 (`estate-gateway roster keygen` prints it).',
    }),
    label: T.String({
      minLength: 1,
      maxLength: 64,
      description: 'A name for the key shown with the roster version, e.g. 徐汇区名单 2026.',
    }),
  },
  { additionalProperties: false },
);

/** The signed roster from the district system (design.md §7). */
export const RosterSyncSchema = T.Object(
  {
    enabled: T.Boolean({
      default: false,
      description: 'Take the roster from the district system (signed snapshots and deltas).',
    }),
    mqttUrl: T.Union([T.String({ pattern: '^(mqtt|mqtts|tcp|tls)://' }), T.Null()], {
      default: null,
      description:
        'The district broker (MQTT 5): the retained snapshot pointer and the deltas on {topicPrefix}/{estateId}/roster/…; null: HTTPS pull only.',
    }),
    pullUrl: T.Union([T.String({ pattern: '^https?://' }), T.Null()], {
      default: null,
      description:
        'HTTPS endpoint answering GET ?estate=…&since=N with the signed messages after version N (catch-up after a gap, or polling without MQTT).',
    }),
    topicPrefix: T.String({ default: 'estate/v1', minLength: 1, description: 'MQTT topic prefix.' }),
    clientId: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
    username: T.Optional(
      T.String({
        description: 'Username at the district broker; the password is secrets rosterSync.password.',
      }),
    ),
    tls: T.Optional(TlsFiles),
    publicKeys: T.Array(RosterKeySchema, {
      default: [],
      maxItems: 2,
      description:
        'The keys a roster message must be signed with: one, or two while the district system changes keys.',
    }),
    pullIntervalSeconds: T.Integer({
      minimum: 10,
      default: 300,
      description: 'How often the pull URL is asked for news (besides after a gap or a newer pointer).',
    }),
    maxMessageMB: T.Number({
      minimum: 0.1,
      maximum: 256,
      default: 32,
      description: 'Largest roster message taken (MQTT or HTTPS); anything larger is refused unread.',
    }),
    reconnect: Backoff(1000, 60000, 'Reconnects to the broker and retries of a failed pull.'),
  },
  { additionalProperties: false, default: {}, description: 'The signed roster from upstream (issue 14).' },
);

/** What a read must be to go to the police platform. */
export const VIID_FACE_SELECTIONS = ['stranger', 'alert', 'denied', 'all'] as const;

/** The GA/T 1400 (公安视图库) link to the police platform. */
export const ViidSchema = T.Object(
  {
    enabled: T.Boolean({
      default: false,
      description: 'Register with the police VIID platform and upload faces.',
    }),
    url: T.Union([T.String({ pattern: '^https?://' }), T.Null()], {
      default: null,
      description: 'The platform, e.g. http://10.1.2.3:8080 (the /VIID/… paths are appended).',
    }),
    deviceId: T.Union([T.String({ pattern: '^[0-9]{20}$' }), T.Null()], {
      default: null,
      description:
        'This gateway’s 20-digit device id from the platform: 8 region + 2 industry + 2+2 type + 6 sequence (also the User-Identify header).',
    }),
    username: T.Optional(
      T.String({
        minLength: 1,
        description: 'Digest user name; default the device id. The password is secrets viid.password.',
      }),
    ),
    faces: T.Array(T.Union(VIID_FACE_SELECTIONS.map((s) => T.Literal(s))), {
      default: ['stranger', 'alert'],
      description:
        'Which face reads are uploaded: stranger (unregistered faces), alert (reads that raised an alert), denied, all. The law asks for the minimum.',
    }),
    resources: T.Array(T.String({ pattern: '^/VIID/Community/[A-Za-z]+$' }), {
      default: [],
      description:
        'Community extension resources the district uses, e.g. /VIID/Community/AccessRecords: each face upload is also posted there as an access record.',
    }),
    readerDeviceIds: T.Record(T.String(), T.String({ pattern: '^[0-9]{20}$' }), {
      default: {},
      description:
        'The platform’s 20-digit id of a reader (by reader id); faces of other readers carry the gateway’s id.',
    }),
    keepaliveSeconds: T.Integer({
      minimum: 10,
      maximum: 3600,
      default: 90,
      description: 'Keepalive period.',
    }),
    timeoutMs: T.Integer({ minimum: 1000, default: 15000, description: 'Longest wait for one request.' }),
    batch: T.Integer({ minimum: 1, maximum: 100, default: 16, description: 'Faces per POST /VIID/Faces.' }),
    maxQueue: T.Integer({
      minimum: 10,
      default: 20000,
      description: 'Faces waiting while the platform is down; past this the oldest are dropped and counted.',
    }),
    retry: Backoff(1000, 300000, 'Retries of a failed registration or upload (the standard: within 300 s).'),
  },
  { additionalProperties: false, default: {}, description: 'GA/T 1400 to the police platform (issue 14).' },
);

/** The monthly report and the hand-over package as they leave the box. */
export const ReportsSchema = T.Object(
  {
    monthlyUpstream: T.Boolean({
      default: true,
      description:
        'Send the monthly report (estate.report.monthly, JSON and CSV) upstream after each month ends (when upstream is on).',
    }),
    pdfFont: T.Union([T.String({ minLength: 1 }), T.Null()], {
      default: null,
      description:
        'A CJK font file (TTF/OTF/TTC) for characters outside the bundled Noto Sans SC subset (GB 2312), e.g. /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc.',
    }),
    handoverUpstream: T.Boolean({
      default: false,
      description:
        'Announce each signed hand-over package upstream (estate.handover.package with the package id and digest).',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Monthly report and hand-over package (issue 14).',
  },
);
