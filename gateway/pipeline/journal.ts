/**
 * The journal stage: all the SQL of the `journal` and `decisions` tables in one module —
 * dedupe, the append inside the commit, retention, and the queries of the API and the
 * export. The store may open after the journal is built: nothing is prepared before first
 * use, and each statement is prepared once.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';
import { conditions } from '../store/queries.js';
import type { Store } from '../store/store.js';
import type { Checked } from './check.js';
import type { NormalizedRead } from './normalize.js';

const EXISTS = 'SELECT 1 FROM journal WHERE reader_id = ? AND record_id = ?';
const INSERT_ENTRY = `INSERT OR IGNORE INTO journal(reader_id, record_id, door_id, direction, ts, reader_ts, received_at,
                                       type, credential, score, liveness, offline, stale, thumb, extra)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_DECISION =
  'INSERT INTO decisions(seq, resident_id, household_id, outcome, answer, policy, reasons, schedule) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

/** Rows deleted per retention transaction: short enough not to hold up a commit of reads. */
export const PURGE_BATCH_ROWS = 5000;

/** The journal of access records: one row per (reader, record id), each with its decision. */
export class Journal {
  readonly #store: Store;
  #exists: Statement | null = null;
  #insertEntry: Statement | null = null;
  #insertDecision: Statement | null = null;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Whether the reader's record is journaled already. The live path no longer asks per
   * read (`appendEntry` answers it); only reads the journal's insert will not see first ask:
   * those answered while the journal fails, and those the check refuses or sends to the backlog.
   */
  has(readerId: string, recordId: string): boolean {
    this.#exists ??= this.#store.db.prepare(EXISTS).pluck();
    return this.#exists.get(readerId, recordId) !== undefined;
  }

  /**
   * Writes a checked read's journal row and decision and sets its seq; returns the seq,
   * or 0 when the journal had the read already. Call inside the commit's transaction.
   */
  append(c: Checked): number {
    const seq = this.appendEntry(c.read, c.thumb);
    if (seq !== 0) this.appendDecision(c, seq);
    return seq;
  }

  /**
   * Writes a read's journal row; returns its seq, or 0 when the journal had the read
   * already — this `INSERT OR IGNORE` on the unique (reader, record id) key is the
   * dedupe of every read that was not held through a failure (issue 15). Call inside
   * the commit's transaction, then `appendDecision` with the seq.
   */
  appendEntry(n: NormalizedRead, thumb: string | null): number {
    this.#insertEntry ??= this.#store.db.prepare(INSERT_ENTRY);
    const extra =
      n.idMasked || n.strangerId
        ? JSON.stringify({ idMasked: n.idMasked ?? undefined, strangerId: n.strangerId ?? undefined })
        : null;
    const info = this.#insertEntry.run(
      n.readerId,
      n.recordId,
      n.doorId,
      n.direction,
      n.ts,
      n.readerTs,
      n.receivedAt,
      n.type,
      n.key,
      n.score,
      n.liveness === null ? null : n.liveness ? 1 : 0,
      n.offline ? 1 : 0,
      n.stale ? 1 : 0,
      thumb,
      extra,
    );
    return info.changes === 0 ? 0 : Number(info.lastInsertRowid);
  }

  /** Writes the decision of the read whose row `appendEntry` wrote as `seq`, and sets its seq. */
  appendDecision(c: Checked, seq: number): void {
    const { resolution: res, decision: d } = c;
    this.#insertDecision ??= this.#store.db.prepare(INSERT_DECISION);
    c.seq = seq;
    this.#insertDecision.run(
      seq,
      res.resident?.id ?? null,
      res.household?.id ?? null,
      d.outcome,
      d.answer,
      d.policy,
      d.reasons.join(' '),
      d.schedule ?? null,
    );
  }

  /**
   * Retention: deletes the entries (and their decisions) whose event time is before
   * `cutoffMs`, `batchRows` per transaction, yielding to I/O between transactions so that
   * the reads of a busy door never wait behind a year of deletes. Entries in `keep` (the
   * evidence of open cases, issue 9 item 7) stay. Returns how many were deleted.
   */
  async purgeBefore(
    cutoffMs: number,
    batchRows = PURGE_BATCH_ROWS,
    keep: ReadonlySet<number> = new Set(),
  ): Promise<number> {
    const db = this.#store.db;
    // A cursor over (ts, seq): kept entries are stepped over, not picked again.
    const pick = db.prepare(
      `SELECT seq, ts FROM journal WHERE ts < @cut AND (ts > @ts OR (ts = @ts AND seq > @seq))
        ORDER BY ts, seq LIMIT @n`,
    );
    const delEntry = db.prepare('DELETE FROM journal WHERE seq = ?');
    const delDecision = db.prepare('DELETE FROM decisions WHERE seq = ?');
    const purge = db.transaction((seqs: number[]) => {
      for (const s of seqs) {
        delEntry.run(s);
        delDecision.run(s);
      }
    });
    let total = 0;
    let at = { ts: Number.MIN_SAFE_INTEGER, seq: 0 };
    for (;;) {
      const rows = pick.all({ cut: cutoffMs, ts: at.ts, seq: at.seq, n: batchRows }) as Array<{
        seq: number;
        ts: number;
      }>;
      const last = rows.at(-1);
      if (!last) return total;
      at = last;
      const seqs = rows.map((r) => r.seq).filter((s) => !keep.has(s));
      if (seqs.length > 0) purge(seqs);
      total += seqs.length;
      await new Promise((r) => setImmediate(r));
    }
  }
}

