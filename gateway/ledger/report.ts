import { type CaseState, label } from '../../core/codes.js';
import { LOCAL_OFFSET_MS } from '../../core/time.js';
import type { Db } from '../store/db.js';
import type { MonthlyReport } from './report-schema.js';
import { workflowRows } from './report-workflow.js';

/** [start, end) of a month YYYY-MM in Shanghai time, epoch ms. */
export function monthRange(month: string): [number, number] {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12)
    throw new RangeError(`month must be YYYY-MM, not "${month}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const start = Date.UTC(y, mo - 1, 1) - LOCAL_OFFSET_MS;
  const end = Date.UTC(mo === 12 ? y + 1 : y, mo === 12 ? 0 : mo, 1) - LOCAL_OFFSET_MS;
  return [start, end];
}

const inc = (r: Record<string, number>, k: string) => {
  r[k] = (r[k] ?? 0) + 1;
};

/**
 * Builds the monthly report (月报) of the 2024 notice for one month from the ledger tables (event
 * times of the case timeline): patrols, findings, the ledger's movement, households concerned.
 */
export function monthlyReport(db: Db, month: string, estate: { id: string; name: string }): MonthlyReport {
  const [from, to] = monthRange(month);
  // Household patrols only: agency and listing patrols have their own rows (issue 16).
  const patrols = db
    .prepare(
      `SELECT inspector, household_id AS h, result, date FROM patrols
        WHERE date >= ? AND date < ? AND id NOT IN (SELECT patrol_id FROM patrol_targets)`,
    )
    .all(`${month}-01`, `${month}-32`) as Array<{
    inspector: string;
    h: string | null;
    result: string;
    date: string;
  }>;
  const byResult: Record<string, number> = { normal: 0, violation_found: 0, nobody_home: 0 };
  const inspectors: Record<string, number> = {};
  for (const p of patrols) {
    inc(byResult, p.result);
    inc(inspectors, p.inspector);
  }
  const events = db
    .prepare(
      `SELECT e.case_id AS caseId, e.state, e.at, c.kind, c.source, c.household_id AS h, c.building_id AS b
         FROM case_events e JOIN cases c ON c.id = e.case_id WHERE e.at >= ? AND e.at < ? ORDER BY e.seq`,
    )
    .all(from, to) as Array<{
    caseId: string;
    state: CaseState;
    at: number;
    kind: string;
    source: string;
    h: string | null;
    b: string | null;
  }>;
  const findings = {
    total: 0,
    byKind: {} as Record<string, number>,
    byBuilding: {} as Record<string, Record<string, number>>,
    bySource: {} as Record<string, number>,
  };
  const cases = { opened: 0, closed: 0, overdue: 0, handedOver: 0, rectified: 0, openAtMonthEnd: 0 };
  for (const e of events) {
    if (e.state === 'open') {
      cases.opened++;
      findings.total++;
      inc(findings.byKind, e.kind);
      inc(findings.bySource, e.source);
      const b = e.b ?? '-';
      findings.byBuilding[b] = findings.byBuilding[b] ?? {};
      inc(findings.byBuilding[b] as Record<string, number>, e.kind);
    } else if (e.state === 'closed') cases.closed++;
    else if (e.state === 'overdue') cases.overdue++;
    else if (e.state === 'handed_over') cases.handedOver++;
    else if (e.state === 'rectified') cases.rectified++;
  }
  // Every case alive during the month: its state at the month's end.
  const alive = db
    .prepare(
      `SELECT c.id, c.kind, c.household_id AS h, c.building_id AS b, hh.room,
              (SELECT state FROM case_events WHERE case_id = c.id AND at < @to ORDER BY seq DESC LIMIT 1) AS endState,
              (SELECT max(at) FROM case_events WHERE case_id = c.id AND at < @to) AS lastAt
         FROM cases c LEFT JOIN households hh ON hh.id = c.household_id
        WHERE c.created_at < @to OR c.detected_ts < @to`,
    )
    .all({ to }) as Array<{
    id: string;
    kind: string;
    h: string | null;
    b: string | null;
    room: string | null;
    endState: string | null;
    lastAt: number | null;
  }>;
  const byHousehold = new Map<string, MonthlyReport['households'][number]>();
  for (const c of alive) {
    if (!c.endState || (c.endState === 'closed' && (c.lastAt ?? 0) < from)) continue;
    if (c.endState !== 'closed') cases.openAtMonthEnd++;
    if (!c.h) continue;
    const row = byHousehold.get(c.h) ?? {
      householdId: c.h,
      buildingId: c.b,
      room: c.room,
      kinds: [],
      cases: [],
      stateAtMonthEnd: [],
    };
    if (!row.kinds.includes(c.kind)) row.kinds.push(c.kind);
    row.cases.push(c.id);
    row.stateAtMonthEnd.push(c.endState);
    byHousehold.set(c.h, row);
  }
  return {
    ...workflowRows(db, month, from, to),
    month,
    estate,
    period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    patrols: {
      total: patrols.length,
      byResult,
      households: new Set(patrols.map((p) => p.h).filter(Boolean)).size,
      days: new Set(patrols.map((p) => p.date)).size,
      inspectors,
    },
    findings,
    cases,
    households: [...byHousehold.values()].sort((a, b) => a.householdId.localeCompare(b.householdId)),
  };
}

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Chinese labels of the report's case counts, as the CSV's label column says them. */
const CASE_COUNT_LABELS: Record<string, string> = {
  opened: '本月立案',
  closed: '本月结案',
  overdue: '本月逾期',
  handedOver: '本月移交城管',
  rectified: '本月整改完成',
  openAtMonthEnd: '月末未结案',
};

/** The report as one CSV table: section, key, label, building, household, value. */
export function reportCsv(r: MonthlyReport): string {
  const rows: unknown[][] = [['section', 'key', 'label', 'building', 'household', 'value']];
  const kindLabel = (k: string) => label('caseKind', k);
  rows.push(['patrols', 'total', '巡查次数', '', '', r.patrols.total]);
  for (const [k, v] of Object.entries(r.patrols.byResult))
    rows.push(['patrols', k, label('patrolResult', k), '', '', v]);
  rows.push(['patrols', 'households', '巡查户数', '', '', r.patrols.households]);
  rows.push(['patrols', 'days', '巡查天数', '', '', r.patrols.days]);
  for (const [k, v] of Object.entries(r.findings.byKind)) rows.push(['findings', k, kindLabel(k), '', '', v]);
  for (const [b, kinds] of Object.entries(r.findings.byBuilding))
    for (const [k, v] of Object.entries(kinds))
      rows.push(['findings_by_building', k, kindLabel(k), b, '', v]);
  for (const [k, v] of Object.entries(r.cases))
    rows.push(['cases', k, CASE_COUNT_LABELS[k] ?? '', '', '', v]);
  for (const k of ['agency', 'listing'] as const) {
    rows.push([
      'targets',
      `${k}_patrols`,
      `${label('patrolTarget', k)}巡查次数`,
      '',
      '',
      r.targets[k].patrols,
    ]);
    rows.push([
      'targets',
      `${k}_violations`,
      `${label('patrolTarget', k)}发现违规`,
      '',
      '',
      r.targets[k].violations,
    ]);
  }
  rows.push(['enforcement', 'crossDistrict', '跨区移交', '', '', r.enforcement.crossDistrict]);
  rows.push(['enforcement', 'feedback', '城管反馈', '', '', r.enforcement.feedback]);
  for (const [k, v] of Object.entries(r.enforcement.byResult))
    rows.push(['enforcement', k, label('enforcementResult', k), '', '', v]);
  rows.push(['tips', 'received', '收到举报', '', '', r.tips.received]);
  rows.push(['tips', 'substantiated', '举报属实', '', '', r.tips.substantiated]);
  rows.push(['tips', 'rewarded', '举报奖励', '', '', r.tips.rewarded]);
  for (const h of r.households)
    rows.push([
      'household',
      h.kinds.join(' '),
      h.stateAtMonthEnd.map((s) => label('caseState', s)).join(' '),
      h.buildingId,
      h.householdId,
      h.cases.length,
    ]);
  return `${rows.map((row) => row.map(cell).join(',')).join('\n')}\n`;
}
