/**
 * A string-keyed table built once and then only read, for the roster's credential keys
 * (150,000 of them with 50,000 residents): the keys' characters in one byte pool and an
 * open-addressing index in typed arrays, instead of a V8 string and a Map entry per key.
 * A Map costs about 37 bytes an entry on top of the key string's own 16-byte header; here
 * a key costs its length plus about 20 bytes. Keys with a character above U+00FF (none that
 * the roster's formats produce, but the import does not forbid them) go to a plain Map.
 *
 * set() after a key's first insert replaces its value, as Map.set does.
 */
export class KeyTable<V> {
  /** Key characters (Latin-1), entry i at #offsets[i]…#offsets[i+1]. */
  #pool: Uint8Array;
  #poolUsed = 0;
  #offsets: Int32Array;
  /** Grown by push(): a `new Array(n)` this long would be a slow dictionary-mode array. */
  #values: V[] = [];
  #count = 0;
  /** Open addressing, linear probing: entry number + 1, 0 = empty; kept at most half full. */
  #slots: Int32Array;
  #wide: Map<string, V> | undefined;

  /**
   * `expect`: how many keys and characters are coming, when known (the roster counts them
   * first), so the arrays are made once at their size: growing them by doubling leaves the
   * outgrown copies with the allocator, megabytes of RSS that are not given back.
   */
  constructor(expect: { keys: number; chars: number } = { keys: 64, chars: 1024 }) {
    this.#pool = new Uint8Array(Math.max(16, expect.chars));
    this.#offsets = new Int32Array(Math.max(2, expect.keys + 1));
    let slots = 16;
    while (slots < 2 * expect.keys) slots *= 2;
    this.#slots = new Int32Array(slots);
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.#count + (this.#wide?.size ?? 0);
  }

  /** The value of `key`, if present. */
  get(key: string): V | undefined {
    const h = hashOf(key);
    if (h < 0) return this.#wide?.get(key);
    const e = this.#slots[this.#find(key, h)] as number;
    return e === 0 ? undefined : this.#values[e - 1];
  }

  /** Adds `key` or replaces its value. */
  set(key: string, value: V): void {
    const h = hashOf(key);
    if (h < 0) {
      this.#wide ??= new Map();
      this.#wide.set(key, value);
      return;
    }
    const slot = this.#find(key, h);
    const e = this.#slots[slot] as number;
    if (e !== 0) {
      this.#values[e - 1] = value;
      return;
    }
    this.#append(key, value);
    this.#slots[slot] = this.#count;
    if (this.#count * 2 > this.#slots.length) this.#rehash(this.#slots.length * 2);
  }

  /** Gives back the room left over when fewer keys came than expected or the arrays grew. */
  trim(): void {
    const n = this.#count;
    if (this.#pool.length > this.#poolUsed) this.#pool = this.#pool.slice(0, this.#poolUsed);
    if (this.#offsets.length > n + 1) this.#offsets = this.#offsets.slice(0, n + 1);
    this.#values = this.#values.slice(); // push() leaves up to half again in reserve
  }

  /** The slot holding `key` (of hash `h`), or the empty slot where it would go. */
  #find(key: string, h: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    const pool = this.#pool;
    const offsets = this.#offsets;
    const len = key.length;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[s] as number;
      if (e === 0) return s;
      const start = offsets[e - 1] as number;
      if ((offsets[e] as number) - start !== len) continue;
      let i = 0;
      while (i < len && pool[start + i] === key.charCodeAt(i)) i++;
      if (i === len) return s;
    }
  }

  #append(key: string, value: V): void {
    const len = key.length;
    if (this.#poolUsed + len > this.#pool.length) {
      const grown = new Uint8Array(Math.max(this.#pool.length * 2, this.#poolUsed + len));
      grown.set(this.#pool.subarray(0, this.#poolUsed));
      this.#pool = grown;
    }
    for (let i = 0; i < len; i++) this.#pool[this.#poolUsed + i] = key.charCodeAt(i);
    this.#poolUsed += len;
    const n = this.#count;
    if (n + 2 > this.#offsets.length) {
      const grown = new Int32Array(this.#offsets.length * 2);
      grown.set(this.#offsets);
      this.#offsets = grown;
    }
    this.#offsets[n + 1] = this.#poolUsed;
    this.#values.push(value);
    this.#count = n + 1;
  }

  #rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    const pool = this.#pool;
    const offsets = this.#offsets;
    for (let e = 1; e <= this.#count; e++) {
      let h = FNV_OFFSET;
      for (let i = offsets[e - 1] as number; i < (offsets[e] as number); i++)
        h = Math.imul(h ^ (pool[i] as number), FNV_PRIME);
      let s = (h >>> 1) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e;
    }
    this.#slots = slots;
  }
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a of a Latin-1 string as a non-negative int; -1 when it has a wider character. */
function hashOf(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0xff) return -1;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h >>> 1;
}
