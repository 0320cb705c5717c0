/**
 * A sub-linear index of face centroids by cosine similarity (issue 10): random-hyperplane
 * LSH. Recognising an unregistered face used to scan every live cluster (63 % of a
 * 5,000-household replay's CPU, and the same scan runs inside the door path's commit);
 * here a capture is compared only with the centroids that share a bucket with it in one
 * of `TABLES` tables, probing each table's bucket and the buckets across its two least
 * certain hyperplanes (multi-probe). Pure TypeScript and seeded: the same captures give
 * the same answers on every box and every run, with nothing to download or compile.
 *
 * usearch 2.26 (prebuilt for linux-x64/arm64 in its npm package) was measured beside it
 * on this box: 0.7 ms per search and 0.5 ms per update at 30,000 centroids, against
 * 0.25 ms for this index and 6.9 ms for the scan; its inserts are multi-threaded, so a
 * replay would not be repeatable. Missing a centroid at the threshold means a capture
 * starts a new cluster, as a bad capture does; test/unit/face-index.test.ts measures how
 * often the index and the scan disagree.
 */

/** Hash tables: more find more near-threshold matches and cost more per capture. */
const TABLES = 20;
/** Hyperplanes per table (bits of a bucket key). */
const BITS = 11;
/** Least certain bits flipped per table (probes beyond the bucket itself). */
const PROBES = 3;

/** The best match of a query: an id and its cosine. */
export interface Match {
  id: number;
  sim: number;
}

/** Centroids (unit vectors of one length) by id, found again by cosine without a full scan. */
export class FaceIndex {
  readonly dims: number;
  readonly #planes: Float32Array;
  /** Per table: bucket key → slots. */
  readonly #tables: Array<Map<number, number[]>> = [];
  /** Vectors in slots of one buffer (cache-friendly dots); a freed slot is reused. */
  #pool: Float32Array;
  #slotId: number[] = [];
  #slotKeys: Int32Array[] = [];
  readonly #free: number[] = [];
  readonly #slotOf = new Map<number, number>();
  /** Query generation per slot: a slot met twice in one query is compared once. */
  #mark: Uint32Array;
  #gen = 0;
  readonly #proj: Float32Array;

  constructor(dims: number, seed = 0x5eed) {
    this.dims = dims;
    this.#planes = gaussianPlanes(TABLES * BITS * dims, seed);
    this.#proj = new Float32Array(TABLES * BITS);
    this.#pool = new Float32Array(dims * 1024);
    this.#mark = new Uint32Array(1024);
    for (let t = 0; t < TABLES; t++) this.#tables.push(new Map());
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
    const keys = this.#bucketKeys(v);
    const old = this.#slotKeys[slot];
    if (old && old.length > 0 && sameKeys(old, keys)) return;
    if (old && old.length > 0) this.#unlink(slot, old);
    this.#slotKeys[slot] = keys;
    for (let t = 0; t < TABLES; t++) {
      const table = this.#tables[t] as Map<number, number[]>;
      const k = keys[t] as number;
      const bucket = table.get(k);
      if (bucket) bucket.push(slot);
      else table.set(k, [slot]);
    }
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
    this.#project(v);
    const gen = ++this.#gen;
    if (gen === 0xffffffff) {
      this.#mark.fill(0);
      this.#gen = 1;
    }
    const d = this.dims;
    const pool = this.#pool;
    const mark = this.#mark;
    let bestSlot = -1;
    let bestSim = threshold;
    const probes = [0, 0, 0, 0, 0, 0, 0, 0].slice(0, PROBES + 1);
    for (let t = 0; t < TABLES; t++) {
      const table = this.#tables[t] as Map<number, number[]>;
      const base = t * BITS;
      let key = 0;
      for (let b = 0; b < BITS; b++) if ((this.#proj[base + b] as number) > 0) key |= 1 << b;
      probes[0] = key;
      leastCertain(this.#proj, base, probes, key);
      for (const k of probes) {
        const bucket = table.get(k);
        if (!bucket) continue;
        for (const slot of bucket) {
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
    }
    this.#slotId.push(-1);
    this.#slotKeys.push(EMPTY);
    return slot;
  }

  #bucketKeys(v: Float32Array): Int32Array {
    this.#project(v);
    const keys = new Int32Array(TABLES);
    for (let t = 0; t < TABLES; t++) {
      let key = 0;
      for (let b = 0; b < BITS; b++) if ((this.#proj[t * BITS + b] as number) > 0) key |= 1 << b;
      keys[t] = key;
    }
    return keys;
  }

  #project(v: Float32Array): void {
    const d = this.dims;
    const P = this.#planes;
    for (let i = 0; i < TABLES * BITS; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += (P[o + j] as number) * (v[j] as number);
      this.#proj[i] = s;
    }
  }

  #unlink(slot: number, keys: Int32Array): void {
    for (let t = 0; t < TABLES; t++) {
      const table = this.#tables[t] as Map<number, number[]>;
      const k = keys[t] as number;
      const bucket = table.get(k);
      if (!bucket) continue;
      const i = bucket.indexOf(slot);
      if (i >= 0) {
        bucket[i] = bucket[bucket.length - 1] as number;
        bucket.pop();
      }
      if (bucket.length === 0) table.delete(k);
    }
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

/** Fills probes[1…] with `key` flipped at each of the PROBES bits whose projections are nearest zero. */
function leastCertain(proj: Float32Array, base: number, probes: number[], key: number): void {
  let used = 0;
  for (let n = 1; n <= PROBES; n++) {
    let pick = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let b = 0; b < BITS; b++) {
      const m = Math.abs(proj[base + b] as number);
      if (m < min && (used & (1 << b)) === 0) {
        min = m;
        pick = b;
      }
    }
    used |= 1 << pick;
    probes[n] = key ^ (1 << pick);
  }
}

/** Seeded standard normal values (xorshift + Box–Muller): the same planes on every box. */
function gaussianPlanes(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}
