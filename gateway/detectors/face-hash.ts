/**
 * The hash functions of the face index (face-index.ts): `TABLES` keys of `BITS` sign bits
 * each, and for each key the buckets most likely to hold a near face (multi-probe LSH).
 *
 * The sign bits are those of random rotations of the vector (three rounds of random sign
 * flips and a Walsh–Hadamard transform, "HD3"), not of dense Gaussian hyperplanes: a
 * rotation gives as many hyperplanes as the vector has (padded) dimensions for about
 * 3·d·log₂d additions instead of d² multiplications, so 432 bits cost less than the 220
 * dense ones did. Seeded: the same captures give the same keys on every box and run.
 */

/** Hash tables. */
export const TABLES = 24;
/** Sign bits per table (bits of a bucket key). */
export const BITS = 18;
/** Buckets probed per table beyond the query's own. */
export const PROBES = 48;
/**
 * The least certain bits a probe may flip (its perturbation sets are subsets of these):
 * the best 48 sets use ranks 0–6 only, so more would change nothing.
 */
const RANKED = 8;

/**
 * The perturbation sets probed, as masks over the ranks of a key's bits by certainty (bit j:
 * flip the j-th least certain bit), best first: sorted by the expected sum of the squared
 * projections they flip (Lv et al., "Multi-probe LSH", query-independent order), the
 * expected projection of rank j being Blom's estimate of the j-th smallest of BITS
 * half-normal values.
 */
export const PROBE_SETS: Int32Array = probeTemplate();

/**
 * TABLES keys of a vector and the buckets to probe around them.
 *
 * One instance may serve several indexes of the same seed (face-hashes.ts): an
 * unregistered capture is looked up in the clusters' index and then in the carriers'
 * holder index, and the rotation and probe lists of that capture are computed once, the
 * second query finding them by comparing the vector with the last one projected.
 */
export class FaceHash {
  readonly dims: number;
  /** Padded length: a power of two. */
  readonly #n: number;
  readonly #rotations: number;
  readonly #signs: Float64Array;
  readonly #work: Float64Array;
  /** The last queried vector's rotated coordinates; table t reads [t·BITS, (t+1)·BITS). */
  readonly #proj: Float64Array;
  /** Rotated coordinates of a vector being keyed (keys()), so the query's stay as they are. */
  readonly #scratch: Float64Array;
  /** The last queried vector (its first `dims` values), and whether #proj is its rotation. */
  readonly #last: Float32Array;
  #projected = false;
  /** The query's probe lists, TABLES × (PROBES + 1), and whether they are of #proj. */
  readonly #probeKeys = new Int32Array(TABLES * (PROBES + 1));
  #probed = false;
  readonly #abs = new Float64Array(RANKED + 1);
  readonly #rank = new Int32Array(RANKED + 1);
  readonly #lo = new Int32Array(64);
  readonly #hi = new Int32Array(1 << (RANKED - 6));

  constructor(dims: number, seed: number) {
    this.dims = dims;
    let n = 1;
    while (n < dims) n <<= 1;
    this.#n = n;
    this.#rotations = Math.ceil((TABLES * BITS) / n);
    this.#signs = randomSigns(this.#rotations * 3 * n, seed);
    this.#work = new Float64Array(n);
    this.#proj = new Float64Array(this.#rotations * n);
    this.#scratch = new Float64Array(this.#rotations * n);
    this.#last = new Float32Array(dims);
  }

  /**
   * Rotates the query `v` (its first `dims` values); probeKeys() then reads the result.
   * Nothing is computed when `v` holds the values last projected.
   */
  project(v: Float32Array): void {
    if (this.#projected && this.#isLast(v)) return;
    this.#rotate(v, this.#proj);
    this.#last.set(v.subarray(0, this.dims));
    this.#projected = true;
    this.#probed = false;
  }

  /**
   * The keys of `v` in every table, into out[0…TABLES). The query's rotation is reused when
   * `v` is the last query (a new cluster is its first capture) and left as it is otherwise.
   */
  keys(v: Float32Array, out: Int32Array): void {
    let p = this.#proj;
    if (!this.#projected || !this.#isLast(v)) {
      p = this.#scratch;
      this.#rotate(v, p);
    }
    for (let t = 0; t < TABLES; t++) {
      const base = t * BITS;
      let key = 0;
      for (let b = 0; b < BITS; b++) if ((p[base + b] as number) > 0) key |= 1 << b;
      out[t] = key;
    }
  }

  /**
   * The projected query's probe lists: for table t, at [t·(PROBES+1), (t+1)·(PROBES+1)), its
   * key first and then the PROBES buckets around it, best first. Computed once per query.
   */
  probeKeys(): Int32Array {
    if (!this.#probed) {
      for (let t = 0; t < TABLES; t++) this.#probes(t, t * (PROBES + 1));
      this.#probed = true;
    }
    return this.#probeKeys;
  }

  #isLast(v: Float32Array): boolean {
    const last = this.#last;
    for (let i = 0; i < this.dims; i++) if (last[i] !== v[i]) return false;
    return true;
  }

