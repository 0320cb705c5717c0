import { Type as T } from '@sinclair/typebox';
import { CASE_KINDS, CASE_STATES } from '../ledger/states.js';
import { PASS_KINDS } from '../passes/model.js';

/** JSON Schemas of the pass, ledger, patrol, tip and report routes (issue 4). */

const Lit = (xs: readonly string[]) => T.Union(xs.map((x) => T.Literal(x)));
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
  T.Object({ timeline: T.Array(TimelineEvent), allowed: T.Array(T.String()) }),
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
    result: Lit(['normal', 'violation_found', 'nobody_home']),
    violation: T.Optional(Lit(CASE_KINDS)),
    note: T.Optional(T.String({ maxLength: 2000 })),
    photo: T.Optional(T.String({ maxLength: 256, description: 'Reference to a photo, not the image' })),
    caseId: T.Optional(T.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const TipBody = T.Object(
  {
    receivedAt: T.Optional(T.String({ format: 'date-time' })),
    channel: Lit(['phone', 'letter', 'online', 'in_person', 'other']),
    householdId: T.Optional(HouseholdId),
    buildingId: T.Optional(HouseholdId),
    kind: T.Optional(Lit(CASE_KINDS)),
    content: T.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);

export const MonthQuery = T.Object(
  {
    month: T.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' }),
    format: T.Optional(T.Union([T.Literal('json'), T.Literal('csv')], { default: 'json' })),
  },
  { additionalProperties: false },
);
