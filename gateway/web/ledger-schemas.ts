import { Type as T } from '@sinclair/typebox';
import { CASE_KINDS, CASE_STATES, codesOf, PASS_KINDS } from '../../core/codes.js';
import { PATROL_PHOTO_PATTERN } from '../ledger/evidence-ref-format.js';
import { MonthlyReportSchema } from '../ledger/report-schema.js';
import {
  Enforcement,
  EvidenceLink,
  PatrolTargetBody,
  PatrolTargetView,
  PhotoIds,
  Tipster,
} from './schemas-workflow.js';

/** JSON Schemas of the pass, ledger, patrol, tip and report routes (issue 4). */

/** One of the codes (core/codes.ts), as the input must name it. */
const Lit = <C extends string>(xs: readonly C[], o: { description?: string } = {}) =>
  T.Union(
    xs.map((x) => T.Literal(x)),
    o,
  );
const NStr = T.Union([T.String(), T.Null()]);
const HouseholdId = T.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const Note = T.String({ minLength: 1, maxLength: 2000, description: 'What was done or found (free text)' });

export const PassBody = T.Object(
  {
    kind: Lit(PASS_KINDS),
    householdId: T.Optional(HouseholdId),
    name: T.String({ minLength: 1, maxLength: 64 }),
    phone: T.Optional(T.String({ minLength: 7, maxLength: 20 })),
    idNumber: T.Optional(
      T.String({ minLength: 15, maxLength: 20, description: 'Hashed at once; never stored' }),
    ),
    cardUid: T.Optional(T.String({ minLength: 4, maxLength: 40 })),
    facePersonId: T.Optional(T.String({ minLength: 1, maxLength: 64 })),
    embedding: T.Optional(
      T.String({ maxLength: 4096, description: 'base64 float32 LE, 128–512 values, unit length' }),
    ),
    qr: T.Optional(T.Boolean({ description: 'Issue a QR code token' })),
    validFrom: T.String({ format: 'date-time' }),
    validTo: T.String({ format: 'date-time' }),
    note: T.Optional(T.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const Pass = T.Object({
  id: T.String(),
  kind: T.String(),
  householdId: NStr,
  name: T.String(),
  phoneMasked: NStr,
  idMasked: NStr,
  cardUid: NStr,
  hasFace: T.Boolean(),
  token: NStr,
  validFrom: T.String(),
  validTo: T.String(),
  revokedAt: NStr,
  createdBy: T.String(),
  note: NStr,
});

export const PassesReply = T.Object({ items: T.Array(Pass) });

export const PassesQuery = T.Object(
  {
    household: T.Optional(HouseholdId),
    valid: T.Optional(T.Union([T.Literal('now'), T.Literal('all')], { default: 'now' })),
    limit: T.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

export const Case = T.Object({
  id: T.String(),
  kind: T.String(),
  label: T.String(),
  source: T.String(),
  state: T.String(),
  stateLabel: T.String(),
  householdId: NStr,
  buildingId: NStr,
  alertId: NStr,
  patternTime: NStr,
  detectedTime: T.String(),
  lastTime: T.String(),
  deadline: NStr,
  summary: T.String(),
  evidence: T.Record(T.String(), T.Unknown()),
  buildingName: T.Optional(NStr),
  room: T.Optional(NStr),
});

export const CasesReply = T.Object({ items: T.Array(Case), next: NStr });

export const TimelineEvent = T.Object({
  state: T.String(),
  stateLabel: T.String(),
  prev: NStr,
  actor: T.String(),
  at: T.String(),
  note: NStr,
  deadline: NStr,
});

export const CaseDetail = T.Composite([
  Case,
  T.Object({
    timeline: T.Array(TimelineEvent),
    allowed: T.Array(T.String()),
    /** Where it was handed and what the enforcement office reported back (issue 16). */
    enforcement: T.Union([Enforcement, T.Null()]),
    /** Uploaded photos and documents that are evidence of the case (issue 16). */
    files: T.Array(EvidenceLink),
  }),
]);

/** The desk's counts: cases per state, deadlines passed or near, the buildings to filter by. */
export const CaseStats = T.Object({
  byState: T.Record(T.String(), T.Integer()),
  pastDeadline: T.Integer({
    description: 'rectification_ordered whose deadline passed (not yet marked overdue)',
  }),
  dueSoon: T.Integer({ description: 'rectification_ordered due within dueSoonDays' }),
  dueSoonDays: T.Number(),
  buildings: T.Array(T.Object({ id: T.String(), name: T.String() })),
});

export const CasesQuery = T.Object(
  {
    state: T.Optional(Lit(CASE_STATES)),
    kind: T.Optional(Lit(CASE_KINDS)),
    household: T.Optional(HouseholdId),
    building: T.Optional(HouseholdId),
    alert: T.Optional(T.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' })),
    before: T.Optional(T.String({ maxLength: 64 })),
    limit: T.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const TransitionBody = T.Object(
  {
    to: Lit(CASE_STATES.filter((s) => s !== 'open')),
    note: Note,
    deadline: T.Optional(
      T.String({ format: 'date-time', description: 'Required for rectification_ordered' }),
    ),
    district: T.Optional(
      Lit(codesOf('district'), {
        description:
          'handed_over only: the district whose office takes it, when not this estate’s own (跨区移交)',
      }),
    ),
    office: T.Optional(
      T.String({ minLength: 1, maxLength: 100, description: 'handed_over only: the office' }),
    ),
  },
  { additionalProperties: false },
);

/** A patrol visit (巡查) as the household file lists it. */
export const Patrol = T.Object({
  id: T.String(),
  date: T.String(),
  inspector: T.String(),
  result: T.String(),
  note: NStr,
  photo: NStr,
  /** Uploaded photos (issue 16); `photo` is the hand-written reference of older records. */
  photos: T.Array(EvidenceLink),
  caseId: NStr,
  createdBy: T.String(),
  createdAt: T.String(),
});

/** What the household file adds from the ledger: passes, cases, patrol visits (newest first). */
export const HouseholdLedger = T.Object({
  passes: T.Array(Pass),
  cases: T.Array(Case),
  patrols: T.Array(Patrol),
});

export const PatrolBody = T.Object(
  {
    date: T.String({ format: 'date', description: 'YYYY-MM-DD' }),
    inspector: T.String({ minLength: 1, maxLength: 64 }),
    householdId: T.Optional(HouseholdId),
    buildingId: T.Optional(HouseholdId),
    result: Lit(codesOf('patrolResult')),
    violation: T.Optional(Lit(CASE_KINDS)),
    note: T.Optional(T.String({ maxLength: 2000 })),
    photo: T.Optional(
      T.String({
        maxLength: 128,
        pattern: PATROL_PHOTO_PATTERN,
        description:
          'Reference to a photo, not the image: a thumbnail id (thumbs/YYYY-MM-DD/…) or the photo number on the camera (IMG_0231.jpg); never a path',
      }),
    ),
    photos: T.Optional(PhotoIds),
    /** An estate agency or an online listing instead of a household (issue 16). */
    target: T.Optional(PatrolTargetBody),
    caseId: T.Optional(T.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** What a patrol or tip created: its id and the case it opened or joined. */
export const Created = T.Object({ id: T.String(), caseId: NStr });

export const PatrolsQuery = T.Object(
  {
    target: T.Optional(Lit(codesOf('patrolTarget'))),
    month: T.Optional(T.String({ pattern: '^\\d{4}-\\d{2}$' })),
    household: T.Optional(T.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' })),
  },
  { additionalProperties: false },
);

/** A patrol visit as GET /api/patrols lists it: the stored row, column names as they are. */
export const PatrolRow = T.Object({
  id: T.String(),
  date: T.String(),
  inspector: T.String(),
  household_id: NStr,
  building_id: NStr,
  result: T.String(),
  note: NStr,
  photo: NStr,
  case_id: NStr,
  created_by: T.String(),
  created_at: T.Integer({ description: 'epoch ms' }),
  /** The agency or listing patrolled; null for a household (issue 16). */
  target: T.Union([PatrolTargetView, T.Null()]),
  photos: T.Array(EvidenceLink),
});

export const PatrolsReply = T.Object({ items: T.Array(PatrolRow) });

export const TipBody = T.Object(
  {
    receivedAt: T.Optional(T.String({ format: 'date-time' })),
    channel: Lit(codesOf('tipChannel')),
    householdId: T.Optional(HouseholdId),
    buildingId: T.Optional(HouseholdId),
    kind: T.Optional(Lit(CASE_KINDS)),
    content: T.String({ minLength: 1, maxLength: 4000 }),
    /** Who tipped, to thank or reward them: admins only, removed by retention (issue 16). */
    tipster: T.Optional(Tipster),
  },
  { additionalProperties: false },
);

export const MonthQuery = T.Object(
  {
    month: T.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }),
    format: T.Optional(
      T.Union([T.Literal('json'), T.Literal('csv'), T.Literal('pdf')], {
        default: 'json',
        description: 'json, csv, or pdf (A4, Chinese font embedded; issue 14)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The monthly report as JSON (gateway/ledger/report-schema.ts); format=csv sends a CSV table instead. */
export const MonthlyReport = MonthlyReportSchema;

/** The hand-over package (移交材料) of a case: the JSON document stored when it was handed over. */
export const HandoverPackage = T.Unsafe<unknown>({
  type: 'string',
  contentMediaType: 'application/json',
  description: 'gateway/ledger/handover.ts: the case, its timeline, members, entries, images',
});
