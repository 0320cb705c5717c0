/**
 * The seam for pattern detectors (issue 4): the record stage shows each detector every
 * entry it writes, inside the commit transaction, in commit order.
 */
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { DoorConfig } from '../config/schema.js';
import type { Decision } from './decide.js';
import type { NormalizedRead } from './normalize.js';
import type { Resolution } from './resolve.js';

/** What a detector sees of each recorded entry. */
export interface EntryContext {
  /** The entry's journal seq. */
  seq: number;
  read: NormalizedRead;
  resolution: Resolution;
  decision: Decision;
  door: DoorConfig;
  /** Thumbnail reference (path under the data dir), null without an image. */
  thumb: string | null;
}

/**
 * A pattern detector: returns the alerts an entry raises. Called inside the commit
 * transaction, so it must be synchronous and fast.
 */
export interface Detector {
  readonly name: string;
  onEntry(e: EntryContext): AlertCandidate[];
  /** Called once at the end of each commit's transaction (detectors persist their state here). */
  endBatch?(now: number): void;
  /** Called when a commit failed and its transaction rolled back (state must be reloaded). */
  rollback?(): void;
}