  #rotate(v: Float32Array, into: Float64Array): void {
    const n = this.#n;
    const a = this.#work;
    const signs = this.#signs;
    for (let r = 0; r < this.#rotations; r++) {
      a.fill(0);
      for (let i = 0; i < this.dims; i++) a[i] = v[i] as number;
      for (let round = 0; round < 3; round++) {
        const o = (r * 3 + round) * n;
        for (let i = 0; i < n; i++) a[i] = (a[i] as number) * (signs[o + i] as number);
        walshHadamard(a);
      }
      into.set(a, r * n);
    }
  }

  /** Writes the query's key in table `t` and the PROBES buckets around it at #probeKeys[at…]. */
  #probes(t: number, at: number): void {
    const p = this.#proj;
    const out = this.#probeKeys;
    const base = t * BITS;
    const abs = this.#abs;
    const rank = this.#rank;
    let key = 0;
    // The RANKED bits of smallest |projection|, least certain first (insertion into a short list).
    let kept = 0;
    for (let b = 0; b < BITS; b++) {
      const x = p[base + b] as number;
      if (x > 0) key |= 1 << b;
      const m = Math.abs(x);
      if (kept === RANKED && m >= (abs[RANKED - 1] as number)) continue;
      let j = kept < RANKED ? kept++ : RANKED - 1;
      while (j > 0 && (abs[j - 1] as number) > m) {
        abs[j] = abs[j - 1] as number;
        rank[j] = rank[j - 1] as number;
        j--;
      }
      abs[j] = m;
      rank[j] = b;
    }
    // Flip masks of every subset of ranks 0–5 and of the ranks above, so a set is two lookups.
    const lo = this.#lo;
    const hi = this.#hi;
    for (let x = 1; x < 64; x++)
      lo[x] = (lo[x & (x - 1)] as number) | (1 << (rank[31 - Math.clz32(x & -x)] as number));
    for (let x = 1; x < hi.length; x++)
      hi[x] = (hi[x & (x - 1)] as number) | (1 << (rank[6 + 31 - Math.clz32(x & -x)] as number));
    out[at] = key;
    for (let i = 0; i < PROBE_SETS.length; i++) {
      const m = PROBE_SETS[i] as number;
      out[at + i + 1] = key ^ (lo[m & 63] as number) ^ (hi[m >>> 6] as number);
    }
  }
}

/** In-place unnormalised Walsh–Hadamard transform (length a power of two). */
function walshHadamard(a: Float64Array): void {
  const n = a.length;
  for (let h = 1; h < n; h <<= 1) {
    for (let i = 0; i < n; i += h << 1) {
      for (let j = i; j < i + h; j++) {
        const x = a[j] as number;
        const y = a[j + h] as number;
        a[j] = x + y;
        a[j + h] = x - y;
      }
    }
  }
}

/** Seeded ±1 values (xorshift32). */
function randomSigns(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0x100 ? 1 : -1;
  }
  return out;
}

function probeTemplate(): Int32Array {
  const expected: number[] = [];
  for (let j = 0; j < RANKED; j++) expected.push(halfNormalQuantile((j + 1 - 0.375) / (BITS + 0.25)));
  const sets: Array<[number, number]> = [];
  for (let m = 1; m < 1 << RANKED; m++) {
    let score = 0;
    for (let j = 0; j < RANKED; j++) if (m & (1 << j)) score += (expected[j] as number) ** 2;
    sets.push([score, m]);
  }
  sets.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return Int32Array.from(sets.slice(0, PROBES), (x) => x[1]);
}

/** x ≥ 0 with P(|Z| ≤ x) = p for a standard normal Z (bisection on erf). */
function halfNormalQuantile(p: number): number {
  let lo = 0;
  let hi = 8;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (erf(mid / Math.SQRT2) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), x ≥ 0. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * x);
  const y = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 1 - y * Math.exp(-x * x);
}
