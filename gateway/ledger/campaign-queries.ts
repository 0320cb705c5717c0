import { codesOf } from '../../core/codes.js';
import type { Db } from '../store/db.js';

/**
 * What the campaign pages read (issue 16): progress by status, building and inspector; the
 * households in scope, those the detectors flagged first; one household's visits. Plain
 * queries over the campaign tables, the roster and the alerts.
 */

/** Counts per household status (every status present, zero or not). */
export type StatusCounts = Record<string, number>;

const zero = (): StatusCounts => Object.fromEntries(codesOf('campaignStatus').map((s) => [s, 0]));

/** A campaign's progress: by status, by building, by inspector. */
export interface Progress {
  households: number;
  byStatus: StatusCounts;
  byBuilding: Array<{
    buildingId: string;
    buildingName: string | null;
    households: number;
    byStatus: StatusCounts;
  }>;
  byInspector: Array<{
    inspector: string;
    visits: number;
    households: number;
    reached: number;
    violations: number;
  }>;
}

/** Progress of one campaign. */
export function campaignProgress(db: Db, id: string): Progress {
  const rows = db
    .prepare(
      `SELECT ch.building_id AS b, bl.name AS name, ch.status, count(*) AS n
         FROM campaign_households ch LEFT JOIN buildings bl ON bl.id = ch.building_id
        WHERE ch.campaign_id = ? GROUP BY ch.building_id, ch.status ORDER BY ch.building_id`,
    )
    .all(id) as Array<{ b: string; name: string | null; status: string; n: number }>;
  const byStatus = zero();
  const buildings = new Map<string, Progress['byBuilding'][number]>();
  let households = 0;
  for (const r of rows) {
    households += r.n;
    byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
    const b = buildings.get(r.b) ?? {
      buildingId: r.b,
      buildingName: r.name,
      households: 0,
      byStatus: zero(),
    };
    b.households += r.n;
    b.byStatus[r.status] = (b.byStatus[r.status] ?? 0) + r.n;
    buildings.set(r.b, b);
  }
  const byInspector = db
    .prepare(
      `SELECT inspector, count(*) AS visits, count(DISTINCT household_id) AS households,
              sum(result IN ('normal','violation_found')) AS reached, sum(result = 'violation_found') AS violations
         FROM campaign_visits WHERE campaign_id = ? GROUP BY inspector ORDER BY visits DESC, inspector`,
    )
    .all(id) as Progress['byInspector'];
  return { households, byStatus, byBuilding: [...buildings.values()], byInspector };
}

/** Filters of the household list. */
export interface HouseholdFilter {
  building?: string;
  status?: string;
  /** Only those whose revisit is due on or before this date (YYYY-MM-DD). */
  dueBy?: string;
  /** One household only. */
  householdId?: string;
}

/** One household of a campaign's list. */
export interface CampaignHousehold {
  householdId: string;
  buildingId: string;
  buildingName: string | null;
  room: string;
  status: string;
  visits: number;
  lastVisitAt: number | null;
  revisitDue: string | null;
  /** Alerts of the household not closed (a pattern alert carries its case's state). */
  flags: number;
  flagKinds: string[];
}

/**
 * The households of a campaign: flagged by the detectors first (most flags first), then by
 * building and room, as an inspector walks them.
 */
export function campaignHouseholds(
  db: Db,
  id: string,
  f: HouseholdFilter,
  limit: number,
): CampaignHousehold[] {
  const rows = db
    .prepare(
      `SELECT ch.household_id AS householdId, ch.building_id AS buildingId, bl.name AS buildingName, ch.room,
              ch.status, ch.visits, ch.last_visit_at AS lastVisitAt, ch.revisit_due AS revisitDue,
              (SELECT count(*) FROM alerts a WHERE a.household_id = ch.household_id AND a.state != 'closed') AS flags,
              (SELECT group_concat(DISTINCT a.kind) FROM alerts a
                WHERE a.household_id = ch.household_id AND a.state != 'closed') AS kinds
         FROM campaign_households ch LEFT JOIN buildings bl ON bl.id = ch.building_id
        WHERE ch.campaign_id = @id
          AND (@building IS NULL OR ch.building_id = @building)
          AND (@status IS NULL OR ch.status = @status)
          AND (@dueBy IS NULL OR (ch.revisit_due IS NOT NULL AND ch.revisit_due <= @dueBy))
          AND (@household IS NULL OR ch.household_id = @household)
        ORDER BY flags > 0 DESC, flags DESC, ch.building_id, ch.room
        LIMIT ${Math.max(1, Math.min(limit, 5000))}`,
    )
    .all({
      id,
      building: f.building ?? null,
      status: f.status ?? null,
      dueBy: f.dueBy ?? null,
      household: f.householdId ?? null,
    }) as Array<Omit<CampaignHousehold, 'flagKinds'> & { kinds: string | null }>;
  return rows.map(({ kinds, ...r }) => ({ ...r, flagKinds: kinds ? kinds.split(',') : [] }));
}

/** One visit as a household's history lists it, with the persons checked. */
export interface VisitView {
  id: string;
  visitedAt: number;
  inspector: string;
  result: string;
  violation: string | null;
  caseId: string | null;
  openedCase: boolean;
  note: string | null;
  revisitDue: string | null;
  persons: Array<{
    residentId: string | null;
    check: string;
    name: string | null;
    idMasked: string | null;
    relation: string | null;
    note: string | null;
  }>;
}

/** The visits of one household in a campaign, newest first, each with its persons. */
export function householdVisits(db: Db, campaignId: string, householdId: string): VisitView[] {
  const visits = db
    .prepare(
      `SELECT id, visited_at AS visitedAt, inspector, result, violation, case_id AS caseId, opened_case AS openedCase,
              note, revisit_due AS revisitDue
         FROM campaign_visits WHERE campaign_id = ? AND household_id = ? ORDER BY visited_at DESC, id DESC`,
    )
    .all(campaignId, householdId) as Array<
    Omit<VisitView, 'persons' | 'openedCase'> & { openedCase: number }
  >;
  const persons = db.prepare(
    `SELECT p.resident_id AS residentId, p.check_result AS "check", coalesce(r.name, p.name) AS name,
            p.id_masked AS idMasked, p.relation, p.note
       FROM campaign_persons p LEFT JOIN residents r ON r.id = p.resident_id WHERE p.visit_id = ? ORDER BY p.seq`,
  );
  return visits.map((v) => ({
    ...v,
    openedCase: v.openedCase === 1,
    persons: persons.all(v.id) as VisitView['persons'],
  }));
}
