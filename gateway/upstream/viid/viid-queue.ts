import { perEntryAlerts } from '../../alerts/per-entry.js';
import type { Detector, EntryContext } from '../../pipeline/detector.js';
import type { Store } from '../../store/store.js';

/** A face waiting for the platform, with what the journal says of its read. */
export interface QueuedFace {
  seq: number;
  journalSeq: number;
  createdAt: number;
  /** Null when the journal row is gone (retention): nothing left to send. */
  ts: number | null;
  readerId: string | null;
  thumb: string | null;
}

/** Which face reads go to the police platform (config viid.faces). */
export type FaceSelection = 'stranger' | 'alert' | 'denied' | 'all';

/**
 * The faces waiting for the police platform (migration 006 viid_queue): a row per selected
 * read, written by the record stage in the transaction of the read's journal row, so a
 * face is queued exactly when its read is on disk — the outbox's promise, in a queue of its
 * own so the police link never holds up the district upstream (issue 14).
 */
export class ViidQueue {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Queues a read (inside the record transaction). */
  add(journalSeq: number, now: number): void {
    this.#store
      .statement('INSERT OR IGNORE INTO viid_queue(journal_seq, created_at) VALUES (?, ?)')
      .run(journalSeq, now);
  }

  /** The oldest `limit` faces. */
  peek(limit: number): QueuedFace[] {
    return this.#store
      .statement(
        `SELECT q.seq, q.journal_seq AS journalSeq, q.created_at AS createdAt, j.ts, j.reader_id AS readerId, j.thumb
           FROM viid_queue q LEFT JOIN journal j ON j.seq = q.journal_seq ORDER BY q.seq LIMIT ?`,
      )
      .all(limit) as QueuedFace[];
  }

  /** Removes sent (or given-up) faces. */
  remove(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    const del = this.#store.statement('DELETE FROM viid_queue WHERE seq = ?');
    this.#store.db.transaction(() => {
      for (const s of seqs) del.run(s);
    })();
  }

  /** Faces waiting. */
  get depth(): number {
    return this.#store.statement('SELECT count(*) FROM viid_queue').pluck().get() as number;
  }

  /** Drops the oldest faces past `max`; returns how many. */
  trim(max: number): number {
    return this.#store
      .statement('DELETE FROM viid_queue WHERE seq <= (SELECT max(seq) FROM viid_queue) - ?')
      .run(max).changes;
  }
}

/**
 * The record stage's seam (pipeline/detector.ts) used to queue faces: it raises nothing, it
 * only writes a queue row for each face read the configuration selects. The law asks for
 * the minimum, so the default is strangers and reads that raised an alert.
 */
export class ViidFaceSelector implements Detector {
  readonly name = 'viid';
  readonly #queue: ViidQueue;
  readonly #select: ReadonlySet<FaceSelection>;
  readonly #now: () => number;

  constructor(queue: ViidQueue, select: readonly FaceSelection[], now: () => number) {
    this.#queue = queue;
    this.#select = new Set(select);
    this.#now = now;
  }

  onEntry(e: EntryContext): [] {
    if (e.read.type !== 'face' || e.thumb === null || !this.selected(e)) return [];
    this.#queue.add(e.seq, this.#now());
    return [];
  }

  /** Whether a face read goes to the platform. */
  selected(e: EntryContext): boolean {
    const s = this.#select;
    if (s.has('all')) return true;
    if (s.has('denied') && e.decision.outcome === 'denied') return true;
    const reasons = e.decision.reasons;
    if (s.has('stranger') && (reasons.includes('stranger') || reasons.includes('unknown_person')))
      return true;
    return s.has('alert') && perEntryAlerts(e.read, e.resolution, e.decision).length > 0;
  }
}
