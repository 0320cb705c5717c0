import { FaceHash } from './face-hash.js';

/** The seed of the face indexes' rotations: the same captures give the same keys on every box. */
export const FACE_HASH_SEED = 0x5eed;

/**
 * One FaceHash per embedding length, shared by the face indexes of one detector: the
 * clusters of unregistered faces and the carriers' holder faces look up the same capture
 * one after the other, and with one hash its rotation and probe lists are computed once
 * (they were computed for each index, with its own seed).
 */
export class FaceHashes {
  readonly #bySize = new Map<number, FaceHash>();
  readonly #seed: number;

  constructor(seed = FACE_HASH_SEED) {
    this.#seed = seed;
  }

  /** The hash of vectors of `dims` values. */
  of(dims: number): FaceHash {
    let h = this.#bySize.get(dims);
    if (!h) {
      h = new FaceHash(dims, this.#seed);
      this.#bySize.set(dims, h);
    }
    return h;
  }
}
