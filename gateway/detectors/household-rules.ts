import type { AlertKind } from '../../core/codes.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { Household } from '../roster/model.js';
import type { Judging, Report, RuleContext, Trigger } from './judging.js';
import { absenceRules } from './rules-absence.js';
import { useRules } from './rules-use.js';
import type { HouseholdState } from './state.js';
import { householdSpan } from './windows.js';

/**
 * Judges one household: credential_shared, overcrowding, suspected_sublet and (on a
 * sweep) leaseholder_absent, only on the days of its lease (issue 10 item 3). A kind
 * already reported for the ongoing situation is updated at most once a day; a kind whose
 * condition ended is cleared, so its next occurrence is a new situation (issue 4: never
 * fire twice for the same one). Outside its lease every situation ends.
 */
export function evaluateHousehold(
  ctx: RuleContext,
  h: Household,
  hs: HouseholdState,
  t: Trigger,
  out: AlertCandidate[],
): boolean {
  let changed = false;
  const span = householdSpan(h, ctx.startDay);
  const report: Report = (kind, on, patternTs, summary, chain, residentId = null) => {
    const last = hs.fired[kind];
    if (!on) {
      if (last !== undefined) {
        delete hs.fired[kind];
        changed = true;
      }
      return;
    }
    if (last !== undefined && last >= t.today) return;
    hs.fired[kind] = t.today;
    changed = true;
    out.push({
      kind,
      subject: `household:${h.id}`,
      householdId: h.id,
      residentId,
      doorId: null,
      readerId: null,
      ts: t.ts,
      finding: {
        phase: last === undefined ? 'open' : 'update',
        patternTs,
        summary,
        buildingId: h.buildingId,
        chain: { household: h.id, building: h.buildingId, room: h.room, ...chain },
        attachEntry: t.entry,
      },
    });
  };
  if (!span || t.today < span.from || t.today > span.to) {
    for (const kind of Object.keys(hs.fired) as AlertKind[]) report(kind, false, t.ts, '', {});
    return changed;
  }
  const j: Judging = { ctx, h, hs, span, t, report };
  useRules(j);
  absenceRules(j);
  return changed;
}
