/**
 * The buckets of the face index (face-index.ts): for each (table, key), a list of slots,
 * in typed arrays rather than a Map of arrays. With 2^18 keys a table, most buckets hold
 * one face, and TABLES × faces small arrays would be tens of MB of heap for the collector
 * to walk; here a bucket is an entry of an open-addressing hash (linear probing, deleted by
 * backward shift) pointing at its first slot, and slots chain through `next`. A bitmap of
 * the buckets that hold anything answers most probes (the empty ones) with one load.
 */
export class FaceBuckets {
  readonly #tables: number;
  readonly #bits: number;
  /** Per hash entry: table·2^bits + key + 1, or 0 when free. */
  #keys = new Int32Array(1024);
  /** Per hash entry: the bucket's first slot. */
  #heads = new Int32Array(1024);
  #mask = 1023;
  #shift = 22;
  #used = 0;
  /** slot·tables + table → the next slot of the same bucket, or -1. */
  #next = new Int32Array(0);
  /** Bit (table·2^bits + key): the bucket holds a slot. */
  readonly #occupied: Uint32Array;

  constructor(tables: number, bits: number) {
    this.#tables = tables;
    this.#bits = bits;
    this.#occupied = new Uint32Array((tables << bits) >>> 5);
  }

  /** Makes room for slots below `n`. */
  reserve(n: number): void {
    if (n * this.#tables <= this.#next.length) return;
    const next = new Int32Array(Math.max(n * this.#tables, this.#next.length * 2));
    next.set(this.#next);
    this.#next = next;
  }

  /**
   * Bit k = (table << bits) + key is set while that bucket holds a slot: the index tests it
   * inline before head(k), a probe of an empty bucket being the common case.
   */
  get occupied(): Uint32Array {
    return this.#occupied;
  }

  /** The first slot of bucket k = (table << bits) + key, which must hold one (see occupied). */
  head(k: number): number {
    return this.#heads[this.#find(k + 1)] as number;
  }

  /** The slot after `slot` in its bucket of table `t`, or -1. */
  next(t: number, slot: number): number {
    return this.#next[slot * this.#tables + t] as number;
  }

  /** Puts `slot` first in bucket `key` of table `t`. */
  add(t: number, key: number, slot: number): void {
    const k = (t << this.#bits) + key;
    const word = k >>> 5;
    const bit = 1 << (k & 31);
    if (((this.#occupied[word] as number) & bit) !== 0) {
      const e = this.#find(k + 1);
      this.#next[slot * this.#tables + t] = this.#heads[e] as number;
      this.#heads[e] = slot;
      return;
    }
    if ((this.#used + 1) * 2 > this.#keys.length) this.#rehash(this.#keys.length * 2);
    let e = this.#home(k + 1);
    while (this.#keys[e] !== 0) e = (e + 1) & this.#mask;
    this.#keys[e] = k + 1;
    this.#heads[e] = slot;
    this.#used++;
    this.#next[slot * this.#tables + t] = -1;
    this.#occupied[word] = (this.#occupied[word] as number) | bit;
  }

  /** Takes `slot` out of bucket `key` of table `t` (it must be there). */
  remove(t: number, key: number, slot: number): void {
    const k = (t << this.#bits) + key;
    if (((this.#occupied[k >>> 5] as number) & (1 << (k & 31))) === 0) return;
    const e = this.#find(k + 1);
    const tables = this.#tables;
    const after = this.#next[slot * tables + t] as number;
    if (this.#heads[e] === slot) {
      if (after >= 0) this.#heads[e] = after;
      else this.#free(e, k);
      return;
    }
    for (let s = this.#heads[e] as number; s >= 0; s = this.#next[s * tables + t] as number) {
      if (this.#next[s * tables + t] === slot) {
        this.#next[s * tables + t] = after;
        return;
      }
    }
  }

  #home(stored: number): number {
    return Math.imul(stored, 0x9e3779b1) >>> this.#shift;
  }

  /** The hash entry of a stored key that is present. */
  #find(stored: number): number {
    let e = this.#home(stored);
    while (this.#keys[e] !== stored) e = (e + 1) & this.#mask;
    return e;
  }

  /** Empties entry `e` (bucket k) and shifts back the entries its probe sequence covered. */
  #free(e: number, k: number): void {
    this.#occupied[k >>> 5] = (this.#occupied[k >>> 5] as number) & ~(1 << (k & 31));
    this.#used--;
    const keys = this.#keys;
    let hole = e;
    let j = e;
    for (;;) {
      j = (j + 1) & this.#mask;
      const stored = keys[j] as number;
      if (stored === 0) break;
      const home = this.#home(stored);
      // Entry j may fill the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (inRange) continue;
      keys[hole] = stored;
      this.#heads[hole] = this.#heads[j] as number;
      hole = j;
    }
    keys[hole] = 0;
  }

  #rehash(size: number): void {
    const keys = this.#keys;
    const heads = this.#heads;
    this.#keys = new Int32Array(size);
    this.#heads = new Int32Array(size);
    this.#mask = size - 1;
    this.#shift = 32 - Math.log2(size);
    for (let i = 0; i < keys.length; i++) {
      const stored = keys[i] as number;
      if (stored === 0) continue;
      let e = this.#home(stored);
      while (this.#keys[e] !== 0) e = (e + 1) & this.#mask;
      this.#keys[e] = stored;
      this.#heads[e] = heads[i] as number;
    }
  }
}
