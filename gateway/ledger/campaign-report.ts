import { label } from '../../core/codes.js';
import { iso } from '../../core/time.js';
import type { Db } from '../store/db.js';
import { campaignProgress } from './campaign-queries.js';
import type { CampaignReport } from './campaign-report-schema.js';
import type { Campaign } from './campaigns.js';

/**
 * The written report of a full inspection (排查报告, issue 16): coverage (全覆盖), the people
 * checked against the roster (不漏一人), violations by kind, the cases opened and how far they
 * went (rectified, handed over), and the households never reached (不漏一户: the ones left).
 */
export function campaignReport(
  db: Db,
  c: Campaign,
  estate: { id: string; name: string },
  now: number,
): CampaignReport {
  const p = campaignProgress(db, c.id);
  const reached = (p.byStatus.normal ?? 0) + (p.byStatus.violation_found ?? 0);
  // The people of each reached household as its latest reached visit found them.
  const persons = db
    .prepare(
      `WITH latest AS (
         SELECT v.id, v.household_id FROM campaign_visits v
          WHERE v.campaign_id = ? AND v.result IN ('normal','violation_found')
            AND v.id = (SELECT v2.id FROM campaign_visits v2
                         WHERE v2.campaign_id = v.campaign_id AND v2.household_id = v.household_id
                           AND v2.result IN ('normal','violation_found')
                         ORDER BY v2.visited_at DESC, v2.id DESC LIMIT 1))
       SELECT sum(p.check_result IN ('present','absent')) AS checked, sum(p.check_result = 'present') AS present,
              sum(p.check_result = 'absent') AS absent, sum(p.check_result = 'unregistered') AS unregistered,
              count(DISTINCT CASE WHEN p.check_result = 'unregistered' THEN l.household_id END) AS households
         FROM latest l JOIN campaign_persons p ON p.visit_id = l.id`,
    )
    .get(c.id) as Record<string, number | null>;
  const kinds = db
    .prepare(
      `SELECT coalesce(v.violation, c.kind, 'other') AS kind, count(DISTINCT v.household_id) AS n
         FROM campaign_visits v LEFT JOIN cases c ON c.id = v.case_id
        WHERE v.campaign_id = ? AND v.result = 'violation_found' GROUP BY 1 ORDER BY 1`,
    )
    .all(c.id) as Array<{ kind: string; n: number }>;
  const cases = db
    .prepare(
      `WITH cc AS (SELECT case_id AS id, max(opened_case) AS opened FROM campaign_visits
                    WHERE campaign_id = ? AND case_id IS NOT NULL GROUP BY case_id)
       SELECT sum(cc.opened) AS opened, sum(1 - cc.opened) AS joined,
              sum(EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cc.id AND e.state = 'rectified')) AS rectified,
              sum(EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cc.id AND e.state = 'handed_over')) AS handedOver,
              sum(c.state = 'closed') AS closed, sum(c.state != 'closed') AS open
         FROM cc JOIN cases c ON c.id = cc.id`,
    )
    .get(c.id) as Record<string, number | null>;
  const unreached = db
    .prepare(
      `SELECT ch.household_id AS householdId, ch.building_id AS buildingId, bl.name AS buildingName, ch.room,
              ch.status, ch.visits, ch.last_visit_at AS lastVisitAt, ch.revisit_due AS revisitDue
         FROM campaign_households ch LEFT JOIN buildings bl ON bl.id = ch.building_id
        WHERE ch.campaign_id = ? AND ch.status NOT IN ('normal','violation_found')
        ORDER BY ch.building_id, ch.room`,
    )
    .all(c.id) as Array<{
    householdId: string;
    buildingId: string;
    buildingName: string | null;
    room: string;
    status: string;
    visits: number;
    lastVisitAt: number | null;
    revisitDue: string | null;
  }>;
  const n = (v: number | null | undefined) => v ?? 0;
  return {
    format: 'estate-gateway.campaign-report/1',
    generatedAt: new Date(now).toISOString(),
    estate: { id: estate.id, name: estate.name },
    campaign: {
      id: c.id,
      name: c.name,
      from: c.from,
      to: c.to,
      reportDue: c.reportDue,
      buildings: c.buildings,
      state: c.state,
    },
    coverage: {
      households: p.households,
      visited: p.households - n(p.byStatus.not_visited),
      reached,
      rate: p.households ? Math.round((reached / p.households) * 10_000) / 10_000 : 0,
      byStatus: p.byStatus,
    },
    persons: {
      checked: n(persons.checked),
      present: n(persons.present),
      absent: n(persons.absent),
      unregistered: n(persons.unregistered),
      householdsWithUnregistered: n(persons.households),
    },
    violations: {
      households: n(p.byStatus.violation_found),
      byKind: Object.fromEntries(kinds.map((k) => [k.kind, k.n])),
    },
    cases: {
      opened: n(cases.opened),
      joined: n(cases.joined),
      rectified: n(cases.rectified),
      handedOver: n(cases.handedOver),
      closed: n(cases.closed),
      open: n(cases.open),
    },
    byBuilding: p.byBuilding.map((b) => ({
      buildingId: b.buildingId,
      buildingName: b.buildingName,
      households: b.households,
      reached: n(b.byStatus.normal) + n(b.byStatus.violation_found),
      violations: n(b.byStatus.violation_found),
      unreached: b.households - n(b.byStatus.normal) - n(b.byStatus.violation_found),
    })),
    byInspector: p.byInspector.map((i) => ({ ...i, reached: n(i.reached), violations: n(i.violations) })),
    unreached: unreached.map(({ lastVisitAt, ...u }) => ({
      ...u,
      statusLabel: label('campaignStatus', u.status),
      lastVisit: iso(lastVisitAt),
    })),
  };
}

