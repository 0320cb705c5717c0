import { type CaseState, isCode } from '../../core/codes.js';

/**
 * The ledger (台账) workflow of issue 4 and design.md §8: every finding is a case that an
 * operator moves, step by step, to closed. The states, kinds and sources with their labels
 * are in core/codes.ts; this module holds the moves between the states.
 */

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

/** Why a move is refused, or null when it is allowed. */
export function transitionProblem(
  from: CaseState,
  to: string,
  deadline: number | undefined,
  now: number,
): string | null {
  if (!isCode('caseState', to)) return `unknown state "${to}"`;
  if (!TRANSITIONS[from].includes(to)) {
    const allowed = TRANSITIONS[from];
    return `a case in state ${from} can move to ${allowed.length ? allowed.join(', ') : 'nothing (it is closed)'}, not ${to}`;
  }
  if (to === 'rectification_ordered') {
    if (deadline === undefined) return 'rectification_ordered needs a deadline';
    if (deadline <= now) return 'the deadline must be in the future';
  } else if (deadline !== undefined) return 'only rectification_ordered takes a deadline';
  return null;
}
