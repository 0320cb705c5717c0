import type { DriverState } from '../types.js';

/** Where a terminal's record log was last read up to. */
export interface CursorValue {
  /**
   * The terminal's record number (Hikvision serialNo, Dahua RecNo) of the last record
   * recorded; -1 when no record is known yet and a catch-up searches by time from `t`.
   */
  n: number;
  /** That record's time on the terminal's clock, epoch ms: a search starts a little before it. */
  t: number;
}

/**
 * A terminal's catch-up cursor, persisted through the driver state (migration 008) under
 * one key per reader. It is moved only after the record it names is durable in the journal,
 * so a crash between the two repeats that record (deduplicated) and loses none.
 */
export class Cursor {
  readonly #state: DriverState;
  readonly #readerId: string;
  readonly #key: string;
  #value: CursorValue | null | undefined;

  constructor(state: DriverState, readerId: string, key: string) {
    this.#state = state;
    this.#readerId = readerId;
    this.#key = key;
  }

  /** The last record recorded, or null before the first (a new terminal: no history is imported). */
  get value(): CursorValue | null {
    if (this.#value === undefined) this.#value = parse(this.#state.get(this.#readerId, this.#key));
    return this.#value;
  }

  /**
   * A terminal with no cursor yet lost a record (a push too large to read): the next
   * catch-up searches by time from `t` instead of importing nothing. No-op once a record
   * has set the cursor.
   */
  startAt(t: number): void {
    if (this.value === null) this.set({ n: -1, t });
  }

  /** Moves to `v` (forward only, unless `force`: a terminal whose counter restarted). */
  set(v: CursorValue, force = false): void {
    const cur = this.value;
    if (!force && cur && v.n <= cur.n) return;
    this.#value = v;
    this.#state.set(this.#readerId, this.#key, JSON.stringify(v));
  }
}

function parse(raw: string | null): CursorValue | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<CursorValue>;
    return Number.isSafeInteger(v.n) && Number.isFinite(v.t) ? { n: v.n as number, t: v.t as number } : null;
  } catch {
    return null;
  }
}

/** Driver state kept in memory: for contexts without a store (tests, the decode tool). */
export class MemoryDriverState implements DriverState {
  readonly #m = new Map<string, string>();
  get(readerId: string, key: string): string | null {
    return this.#m.get(`${readerId}\u0000${key}`) ?? null;
  }
  set(readerId: string, key: string, value: string): void {
    this.#m.set(`${readerId}\u0000${key}`, value);
  }
}
