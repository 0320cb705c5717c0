import { codesOf } from '../../core/codes.js';
import type { Db } from '../store/db.js';
import type { MonthlyReport } from './report-schema.js';
import { SUBSTANTIATED_SQL } from './tip-rewards.js';

/**
 * The monthly report's rows of issue 16, each counted in the month it happened: patrols of
 * estate agencies and online listings (their own rows, not in the household patrols), cases
 * handed to another district's office, the enforcement office's results by kind, and tips
 * received, proved true and rewarded.
 */
export function workflowRows(
  db: Db,
  month: string,
  from: number,
  to: number,
): Pick<MonthlyReport, 'targets' | 'enforcement' | 'tips'> {
  const targets = { agency: { patrols: 0, violations: 0 }, listing: { patrols: 0, violations: 0 } };
  const byTarget = db
    .prepare(
      `SELECT t.kind, count(*) AS n, sum(p.result = 'violation_found') AS v
         FROM patrols p JOIN patrol_targets t ON t.patrol_id = p.id WHERE p.date >= ? AND p.date < ? GROUP BY t.kind`,
    )
    .all(`${month}-01`, `${month}-32`) as Array<{ kind: 'agency' | 'listing'; n: number; v: number | null }>;
  for (const r of byTarget) targets[r.kind] = { patrols: r.n, violations: r.v ?? 0 };
  const byResult: Record<string, number> = Object.fromEntries(
    codesOf('enforcementResult').map((k) => [k, 0]),
  );
  let feedback = 0;
  for (const r of db
    .prepare(
      'SELECT result, count(*) AS n FROM case_enforcement WHERE received_date >= ? AND received_date < ? GROUP BY result',
    )
    .all(`${month}-01`, `${month}-32`) as Array<{ result: string; n: number }>) {
    byResult[r.result] = r.n;
    feedback += r.n;
  }
  const crossDistrict = db
    .prepare(
      'SELECT count(*) FROM case_enforcement WHERE district IS NOT NULL AND handed_at >= ? AND handed_at < ?',
    )
    .pluck()
    .get(from, to) as number;
  // A tip proved true in the month its case was first acted on after verification.
  const tips = db
    .prepare(
      `SELECT (SELECT count(*) FROM tips WHERE received_at >= @from AND received_at < @to) AS received,
              (SELECT count(*) FROM tips t JOIN cases c ON c.id = t.case_id
                WHERE ${SUBSTANTIATED_SQL}
                  AND (SELECT min(e.at) FROM case_events e WHERE e.case_id = c.id
                        AND e.state IN ('dissuaded','rectification_ordered','overdue','rectified','handed_over'))
                      BETWEEN @from AND @to - 1) AS substantiated,
              (SELECT count(*) FROM tip_rewards WHERE state = 'approved' AND decided_at >= @from AND decided_at < @to)
                AS rewarded`,
    )
    .get({ from, to }) as MonthlyReport['tips'];
  return { targets, enforcement: { crossDistrict, feedback, byResult }, tips };
}
