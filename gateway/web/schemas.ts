import { Type as T } from '@sinclair/typebox';

/**
 * JSON Schemas of the HTTP API, part one: the journal, alerts, the live stream and what every
 * route shares (errors, ids, bodies that are not JSON). Every route validates its input and
 * serializes its output with these; the dashboard reads their `Static<>` types (ui/src/api-types.ts),
 * so these modules import TypeBox and core/ only.
 */

const NStr = T.Union([T.String(), T.Null()]);

/** An access record as /api/events, /api/live and the household file send it. */
export const Entry = T.Object({
  seq: T.Integer(),
  time: T.String({ format: 'date-time' }),
  readerId: T.String(),
  doorId: T.String(),
  doorName: NStr,
  direction: T.String(),
  type: T.String({ description: 'credential kind (core/codes.ts)' }),
  score: T.Union([T.Number(), T.Null()]),
  outcome: T.String(),
  answer: NStr,
  reasons: T.Array(T.String({ description: 'reason code (core/codes.ts)' })),
  reasonLabels: T.Array(T.String({ description: 'the zh-CN label of each reason' })),
  residentId: NStr,
  residentName: NStr,
  householdId: NStr,
  thumb: NStr,
  offline: T.Boolean(),
  stale: T.Boolean(),
  /** The door schedule that applied (issue 13): `{schedule}:{mode}`, null outside every window. */
  schedule: T.Optional(NStr),
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

/** One entry an alert cites. */
export const EvidenceEntry = T.Object({
  seq: T.Integer(),
  readerId: T.String(),
  recordId: T.String(),
  time: T.String(),
  type: T.String(),
  score: T.Union([T.Number(), T.Null()]),
  thumb: NStr,
  reasons: T.Array(T.String({ description: 'reason code (core/codes.ts)' })),
});

export const Alert = T.Object({
  id: T.String(),
  kind: T.String({ description: 'alert kind (core/codes.ts)' }),
  label: T.String({ description: 'the zh-CN label of the kind' }),
  severity: T.String(),
  state: T.String({ description: "alert state, or the state of the alert's case" }),
  householdId: NStr,
  residentId: NStr,
  doorId: NStr,
  readerId: NStr,
  firstTime: T.String(),
  lastTime: T.String(),
  count: T.Integer(),
  evidence: T.Array(EvidenceEntry),
  /**
   * What an alert no read caused carries instead of entries (issue 13: a door forced or held
   * open, a device tampered, the fire all-open): the door, times, snapshot thumbnails.
   */
  details: T.Optional(T.Record(T.String(), T.Unknown())),
});

/** An alert as the live stream sends it: new, or an existing one counted again. */
export const LiveAlert = T.Composite([Alert, T.Object({ isNew: T.Boolean() })]);

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

/** The body of every 4xx and 5xx reply. */
export const ErrorReply = T.Object({ statusCode: T.Integer(), error: T.String(), message: T.String() });

/** A reply without a body (204, 304). */
export const NoContent = T.Unsafe<undefined>({ type: 'null', description: 'no body' });

/**
 * A body that is not JSON (a stream, a file, text), sent as it is: documented so that every
 * route has a response schema. Fastify serializes objects only; a string, buffer or stream
 * goes out untouched, so these constrain nothing at run time.
 */
const Raw = (contentMediaType: string, description: string) =>
  T.Unsafe<unknown>({ type: 'string', contentMediaType, description });

/** GET /api/reports/monthly?format=pdf (issue 14). */
export const PdfBytes = Raw('application/pdf', 'A4 PDF with its Chinese font embedded');
/** GET /api/cases/:id/handover.zip (issue 14). */
export const ZipBytes = Raw('application/zip', 'the signed hand-over package');
/** GET /api/live. */
export const EventStream = Raw(
  'text/event-stream',
  'Server-Sent Events: "entry" (Entry, id = journal seq), "alert" (LiveAlert), "door" (DoorState) and "fire" (FireState)',
);
/** GET /api/thumbs/*. */
export const Image = Raw('image/webp', 'a face thumbnail (WebP, or JPEG when the reader sent one)');
/** GET /metrics. */
export const MetricsText = Raw('text/plain', 'Prometheus text exposition format');
/** The dashboard's pages, scripts, styles and images. */
export const UiFile = Raw('text/html', 'a page, script, style sheet or image of the dashboard');
/** A CSV table with a byte-order mark (Excel on a Chinese Windows PC reads one without as GBK). */
export const CsvText = Raw('text/csv', 'UTF-8 CSV with a byte-order mark');
