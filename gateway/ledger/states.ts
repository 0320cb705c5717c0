/**
 * The ledger (台账) workflow of issue 4 and design.md §8: every finding is a case that an
 * operator moves, step by step, to closed. Stable strings: they are stored, sent upstream
 * as `estate.case.{state}` and shown with their Chinese labels.
 */
export const CASE_STATES = [
  'open',
  'acknowledged',
  'dissuaded',
  'rectification_ordered',
  'rectified',
  'overdue',
  'handed_over',
  'closed',
] as const;
/** A ledger state. */
export type CaseState = (typeof CASE_STATES)[number];

export const CASE_STATE_LABELS: Record<CaseState, string> = {
  open: '待核实',
  acknowledged: '已核实',
  dissuaded: '已劝阻',
  rectification_ordered: '限期整改',
  rectified: '已整改',
  overdue: '逾期未整改',
  handed_over: '已移交城管',
  closed: '已结案',
};

/**
 * Allowed moves. open/acknowledged → closed is a dismissal (误报, with its note); overdue
 * is normally set by the gateway when a deadline passes, and may be set by hand.
 */
export const TRANSITIONS: Record<CaseState, readonly CaseState[]> = {
  open: ['acknowledged', 'closed'],
  acknowledged: ['dissuaded', 'rectification_ordered', 'closed'],
  dissuaded: ['rectification_ordered', 'closed'],
  rectification_ordered: ['rectified', 'overdue', 'handed_over'],
  overdue: ['rectified', 'handed_over'],
  rectified: ['closed'],
  handed_over: ['closed'],
  closed: [],
};

/** What a case can be about: the pattern kinds, and whatever a tip or a patrol reports. */
export const CASE_KINDS = [
  'suspected_sublet',
  'overcrowding',
  'credential_shared',
  'leaseholder_absent',
  'stranger_recurrent',
  'other',
] as const;
/** What a case is about. */
export type CaseKind = (typeof CASE_KINDS)[number];

export const CASE_SOURCES = ['detector', 'tip', 'patrol'] as const;
/** Where a case came from. */
export type CaseSource = (typeof CASE_SOURCES)[number];

/** Why a move is refused, or null when it is allowed. */
export function transitionProblem(
  from: CaseState,
  to: string,
  deadline: number | undefined,
  now: number,
): string | null {
  if (!(CASE_STATES as readonly string[]).includes(to)) return `unknown state "${to}"`;
  if (!TRANSITIONS[from].includes(to as CaseState)) {
    const allowed = TRANSITIONS[from];
    return `a case in state ${from} can move to ${allowed.length ? allowed.join(', ') : 'nothing (it is closed)'}, not ${to}`;
  }
  if (to === 'rectification_ordered') {
    if (deadline === undefined) return 'rectification_ordered needs a deadline';
    if (deadline <= now) return 'the deadline must be in the future';
  } else if (deadline !== undefined) return 'only rectification_ordered takes a deadline';
  return null;
}
