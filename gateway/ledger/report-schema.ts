import { type Static, Type as T } from '@sinclair/typebox';

/**
 * The monthly report (月报) of the 2024 notice as GET /api/reports/monthly sends it and the
 * dashboard draws it (with issue 16's rows: agency and listing patrols, enforcement results, tips): the one declaration of its shape (issue 8). Counts keyed by code (result,
 * kind, source, building, inspector) are open maps. Imports TypeBox only: the dashboard
 * type-checks against it.
 */
const Counts = T.Record(T.String(), T.Integer({ minimum: 0 }));
const NStr = T.Union([T.String(), T.Null()]);

/** The JSON Schema of the report. */
export const MonthlyReportSchema = T.Object({
  month: T.String({ description: 'YYYY-MM' }),
  estate: T.Object({ id: T.String(), name: T.String() }),
  period: T.Object({
    from: T.String({ format: 'date-time', description: 'The month began (Shanghai midnight)' }),
    to: T.String({ format: 'date-time', description: 'The next month began (exclusive)' }),
  }),
  patrols: T.Object({
    total: T.Integer(),
    byResult: Counts,
    households: T.Integer({ description: 'Distinct households visited' }),
    days: T.Integer({ description: 'Distinct patrol days' }),
    inspectors: Counts,
  }),
  findings: T.Object({
    total: T.Integer(),
    byKind: Counts,
    byBuilding: T.Record(T.String(), Counts, { description: 'building id (- when none) → kind → count' }),
    bySource: Counts,
  }),
  cases: T.Object({
    opened: T.Integer(),
    closed: T.Integer(),
    overdue: T.Integer(),
    handedOver: T.Integer(),
    rectified: T.Integer(),
    openAtMonthEnd: T.Integer(),
  }),
  /** Patrols of estate agencies and online listings, in their own rows (issue 16); not in `patrols`. */
  targets: T.Object({
    agency: T.Object({ patrols: T.Integer(), violations: T.Integer() }),
    listing: T.Object({ patrols: T.Integer(), violations: T.Integer() }),
  }),
  /** The enforcement office's side (issue 16): hand-overs to other districts, feedback by result. */
  enforcement: T.Object({
    crossDistrict: T.Integer({ description: 'cases handed this month to another district’s office' }),
    feedback: T.Integer({ description: 'results received this month' }),
    byResult: Counts,
  }),
  /** Tips (issue 16): received, proved true, rewards approved — each counted in the month it happened. */
  tips: T.Object({
    received: T.Integer(),
    substantiated: T.Integer(),
    rewarded: T.Integer(),
  }),
  households: T.Array(
    T.Object({
      householdId: T.String(),
      buildingId: NStr,
      room: NStr,
      kinds: T.Array(T.String()),
      cases: T.Array(T.String()),
      stateAtMonthEnd: T.Array(T.String()),
    }),
  ),
});

/** The monthly report: patrols, findings, the ledger's movement, the households concerned. */
export type MonthlyReport = Static<typeof MonthlyReportSchema>;
