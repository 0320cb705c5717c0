/**
 * What one household's rules are given (the context, the trigger, the reporter), in a
 * module of its own so the rule files and household-rules.ts do not import each other.
 */
import type { AlertKind } from '../../core/codes.js';
import type { Config } from '../config/schema.js';
import type { Household } from '../roster/model.js';
import type { RosterIndex } from '../roster/roster-index.js';
import type { Carriers } from './carriers.js';
import type { GuestCalendar } from './holidays.js';
import type { HouseholdState } from './state.js';
import type { Span } from './windows.js';

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