/**
 * One CSV cell. Text that a spreadsheet would take for a formula (=, +, -, @ first: an
 * inspector's account name, a building's name) is led by an apostrophe, so the city's
 * office opening the file in Excel runs nothing.
 */
const cell = (v: unknown) => {
  const raw = v === null || v === undefined ? '' : String(v);
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The report as one CSV table (section, key, label, building, household, value), like the monthly one. */
export function campaignReportCsv(r: CampaignReport): string {
  const rows: unknown[][] = [['section', 'key', 'label', 'building', 'household', 'value']];
  const cov = r.coverage;
  rows.push(['coverage', 'households', '应排查户数', '', '', cov.households]);
  rows.push(['coverage', 'visited', '已走访户数', '', '', cov.visited]);
  rows.push(['coverage', 'reached', '已入户核查户数', '', '', cov.reached]);
  rows.push(['coverage', 'rate', '覆盖率', '', '', `${(cov.rate * 100).toFixed(1)}%`]);
  for (const [k, v] of Object.entries(cov.byStatus))
    rows.push(['status', k, label('campaignStatus', k), '', '', v]);
  const pr = r.persons;
  rows.push(['persons', 'checked', '核查登记人员', '', '', pr.checked]);
  rows.push(['persons', 'present', '在住', '', '', pr.present]);
  rows.push(['persons', 'absent', '不在', '', '', pr.absent]);
  rows.push(['persons', 'unregistered', '发现未登记人员', '', '', pr.unregistered]);
  for (const [k, v] of Object.entries(r.violations.byKind))
    rows.push(['violations', k, label('caseKind', k), '', '', v]);
  const cs: Array<[keyof CampaignReport['cases'], string]> = [
    ['opened', '立案'],
    ['joined', '并入已有案件'],
    ['rectified', '整改到位'],
    ['handedOver', '移交城管'],
    ['closed', '已结案'],
    ['open', '未结案'],
  ];
  for (const [k, l] of cs) rows.push(['cases', k, l, '', '', r.cases[k]]);
  for (const b of r.byBuilding) {
    rows.push(['building', 'households', '应排查户数', b.buildingName ?? b.buildingId, '', b.households]);
    rows.push(['building', 'reached', '已入户核查户数', b.buildingName ?? b.buildingId, '', b.reached]);
    rows.push(['building', 'violations', '发现违规户数', b.buildingName ?? b.buildingId, '', b.violations]);
  }
  for (const i of r.byInspector) rows.push(['inspector', i.inspector, '走访次数', '', '', i.visits]);
  for (const u of r.unreached)
    rows.push([
      'unreached',
      u.status,
      `${u.statusLabel} ${u.room}`,
      u.buildingName ?? u.buildingId,
      u.householdId,
      u.visits,
    ]);
  return `${rows.map((row) => row.map(cell).join(',')).join('\n')}\n`;
}
