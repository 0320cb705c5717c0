/**
 * The door's policy while the journal cannot commit (issue 12 item 1, config
 * `doors[].onStoreFailure`). Pure: it changes the decision of a read about to be answered
 * without a commit, so that what is journaled later is what the door did.
 *
 * - `memory` (the default): the decision stands. The roster is in memory, so the answer
 *   is the one a working journal would have given: a resident does not stand in the rain
 *   because the SD card is full, and a stranger is not let in because of it. The read
 *   itself is held and journaled when the disk takes it again, so nothing is lost.
 * - `closed`: every entry is denied — for a door where no entry may go unrecorded.
 * - `open`: every entry unlocks — for a door where being shut out is worse than an entry
 *   recorded late (a gate with no other way in). The read is still journaled later, and
 *   a stranger let in raises its alert then.
 *
 * Exits are never changed: they always open (decide.ts), nobody is ever locked in.
 */
import type { DoorConfig } from '../config/schema.js';
import type { Checked } from './check.js';

/** What a door does while the journal cannot commit. */
export type StoreFailurePolicy = DoorConfig['onStoreFailure'];

/** Applies the door's policy to a read answered without a commit; returns whether it changed. */
export function applyStoreFailurePolicy(c: Checked): boolean {
  const d = c.decision;
  const policy: StoreFailurePolicy = c.door.onStoreFailure ?? 'memory';
  if (policy === 'memory' || d.answer === null || c.read.direction === 'out') return false;
  if (policy === 'closed') {
    if (d.answer === 'deny') return false;
    d.answer = 'deny';
    d.outcome = 'denied';
    d.reasons.push('store_fail_closed');
    return true;
  }
  if (d.answer === 'unlock') return false;
  d.answer = 'unlock';
  d.outcome = 'granted';
  d.reasons.push('store_fail_open');
  return true;
}

/**
 * Whether a read's door may be answered before its commit reaches the disk: when the
 * answer would be the same if the commit failed — the door's policy is `memory` (the
 * decision stands), or it is an exit (never changed). A `closed` or `open` door is answered
 * after its commit, so that a failure's first reads get the policy's answer as every
 * later one does (a `closed` door: no entry goes unrecorded).
 */
export function answersBeforeSync(c: Checked): boolean {
  return (c.door.onStoreFailure ?? 'memory') === 'memory' || c.read.direction === 'out';
}
