import type { AlertKind } from '../../core/codes.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { Config } from '../config/schema.js';
import type { Household } from '../roster/model.js';
import type { RosterIndex } from '../roster/roster-index.js';
import type { Carriers } from './carriers.js';
import type { GuestCalendar } from './holidays.js';
import { absenceRules } from './rules-absence.js';
import { useRules } from './rules-use.js';
import type { HouseholdState } from './state.js';
import { householdSpan, type Span } from './windows.js';

/** What the household rules need besides the household's own state. */
export interface RuleContext {
  cfg: Config['detectors'];
  roster: RosterIndex;
  carriers: Carriers;
  /** Public holidays and the summer: when guests come. */
  guests: GuestCalendar;
  /** Local day of the first entry the detectors saw (the data start). */
  startDay: number;
  /** Local day an unregistered face was first seen at any door (its cluster), if still known. */
  firstSeen(person: string): number | undefined;
  /** Days in (fromDay, toDay] on which one of the household's home doors recorded reads. */
  workingDays(h: Household, fromDay: number, toDay: number): number;
}

/** Why evaluate: a day passed (absence may have grown), or an entry brought evidence. */
export interface Trigger {
  /** The day being judged (yesterday for a sweep, the entry's day otherwise). */
  today: number;
  ts: number;
  /** Whether the current entry is evidence (attach it to the alert). */
  entry: boolean;
  /** Sweeps judge absence; entries do not raise leaseholder_absent (a day's end does). */
  sweep: boolean;
}

/** Reports one kind: raises, updates at most daily, or ends its situation. */
export type Report = (
  kind: AlertKind,
  on: boolean,
  patternTs: number,
  summary: string,
  chain: Record<string, unknown>,
  residentId?: string | null,
) => void;

/** One household's rules get this: the household, its state, its span, the trigger, the reporter. */
export interface Judging {
  ctx: RuleContext;
  h: Household;
  hs: HouseholdState;
  span: Span;
  t: Trigger;
  report: Report;
}

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
