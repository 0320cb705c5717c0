import { Type as T } from '@sinclair/typebox';
import { CASE_KINDS, codesOf } from '../../core/codes.js';
import { CampaignReportSchema } from '../ledger/campaign-report-schema.js';
import { EvidenceLink, PhotoIds } from './schemas-workflow.js';

/**
 * JSON Schemas of the full inspection (全面排查, issue 16): campaigns, their progress and
 * households, the inspector's visit, the written report. TypeBox and core/ only (and the
 * report's own schema module): the dashboard reads their types.
 */

const Lit = <C extends string>(xs: readonly C[]) => T.Union(xs.map((x) => T.Literal(x)));
const NStr = T.Union([T.String(), T.Null()]);
const Ref = T.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const Day = T.String({ format: 'date', description: 'YYYY-MM-DD (Shanghai)' });
const Counts = T.Record(T.String(), T.Integer({ minimum: 0 }));

/** POST /api/campaigns (admin). */
export const CampaignBody = T.Object(
  {
    name: T.String({ minLength: 1, maxLength: 100 }),
    from: Day,
    to: Day,
    reportDue: Day,
    buildings: T.Optional(
      T.Array(Ref, { minItems: 1, maxItems: 200, description: 'omit for the whole estate' }),
    ),
  },
  { additionalProperties: false },
);

/** A campaign with its counts. */
export const Campaign = T.Object({
  id: T.String(),
  name: T.String(),
  from: T.String(),
  to: T.String(),
  reportDue: T.String(),
  buildings: T.Union([T.Array(T.String()), T.Null()]),
  state: T.String(),
  stateLabel: T.String(),
  createdBy: T.String(),
  createdAt: T.String(),
  closedBy: NStr,
  closedAt: NStr,
  reportsSent: T.Integer(),
  reportedAt: NStr,
  households: T.Integer(),
  reached: T.Integer(),
});

export const CampaignsReply = T.Object({ items: T.Array(Campaign) });

/** GET /api/campaigns/:id: the campaign and its progress by status, building and inspector. */
export const CampaignDetail = T.Composite([
  Campaign,
  T.Object({
    byStatus: Counts,
    byBuilding: T.Array(
      T.Object({ buildingId: T.String(), buildingName: NStr, households: T.Integer(), byStatus: Counts }),
    ),
    byInspector: T.Array(
      T.Object({
        inspector: T.String(),
        visits: T.Integer(),
        households: T.Integer(),
        reached: T.Integer(),
        violations: T.Integer(),
      }),
    ),
  }),
]);

export const CampaignHouseholdsQuery = T.Object(
  {
    building: T.Optional(Ref),
    status: T.Optional(Lit(codesOf('campaignStatus'))),
    dueBy: T.Optional(Day),
    limit: T.Integer({ minimum: 1, maximum: 5000, default: 5000 }),
  },
  { additionalProperties: false },
);

/** One household of a campaign's list (flagged first). */
export const CampaignHousehold = T.Object({
  householdId: T.String(),
  buildingId: T.String(),
  buildingName: NStr,
  room: T.String(),
  status: T.String(),
  statusLabel: T.String(),
  visits: T.Integer(),
  lastVisit: NStr,
  revisitDue: NStr,
  flags: T.Integer({ description: 'alerts of the household not closed' }),
  flagKinds: T.Array(T.String()),
});

export const CampaignHouseholdsReply = T.Object({ items: T.Array(CampaignHousehold) });

export const HouseholdParams = T.Object({ id: Ref, household: Ref }, { additionalProperties: false });

/** A person checked on a visit. */
const PersonView = T.Object({
  residentId: NStr,
  check: T.String(),
  name: NStr,
  idMasked: NStr,
  relation: NStr,
  note: NStr,
});

/** GET /api/campaigns/:id/households/:household: what an inspector needs at the door. */
export const CampaignHouseholdDetail = T.Object({
  household: CampaignHousehold,
  residents: T.Array(
    T.Object({ id: T.String(), role: T.String(), name: T.String(), status: T.String(), idMasked: NStr }),
  ),
  openCases: T.Array(T.Object({ id: T.String(), kind: T.String(), label: T.String(), state: T.String() })),
  visits: T.Array(
    T.Object({
      id: T.String(),
      visitedAt: T.String(),
      inspector: T.String(),
      result: T.String(),
      resultLabel: T.String(),
      violation: NStr,
      caseId: NStr,
      openedCase: T.Boolean(),
      note: NStr,
      revisitDue: NStr,
      persons: T.Array(PersonView),
      photos: T.Array(EvidenceLink),
    }),
  ),
});

/** POST /api/campaigns/:id/visits (operator). */
export const VisitBody = T.Object(
  {
    householdId: Ref,
    result: Lit(codesOf('visitResult')),
    visitedAt: T.Optional(T.String({ format: 'date-time' })),
    inspector: T.Optional(T.String({ minLength: 1, maxLength: 64, description: 'default: the caller' })),
    persons: T.Array(
      T.Object(
        { residentId: Ref, check: T.Union([T.Literal('present'), T.Literal('absent')]) },
        { additionalProperties: false },
      ),
      { maxItems: 50, default: [] },
    ),
    unregistered: T.Array(
      T.Object(
        {
          name: T.Optional(T.String({ maxLength: 32 })),
          idNumber: T.Optional(
            T.String({ maxLength: 20, description: 'hashed and masked at once; never stored' }),
          ),
          relation: T.Optional(T.String({ maxLength: 32 })),
          note: T.Optional(T.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: 30, default: [] },
    ),
    violation: T.Optional(Lit(CASE_KINDS)),
    caseId: T.Optional(Ref),
    note: T.Optional(T.String({ maxLength: 2000 })),
    photos: T.Optional(PhotoIds),
    revisitDue: T.Optional(Day),
  },
  { additionalProperties: false },
);

/** What recording a visit did. */
export const VisitReply = T.Object({
  id: T.String(),
  caseId: NStr,
  openedCase: T.Boolean(),
  status: T.String(),
  revisitDue: NStr,
});

export const ReportQuery = T.Object(
  {
    format: T.Optional(T.Union([T.Literal('json'), T.Literal('csv'), T.Literal('pdf')], { default: 'json' })),
  },
  { additionalProperties: false },
);

/** The written report (排查报告). */
export const CampaignReport = CampaignReportSchema;

/** POST /api/campaigns/:id/report: the report was queued upstream. */
export const ReportSent = T.Object({
  eventId: T.String(),
  number: T.Integer({ description: '1 for the first sending' }),
  report: CampaignReportSchema,
});
