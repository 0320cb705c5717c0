import type { Db } from '../store/db.js';

/** Bits of the filter: 16 MB, about 0.1 % false positives at a 5,000-household year's 8 M reads. */
const BITS_LOG2 = 27;
/** Bit positions per key. */
const HASHES = 7;

/**
 * The (reader, record id) pairs the journal holds, as a Bloom filter (issue 15): a replay
 * asks the journal whether it has each read already (the dedupe that makes a replay safe
 * to run again), and into a fresh data directory the answer is nearly always no — an
 * indexed lookup per read, against an index that outgrows the page cache over a year.
 * A key the filter has never seen is certainly not in the journal; a key it may have seen
 * is asked of the journal as before. Never a false "no": it is filled from the journal
 * when installed and told of every key committed after that.
 */
export class SeenFilter {
  readonly #bits = new Int32Array(1 << (BITS_LOG2 - 5));
  #keys = 0;
  readonly #pos = new Uint32Array(HASHES);

  /** A filter of every key the journal of `db` holds now. */
  static fromJournal(db: Db): SeenFilter {
    const f = new SeenFilter();
    const rows = db.prepare('SELECT reader_id, record_id FROM journal').raw().iterate() as IterableIterator<
      [string, string]
    >;
    for (const [reader, record] of rows) f.add(reader, record);
    return f;
  }

  /** Keys added (for the replay's report). */
  get size(): number {
    return this.#keys;
  }

  /** False when the journal certainly lacks the key; true when it may hold it. */
  mayHave(readerId: string, recordId: string): boolean {
    for (const b of this.#positions(readerId, recordId))
      if (((this.#bits[b >>> 5] as number) & (1 << (b & 31))) === 0) return false;
    return true;
  }

  /** Records a key the journal now holds. */
  add(readerId: string, recordId: string): void {
    for (const b of this.#positions(readerId, recordId))
      this.#bits[b >>> 5] = (this.#bits[b >>> 5] as number) | (1 << (b & 31));
    this.#keys++;
  }

  /** The key's HASHES bit positions (double hashing), in one reused array: no allocation per read. */
  #positions(readerId: string, recordId: string): Uint32Array {
    const h1 = hash(readerId, recordId, 0x811c9dc5);
    const h2 = hash(readerId, recordId, 0x01000193) | 1;
    const mask = (1 << BITS_LOG2) - 1;
    for (let i = 0; i < HASHES; i++) this.#pos[i] = (h1 + Math.imul(i, h2)) & mask;
    return this.#pos;
  }
}

/** FNV-1a over the reader id, a separator and the record id, from `seed`, finished by a murmur3 mix. */
function hash(a: string, b: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0xff, 0x01000193);
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
