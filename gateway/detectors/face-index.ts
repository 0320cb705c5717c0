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
const TABLES = 16;
/** Hyperplanes per table (bits of a bucket key). */
const BITS = 12;
/** Least certain bits flipped per table (probes beyond the bucket itself). */
const PROBES = 2;

/** The best match of a query: an id and its cosine. */
export interface Match {
  id: number;
  sim: number;
}

/** Centroids (unit vectors of one length) by id, found again by cosine without a full scan. */
export class FaceIndex {
  readonly dims: number;
  readonly #planes: Float32Array;
  readonly #tables: Array<Map<number, number[]>> = [];
  readonly #vecs = new Map<number, Float32Array>();
  readonly #keys = new Map<number, Int32Array>();
  readonly #proj: Float32Array;

  constructor(dims: number, seed = 0x5eed) {
    this.dims = dims;
    this.#planes = gaussianPlanes(TABLES * BITS * dims, seed);
    this.#proj = new Float32Array(TABLES * BITS);
    for (let t = 0; t < TABLES; t++) this.#tables.push(new Map());
  }

  get size(): number {
    return this.#vecs.size;
  }

  /** Adds or moves a centroid (the vector is held, not copied: update after changing it). */
  set(id: number, v: Float32Array): void {
    const keys = this.#bucketKeys(v);
    const old = this.#keys.get(id);
    this.#vecs.set(id, v);
    if (old && sameKeys(old, keys)) return;
    if (old) this.#unlink(id, old);
    this.#keys.set(id, keys);
    for (let t = 0; t < TABLES; t++) {
      const table = this.#tables[t] as Map<number, number[]>;
      const k = keys[t] as number;
      const bucket = table.get(k);
      if (bucket) bucket.push(id);
      else table.set(k, [id]);
    }
  }

  /** Forgets a centroid. */
  delete(id: number): void {
    const old = this.#keys.get(id);
    if (old) this.#unlink(id, old);
    this.#keys.delete(id);
    this.#vecs.delete(id);
  }

  /** The centroid most similar to `v` at or above `threshold`, among those sharing a probed bucket. */
  nearest(v: Float32Array, threshold: number): Match | null {
    this.#project(v);
    const seen = new Set<number>();
    let best: Match | null = null;
    for (let t = 0; t < TABLES; t++) {
      const table = this.#tables[t] as Map<number, number[]>;
      const base = t * BITS;
      let key = 0;
      for (let b = 0; b < BITS; b++) if ((this.#proj[base + b] as number) > 0) key |= 1 << b;
      const probes = [key];
      for (const b of leastCertain(this.#proj, base)) probes.push(key ^ (1 << b));
      for (const k of probes) {
        const bucket = table.get(k);
        if (!bucket) continue;
        for (const id of bucket) {
          if (seen.has(id)) continue;
          seen.add(id);
          const s = dot(this.#vecs.get(id) as Float32Array, v);
          if (s >= threshold && (best === null || s > best.sim)) best = { id, sim: s };
        }
      }
    }
    return best;
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

  #unlink(id: number, keys: Int32Array): void {
    for (let t = 0; t < TABLES; t++) {
      const table = this.#tables[t] as Map<number, number[]>;
      const k = keys[t] as number;
      const bucket = table.get(k);
      if (!bucket) continue;
      const i = bucket.indexOf(id);
      if (i >= 0) {
        bucket[i] = bucket[bucket.length - 1] as number;
        bucket.pop();
      }
      if (bucket.length === 0) table.delete(k);
    }
  }
}

/** Cosine of two unit vectors of the same length. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

const sameKeys = (a: Int32Array, b: Int32Array) => a.every((x, i) => x === b[i]);

/** The PROBES bits of one table whose projections are nearest zero. */
function leastCertain(proj: Float32Array, base: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < PROBES; n++) {
    let pick = -1;
    let min = Infinity;
    for (let b = 0; b < BITS; b++) {
      const m = Math.abs(proj[base + b] as number);
      if (m < min && !out.includes(b)) {
        min = m;
        pick = b;
      }
    }
    out.push(pick);
  }
  return out;
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