/** One journal entry with its decision, as the API and the export show it. */
export interface EntryRow {
  seq: number;
  ts: number;
  readerId: string;
  doorId: string;
  direction: 'in' | 'out';
  type: string;
  score: number | null;
  offline: boolean;
  stale: boolean;
  thumb: string | null;
  outcome: 'granted' | 'denied';
  answer: 'unlock' | 'deny' | null;
  reasons: string[];
  residentId: string | null;
  householdId: string | null;
  /** The door schedule that applied (issue 13), `{schedule}:{mode}`, or null. */
  schedule: string | null;
}

/** Which entries a query wants; every field is optional. */
export interface EntryFilter {
  since?: number;
  until?: number;
  readerId?: string;
  doorId?: string;
  householdId?: string;
  outcome?: 'granted' | 'denied';
  /** Cursor: only entries with seq below this (newest-first paging). */
  before?: number;
  /** Cursor: only entries with seq above this (oldest-first export). */
  after?: number;
}

const SELECT = `SELECT j.seq, j.ts, j.reader_id AS readerId, j.door_id AS doorId, j.direction, j.type, j.score,
       j.offline, j.stale, j.thumb, d.outcome, d.answer, d.reasons, d.resident_id AS residentId,
       d.household_id AS householdId, d.schedule
  FROM journal j JOIN decisions d ON d.seq = j.seq`;

function where(f: EntryFilter): { sql: string; params: Record<string, unknown> } {
  const w = conditions();
  const add = w.add;
  add('j.ts >= @since', 'since', f.since);
  add('j.ts < @until', 'until', f.until);
  add('j.reader_id = @readerId', 'readerId', f.readerId);
  add('j.door_id = @doorId', 'doorId', f.doorId);
  add('d.household_id = @householdId', 'householdId', f.householdId);
  add('d.outcome = @outcome', 'outcome', f.outcome);
  add('j.seq < @before', 'before', f.before);
  add('j.seq > @after', 'after', f.after);
  return { sql: w.sql, params: w.params };
}

function toEntry(r: Record<string, unknown>): EntryRow {
  return {
    seq: r.seq as number,
    ts: r.ts as number,
    readerId: r.readerId as string,
    doorId: r.doorId as string,
    direction: r.direction as 'in' | 'out',
    type: r.type as string,
    score: (r.score as number | null) ?? null,
    offline: r.offline === 1,
    stale: r.stale === 1,
    thumb: (r.thumb as string | null) ?? null,
    outcome: r.outcome as 'granted' | 'denied',
    answer: (r.answer as 'unlock' | 'deny' | null) ?? null,
    reasons: String(r.reasons).split(' ').filter(Boolean),
    residentId: (r.residentId as string | null) ?? null,
    householdId: (r.householdId as string | null) ?? null,
    schedule: (r.schedule as string | null) ?? null,
  };
}

/** Newest entries first, paged by `before`. */
export function listEntries(db: Db, f: EntryFilter, limit: number): EntryRow[] {
  const n = Math.max(1, Math.min(limit, 1000));
  if (f.householdId) return listOfHousehold(db, f, n);
  const w = where(f);
  return (
    db.prepare(`${SELECT}${w.sql} ORDER BY j.seq DESC LIMIT ${n}`).all(w.params) as Array<
      Record<string, unknown>
    >
  ).map(toEntry);
}

/**
 * decisions_household_slice (migration 015) is keyed by `seq >> 12`: 4,096 consecutive
 * seqs a slice. Smaller slices put a batch on fewer pages (1,024: 2.7 kB of WAL a read
 * against 3.0 kB) but cost an idle household's query four times the seeks.
 */
