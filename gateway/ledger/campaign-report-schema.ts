import { type Static, Type as T } from '@sinclair/typebox';

/**
 * The written report of a full inspection (排查报告, issue 16) as GET /api/campaigns/:id/report
 * sends it, the dashboard prints it and `estate.report.campaign` carries it upstream: the one
 * declaration of its shape. Household ids, buildings and rooms, counts and case ids: no names,
 * no ID numbers. Imports TypeBox only: the dashboard type-checks against it.
 */
const Counts = T.Record(T.String(), T.Integer({ minimum: 0 }));
const NStr = T.Union([T.String(), T.Null()]);

/** The JSON Schema of the report. */
export const CampaignReportSchema = T.Object({
  format: T.Literal('estate-gateway.campaign-report/1'),
  generatedAt: T.String({ format: 'date-time' }),
  estate: T.Object({ id: T.String(), name: T.String() }),
  campaign: T.Object({
    id: T.String(),
    name: T.String(),
    from: T.String({ description: 'YYYY-MM-DD' }),
    to: T.String({ description: 'YYYY-MM-DD' }),
    reportDue: T.String({ description: 'YYYY-MM-DD' }),
    buildings: T.Union([T.Array(T.String()), T.Null()], { description: 'null: the whole estate' }),
    state: T.String(),
  }),
  coverage: T.Object({
    households: T.Integer({ description: 'in scope when the campaign opened (底数)' }),
    visited: T.Integer({ description: 'at least one visit' }),
    reached: T.Integer({ description: 'a visit met the household: normal or violation found' }),
    rate: T.Number({ description: 'reached / households, 0..1' }),
    byStatus: Counts,
  }),
  persons: T.Object({
    checked: T.Integer({ description: 'registered persons checked at the latest reached visit' }),
    present: T.Integer(),
    absent: T.Integer(),
    unregistered: T.Integer({ description: 'persons found whom the roster does not know' }),
    householdsWithUnregistered: T.Integer(),
  }),
  violations: T.Object({
    households: T.Integer(),
    byKind: Counts,
  }),
  cases: T.Object({
    opened: T.Integer({ description: 'opened by a visit of this campaign' }),
    joined: T.Integer({ description: 'already open, joined by a visit' }),
    rectified: T.Integer({ description: 'of those, rectified (整改到位)' }),
    handedOver: T.Integer({ description: 'of those, handed to enforcement (移交城管)' }),
    closed: T.Integer(),
    open: T.Integer(),
  }),
  byBuilding: T.Array(
    T.Object({
      buildingId: T.String(),
      buildingName: NStr,
      households: T.Integer(),
      reached: T.Integer(),
      violations: T.Integer(),
      unreached: T.Integer(),
    }),
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
  unreached: T.Array(
    T.Object({
      householdId: T.String(),
      buildingId: T.String(),
      buildingName: NStr,
      room: T.String(),
      status: T.String({ description: 'not_visited, nobody_home or refused' }),
      statusLabel: T.String(),
      visits: T.Integer(),
      lastVisit: NStr,
      revisitDue: NStr,
    }),
    { description: 'households never reached (不漏一户: these are the ones left)' },
  ),
});

/** The written report of a full inspection. */
export type CampaignReport = Static<typeof CampaignReportSchema>;
