import { DAY_MS } from '../../core/time.js';
import type { Store } from '../store/store.js';

const INACTIVE = `SELECT r.id FROM residents r JOIN households h ON h.id = r.household_id
  WHERE r.status != 'active' OR h.status != 'active'`;

/** The residents of households with a case not yet closed: their photos are evidence (issue 9). */
const OPEN_CASE_MEMBERS = `SELECT r.id FROM residents r JOIN cases c ON c.household_id = r.household_id
  WHERE c.state != 'closed'`;

/**
 * The retention of residents' face photos (issue 11, with the rules of issue 7 for face
 * data): a photo is kept while its resident is active (the terminals need it to enrol them
 * again after a replacement), and deleted `days` after the resident or the household
 * stopped being active. A resident who comes back within that time keeps theirs; the
 * members of a household with a case not yet closed keep theirs until it closes. Run by
 * gateway/retention.ts with every other table of personal data (issue 9); the photos of
 * ended passes go with the passes.
 */
export class FacePhotoRetention {
  readonly #store: Store;
  readonly #days: number;

  constructor(store: Store, days: number) {
    this.#store = store;
    this.#days = days;
  }

  /** Starts or clears each photo's retention clock and deletes the expired ones; returns how many. */
  apply(now: number): number {
    const s = this.#store;
    return s.db.transaction(() => {
      s.statement(
        `UPDATE face_photos SET inactive_since = ? WHERE inactive_since IS NULL AND resident_id IN (${INACTIVE})`,
      ).run(now);
      s.statement(
        `UPDATE face_photos SET inactive_since = NULL WHERE inactive_since IS NOT NULL AND resident_id NOT IN (${INACTIVE})`,
      ).run();
      return s
        .statement(
          `DELETE FROM face_photos WHERE inactive_since IS NOT NULL AND inactive_since < ?
             AND resident_id NOT IN (${OPEN_CASE_MEMBERS})`,
        )
        .run(now - this.#days * DAY_MS).changes;
    })();
  }
}
