import { FaceBuckets } from './face-buckets.js';
import { BITS, FaceHash, PROBES, TABLES } from './face-hash.js';
import { FACE_HASH_SEED } from './face-hashes.js';

/**
 * A sub-linear index of face centroids by cosine similarity (issue 10): multi-probe LSH.
 * Recognising an unregistered face used to scan every live cluster (63 % of a
 * 5,000-household replay's CPU, and the same scan runs inside the door path's commit);
 * here a capture is compared only with the centroids that share one of the buckets it
 * probes: in each of TABLES tables its own bucket and the PROBES buckets a near face most
 * likely fell in (face-hash.ts). Pure TypeScript and seeded: the same captures give the
 * same answers on every box and every run, with nothing to download or compile.
 *
 * Keys of 18 bits keep the candidates few as the estate grows (about 90 unrelated
 * centroids at 20,000 live clusters, where 20 tables of 11 bits met N/25 of them: the cost
 * grew with N); 24 tables and 48 probes each find a face at cosine 0.80 as often as a
 * scan does (test/unit/face-index.test.ts measures how often the index and the scan
 * disagree). usearch 2.26 (prebuilt for linux-x64/arm64 in its npm package) was measured
 * beside the earlier index: 0.7 ms per search and 0.5 ms per update at 30,000 centroids;
 * its inserts are multi-threaded, so a replay would not be repeatable.
 */

/** The best match of a query: an id and its cosine. */
export interface Match {
  id: number;
  sim: number;
}

/** Centroids (unit vectors of one length) by id, found again by cosine without a full scan. */
export class FaceIndex {
  readonly dims: number;
  readonly #hash: FaceHash;
  readonly #buckets = new FaceBuckets(TABLES, BITS);
  /** Vectors in slots of one buffer (cache-friendly dots); a freed slot is reused. */
  #pool: Float32Array;
  #slotId: number[] = [];
  #slotKeys: Int32Array[] = [];
  readonly #free: number[] = [];
  readonly #slotOf = new Map<number, number>();
  /** Query generation per slot: a slot met twice in one query is compared once. */
  #mark: Uint32Array;
  #gen = 0;
  readonly #keys = new Int32Array(TABLES);

  /** `hash`: the rotations, which several indexes may share (face-hashes.ts). */
  constructor(dims: number, hash: FaceHash = new FaceHash(dims, FACE_HASH_SEED)) {
    if (hash.dims !== dims) throw new RangeError(`a hash of ${hash.dims} values for an index of ${dims}`);
    this.dims = dims;
    this.#hash = hash;
    this.#pool = new Float32Array(dims * 1024);
    this.#mark = new Uint32Array(1024);
    this.#buckets.reserve(1024);
  }

  get size(): number {
    return this.#slotOf.size;
  }

  /** Adds or moves a centroid (its values are copied: set it again after it changes). */
  set(id: number, v: Float32Array): void {
    let slot = this.#slotOf.get(id);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#grow();
      this.#slotOf.set(id, slot);
      this.#slotId[slot] = id;
    }
    this.#pool.set(v.subarray(0, this.dims), slot * this.dims);
    const keys = this.#keys;
    this.#hash.keys(v, keys);
    const old = this.#slotKeys[slot];
    if (old && old.length > 0 && sameKeys(old, keys)) return;
    if (old && old.length > 0) this.#unlink(slot, old);
    this.#slotKeys[slot] = Int32Array.from(keys);
    for (let t = 0; t < TABLES; t++) this.#buckets.add(t, keys[t] as number, slot);
  }

  /** Forgets a centroid. */
  delete(id: number): void {
    const slot = this.#slotOf.get(id);
    if (slot === undefined) return;
    const old = this.#slotKeys[slot];
    if (old && old.length > 0) this.#unlink(slot, old);
    this.#slotKeys[slot] = EMPTY;
    this.#slotOf.delete(id);
    this.#free.push(slot);
  }

  /** The centroid most similar to `v` at or above `threshold`, among those sharing a probed bucket. */
  nearest(v: Float32Array, threshold: number): Match | null {
    if (this.#slotOf.size === 0) return null;
    this.#hash.project(v);
    const gen = ++this.#gen;
    if (gen === 0xffffffff) {
      this.#mark.fill(0);
      this.#gen = 1;
    }
    const d = this.dims;
    const pool = this.#pool;
    const mark = this.#mark;
    const buckets = this.#buckets;
    const probes = this.#hash.probeKeys();
    const occupied = buckets.occupied;
    let bestSlot = -1;
    let bestSim = threshold;
    for (let t = 0, at = 0; t < TABLES; t++, at += PROBES + 1) {
      const base = t << BITS;
      for (let p = at; p < at + PROBES + 1; p++) {
        const k = base + (probes[p] as number);
        if (((occupied[k >>> 5] as number) & (1 << (k & 31))) === 0) continue;
        for (let slot = buckets.head(k); slot >= 0; slot = buckets.next(t, slot)) {
          if (mark[slot] === gen) continue;
          mark[slot] = gen;
          let s = 0;
          const o = slot * d;
          for (let i = 0; i < d; i++) s += (pool[o + i] as number) * (v[i] as number);
          if (s >= bestSim) {
            bestSim = s;
            bestSlot = slot;
          }
        }
      }
    }
    return bestSlot < 0 ? null : { id: this.#slotId[bestSlot] as number, sim: bestSim };
  }

  #grow(): number {
    const slot = this.#slotId.length;
    if ((slot + 1) * this.dims > this.#pool.length) {
      const pool = new Float32Array(this.#pool.length * 2);
      pool.set(this.#pool);
      this.#pool = pool;
      const mark = new Uint32Array(this.#mark.length * 2);
      mark.set(this.#mark);
      this.#mark = mark;
      this.#buckets.reserve(mark.length);
    }
    this.#slotId.push(-1);
    this.#slotKeys.push(EMPTY);
    return slot;
  }

  #unlink(slot: number, keys: Int32Array): void {
    for (let t = 0; t < TABLES; t++) this.#buckets.remove(t, keys[t] as number, slot);
  }
}

const EMPTY = new Int32Array(0);

/** Cosine of two unit vectors of the same length. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

const sameKeys = (a: Int32Array, b: Int32Array) => a.every((x, i) => x === b[i]);