const SLICE_BITS = 12;

/**
 * A household's entries, newest first: slice by slice of its index (migration 015), from
 * the newest slice the filter allows down to the oldest, until `n` are found. Each slice
 * is one index seek; an idle household costs one per 4,096 entries of the journal.
 */
function listOfHousehold(db: Db, f: EntryFilter, n: number): EntryRow[] {
  const w = where(f);
  const stmt = db.prepare(
    `${SELECT}${w.sql} AND (d.seq >> ${SLICE_BITS}) = @slice ORDER BY d.seq DESC LIMIT @left`,
  );
  // Two queries: min() and max() together would scan the table, each alone is one seek.
  const lo = db.prepare('SELECT min(seq) FROM decisions').pluck().get() as number | null;
  const hi = db.prepare('SELECT max(seq) FROM decisions').pluck().get() as number | null;
  if (lo === null || hi === null) return [];
  const top = Math.floor((f.before === undefined ? hi : Math.min(hi, f.before - 1)) / 2 ** SLICE_BITS);
  const bottom = Math.floor((f.after === undefined ? lo : Math.max(lo, f.after + 1)) / 2 ** SLICE_BITS);
  const out: EntryRow[] = [];
  for (let slice = top; slice >= bottom && out.length < n; slice--) {
    const rows = stmt.all({ ...w.params, slice, left: n - out.length }) as Array<Record<string, unknown>>;
    for (const r of rows) out.push(toEntry(r));
  }
  return out;
}

/** Every matching entry, oldest first, streamed (exports of any size in flat memory). */
export function* iterateEntries(db: Db, f: EntryFilter): Generator<EntryRow> {
  const w = where(f);
  for (const r of db.prepare(`${SELECT}${w.sql} ORDER BY j.seq`).iterate(w.params))
    yield toEntry(r as Record<string, unknown>);
}

/** Entries in and out since `since` (event time), and the entries in that were denied. */
export function countsSince(db: Db, since: number): { in: number; out: number; denied: number } {
  const c = { in: 0, out: 0, denied: 0 };
  const rows = db
    .prepare('SELECT direction, count(*) AS n FROM journal WHERE ts >= ? GROUP BY direction')
    .all(since) as Array<{ direction: 'in' | 'out'; n: number }>;
  for (const r of rows) c[r.direction] = r.n;
  c.denied = db
    .prepare(
      `SELECT count(*) FROM journal j JOIN decisions d ON d.seq = j.seq
        WHERE j.ts >= ? AND j.direction = 'in' AND d.outcome = 'denied'`,
    )
    .pluck()
    .get(since) as number;
  return c;
}

/** Entries per `bucketMs` slot of [from, to) and direction: slot 0 starts at `from`. */
export function countsBySlot(
  db: Db,
  from: number,
  to: number,
  bucketMs: number,
): Array<{ slot: number; direction: 'in' | 'out'; n: number }> {
  return db
    .prepare(
      `SELECT CAST((ts - @from) / @bucket AS INTEGER) AS slot, direction, count(*) AS n FROM journal
        WHERE ts >= @from AND ts < @to GROUP BY slot, direction`,
    )
    .all({ from, to, bucket: bucketMs }) as Array<{ slot: number; direction: 'in' | 'out'; n: number }>;
}

/** The entries attached to an alert as its evidence, oldest first, at most `limit`. */
export function entriesOfAlert(db: Db, alertId: string, limit: number): EntryRow[] {
  return (
    db
      .prepare(
        `${SELECT} JOIN alert_entries ae ON ae.seq = j.seq WHERE ae.alert_id = ? ORDER BY j.seq LIMIT ?`,
      )
      .all(alertId, Math.max(1, Math.floor(limit))) as Array<Record<string, unknown>>
  ).map(toEntry);
}

/** The thumbnail references of the given entries (those that have one). */
export function thumbsOfEntries(db: Db, seqs: Iterable<number>): string[] {
  const thumbOf = db.prepare('SELECT thumb FROM journal WHERE seq = ?').pluck();
  const out: string[] = [];
  for (const s of seqs) {
    const t = thumbOf.get(s);
    if (typeof t === 'string') out.push(t);
  }
  return out;
}

/** Whether the journal holds an entry from before `ts` (event time). */
export function hasEntryBefore(db: Db, ts: number): boolean {
  return db.prepare('SELECT 1 FROM journal WHERE ts < ? LIMIT 1').get(ts) !== undefined;
}
