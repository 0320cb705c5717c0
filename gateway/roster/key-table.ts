/**
 * A string-keyed table built once and then only read, for the roster's credential keys
 * (150,000 of them with 50,000 residents): the keys' characters in one byte pool and an
 * open-addressing index in typed arrays, instead of a V8 string and a Map entry per key.
 * A Map costs about 37 bytes an entry on top of the key string's own 16-byte header; here
 * a key costs its length plus about 20 bytes, and a hex key (ID-number HMACs, 64 characters;
 * card UIDs) half its length: two digits a byte. Keys with a character above U+00FF (none
 * that the roster's formats produce, but the import does not forbid them) go to a plain Map.
 *
 * set() after a key's first insert replaces its value, as Map.set does.
 */
export class KeyTable<V> {
  /** Key bytes, entry i at #offsets[i]…#offsets[i+1]: Latin-1 characters or hex pairs (#forms). */
  #pool: Uint8Array;
  /** How entry i's bytes spell its key: RAW, LOWER_HEX or UPPER_HEX. */
  #forms: Uint8Array;
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
    this.#forms = new Uint8Array(this.#offsets.length);
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
    if (this.#forms.length > n) this.#forms = this.#forms.slice(0, n);
    this.#values = this.#values.slice(); // push() leaves up to half again in reserve
  }

  /** The slot holding `key` (of hash `h`), or the empty slot where it would go. */
  #find(key: string, h: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[s] as number;
      if (e === 0 || this.#is(e - 1, key)) return s;
    }
  }

  /** Whether entry `n` spells `key`. */
  #is(n: number, key: string): boolean {
    const pool = this.#pool;
    const start = this.#offsets[n] as number;
    const bytes = (this.#offsets[n + 1] as number) - start;
    const form = this.#forms[n] as number;
    const len = key.length;
    if (form === RAW) {
      if (bytes !== len) return false;
      for (let i = 0; i < len; i++) if (pool[start + i] !== key.charCodeAt(i)) return false;
      return true;
    }
    if (bytes * 2 !== len) return false;
    const letters = form === LOWER_HEX ? 87 : 55; // 10 + 87 = 'a', 10 + 55 = 'A'
    for (let i = 0; i < bytes; i++) {
      const b = pool[start + i] as number;
      const hi = b >> 4;
      const lo = b & 15;
      if (key.charCodeAt(2 * i) !== (hi < 10 ? 48 + hi : letters + hi)) return false;
      if (key.charCodeAt(2 * i + 1) !== (lo < 10 ? 48 + lo : letters + lo)) return false;
    }
    return true;
  }

  #append(key: string, value: V): void {
    const form = formOf(key);
    const len = form === RAW ? key.length : key.length / 2;
    if (this.#poolUsed + len > this.#pool.length) {
      const grown = new Uint8Array(Math.max(this.#pool.length * 2, this.#poolUsed + len));
      grown.set(this.#pool.subarray(0, this.#poolUsed));
      this.#pool = grown;
    }
    const at = this.#poolUsed;
    if (form === RAW) for (let i = 0; i < len; i++) this.#pool[at + i] = key.charCodeAt(i);
    else
      for (let i = 0; i < len; i++)
        this.#pool[at + i] = (nibble(key.charCodeAt(2 * i)) << 4) | nibble(key.charCodeAt(2 * i + 1));
    this.#poolUsed += len;
    const n = this.#count;
    if (n + 2 > this.#offsets.length) {
      const grown = new Int32Array(this.#offsets.length * 2);
      grown.set(this.#offsets);
      this.#offsets = grown;
      const forms = new Uint8Array(grown.length);
      forms.set(this.#forms);
      this.#forms = forms;
    }
    this.#forms[n] = form;
    this.#offsets[n + 1] = this.#poolUsed;
    this.#values.push(value);
    this.#count = n + 1;
  }

  #rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let e = 1; e <= this.#count; e++) {
      let s = hashOf(this.#keyOf(e - 1)) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e;
    }
    this.#slots = slots;
  }

  /** Entry `n`'s key as a string (only while growing: it allocates). */
  #keyOf(n: number): string {
    const start = this.#offsets[n] as number;
    const bytes = this.#pool.subarray(start, this.#offsets[n + 1] as number);
    const form = this.#forms[n] as number;
    if (form === RAW) return Buffer.from(bytes).toString('latin1');
    const hex = Buffer.from(bytes).toString('hex');
    return form === LOWER_HEX ? hex : hex.toUpperCase();
  }
}

/**
 * The bytes `key` takes in a table (its `expect.chars` share). KEY_BYTES_SQL is the same
 * rule in SQLite, for counting a stored roster without reading every key into JS.
 */
export function keyBytes(key: string): number {
  return formOf(key) === RAW ? key.length : key.length / 2;
}

/** keyBytes() over a column named `key`, in SQLite (GLOB is case-sensitive). */
export const KEY_BYTES_SQL = `CASE WHEN length(key) > 0 AND length(key) % 2 = 0
  AND (key NOT GLOB '*[^0-9a-f]*' OR key NOT GLOB '*[^0-9A-F]*') THEN length(key) / 2 ELSE length(key) END`;

const RAW = 0;
const LOWER_HEX = 1;
const UPPER_HEX = 2;

/** How a key is best kept: as hex pairs when it is hex of one case and even length. */
function formOf(key: string): number {
  if (key.length === 0 || key.length % 2 !== 0) return RAW;
  let lower = false;
  let upper = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 97 && c <= 102) lower = true;
    else if (c >= 65 && c <= 70) upper = true;
    else if (c < 48 || c > 57) return RAW;
  }
  return lower && upper ? RAW : upper ? UPPER_HEX : LOWER_HEX;
}

/** The value of a hex digit (formOf has checked it is one). */
function nibble(c: number): number {
  return c <= 57 ? c - 48 : c >= 97 ? c - 87 : c - 55;
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
