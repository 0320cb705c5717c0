import type { FaceOfferState } from '../../core/codes.js';
import { blobToEmbedding, embeddingToBlob } from '../passes/model.js';
import type { Store } from '../store/store.js';
import type { Carriers } from './carriers.js';

/** One offer as the household file shows it: never the embedding. */
export interface FaceOffer {
  faceId: number;
  residentId: string;
  credential: string;
  days: number;
  first: number;
  last: number;
  thumbs: string[];
  state: FaceOfferState;
  decidedBy: string | null;
  decidedAt: number | null;
}

/** What an operator decided, and what the detectors do with it. */
export interface FaceDecider {
  /** Takes the face for the owner (enrolled) or never again (rejected); inside the caller's transaction. */
  decideFace(
    credential: string,
    owner: string,
    faceId: number,
    embedding: Float32Array | null,
    enrolled: boolean,
  ): void;
}

interface Row {
  face_id: number;
  resident_id: string;
  credential: string;
  days: number;
  first_ts: number;
  last_ts: number;
  thumbs: string;
  state: FaceOfferState;
  decided_by: string | null;
  decided_at: number | null;
  embedding: Buffer | null;
}

const view = (r: Row): FaceOffer => ({
  faceId: r.face_id,
  residentId: r.resident_id,
  credential: r.credential,
  days: r.days,
  first: r.first_ts,
  last: r.last_ts,
  thumbs: JSON.parse(r.thumbs) as string[],
  state: r.state,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
});

/**
 * "Probably 张** — enrol this face?" (issue 10 item 2). When a face has come with a
 * resident's card as its holder for `minDays` days (learnt, or a face that fails at the
 * terminal and then swipes that card), the household file offers the operator to enrol it.
 * Enrolling tells the detectors the face is the resident's for good (kept past the
 * face-data retention, never a second face on the card); rejecting tells them it is not
 * theirs (its uses of the card count as foreign from then on). Every decision is audited
 * by the route. The face stays on the box: the offer's embedding never leaves this table.
 */
export class FaceOffers {
  readonly #store: Store;
  readonly #minDays: number;
  #decider: FaceDecider | null = null;
  /** Days last written per offered face: a face is written again only when it has a new day. */
  readonly #written = new Map<number, number>();

  constructor(store: Store, minDays: number) {
    this.#store = store;
    this.#minDays = minDays;
  }

  /** The detectors, told of every decision (none when they are disabled). */
  bind(decider: FaceDecider | null): void {
    this.#decider = decider;
  }

  /** Writes offers for the holder faces of the credentials that changed. Inside the commit transaction. */
  write(carriers: Carriers, now: number): void {
    if (carriers.dirty.size === 0) return;
    const upsert = this.#store.statement(
      `INSERT INTO face_offers(face_id, resident_id, credential, embedding, days, first_ts, last_ts, thumbs, state, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'offered', ?)
       ON CONFLICT(face_id) DO UPDATE SET embedding = excluded.embedding, days = excluded.days,
         last_ts = excluded.last_ts, thumbs = excluded.thumbs, updated_at = excluded.updated_at
       WHERE face_offers.state = 'offered'`,
    );
    const withdraw = this.#store.statement("DELETE FROM face_offers WHERE face_id = ? AND state = 'offered'");
    for (const cred of carriers.dirty) {
      const m = carriers.models.get(cred);
      for (const f of m?.faces ?? []) {
        const offer = f.holder === 'learnt' || f.holder === 'face_first';
        if (offer && f.days.length >= this.#minDays && this.#written.get(f.id) !== f.days.length) {
          upsert.run(
            f.id,
            m?.owner,
            cred,
            embeddingToBlob(f.v),
            f.days.length,
            f.first,
            f.last,
            JSON.stringify(f.thumbs),
            now,
          );
          this.#written.set(f.id, f.days.length);
        } else if (!offer && this.#written.has(f.id)) {
          // No longer taken for the holder (its owner's own face turned up): nothing to offer.
          withdraw.run(f.id);
          this.#written.delete(f.id);
        }
      }
    }
  }

  /** Offers nobody decided on, of faces not seen since `cutoff`, go with the face-data retention. */
  expire(cutoff: number): void {
    for (const id of this.#store
      .statement("SELECT face_id FROM face_offers WHERE state = 'offered' AND last_ts < ?")
      .pluck()
      .all(cutoff) as number[])
      this.#written.delete(id);
    this.#store.statement("DELETE FROM face_offers WHERE state = 'offered' AND last_ts < ?").run(cutoff);
  }

  /** The offers on the residents of a household, newest first. */
  forHousehold(householdId: string): FaceOffer[] {
    return (
      this.#store
        .statement(
          `SELECT o.* FROM face_offers o JOIN residents r ON r.id = o.resident_id
            WHERE r.household_id = ? ORDER BY o.last_ts DESC LIMIT 20`,
        )
        .all(householdId) as Row[]
    ).map(view);
  }

  /**
   * An operator's decision on an offer of `householdId`: enrolled or rejected, once. Returns
   * the offer as decided, or why not (404: no such offer there; 409: already decided).
   */
  decide(
    householdId: string,
    faceId: number,
    enrol: boolean,
    actor: string,
    now: number,
  ): { offer: FaceOffer } | { status: 404 | 409; message: string } {
    return this.#store.db.transaction(() => {
      const r = this.#store
        .statement(
          `SELECT o.* FROM face_offers o JOIN residents r ON r.id = o.resident_id
            WHERE o.face_id = ? AND r.household_id = ?`,
        )
        .get(faceId, householdId) as Row | undefined;
      if (!r) return { status: 404 as const, message: `no face offer ${faceId} in household ${householdId}` };
      if (r.state !== 'offered')
        return { status: 409 as const, message: `face offer ${faceId} is ${r.state} already` };
      const state: FaceOfferState = enrol ? 'enrolled' : 'rejected';
      // A rejected face is nobody's to keep: its embedding goes.
      this.#store
        .statement(
          `UPDATE face_offers SET state = ?, decided_by = ?, decided_at = ?, updated_at = ?,
             embedding = CASE WHEN ? THEN embedding ELSE NULL END WHERE face_id = ?`,
        )
        .run(state, actor, now, now, enrol ? 1 : 0, faceId);
      const emb = r.embedding ? blobToEmbedding(r.embedding) : null;
      this.#decider?.decideFace(r.credential, r.resident_id, faceId, emb, enrol);
      this.#written.delete(faceId);
      return { offer: { ...view(r), state, decidedBy: actor, decidedAt: now } };
    })();
  }
}
