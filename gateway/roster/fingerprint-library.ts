import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';
import { isPage } from './fingerprint-templates.js';

/** Where a fingerprint reader stands: its door's building and entrance, when set. */
export interface ReaderScope {
  readerId: string;
  /** The door's building: only its households' residents; null (a gate) for every building. */
  building: string | null;
  /** The door's entrance: households of another entrance are left out; null for any. */
  entrance: string | null;
}

/**
 * The SQLite side of the enrolment sync: which pages the roster wants on a reader's
 * module (with their templates), and which template the sync last wrote at each page.
 */
export class FingerprintLibrary {
  readonly #db: Db;
  readonly #wanted: Statement;
  readonly #residents: Statement;
  readonly #ledger: Statement;
  readonly #record: Statement;
  readonly #forget: Statement;

  constructor(db: Db) {
    this.#db = db;
    // Active residents of active households the door admits (the same building and
    // entrance rules as decide.ts: a household without an entrance passes any entrance
    // of its building). A module holds a few hundred pages: a building's door does not
    // carry the whole estate.
    this.#wanted = db.prepare(
      `SELECT c.key AS page, t.template AS template
       FROM credentials c
       JOIN residents r ON r.id = c.resident_id
       JOIN households h ON h.id = r.household_id
       LEFT JOIN fingerprint_templates t ON t.template_id = c.key AND t.resident_id = c.resident_id
       WHERE c.kind = 'fingerprint' AND r.status = 'active' AND h.status = 'active'
         AND (@building IS NULL OR h.building_id = @building)
         AND (@entrance IS NULL OR h.entrance_id IS NULL OR h.entrance_id = @entrance)`,
    );
    this.#residents = db.prepare('SELECT count(*) FROM residents').pluck();
    this.#ledger = db.prepare('SELECT page, digest FROM fingerprint_enrolled WHERE reader_id = ?');
    this.#record = db.prepare(
      `INSERT INTO fingerprint_enrolled(reader_id, page, digest, enrolled_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(reader_id, page) DO UPDATE SET digest = excluded.digest, enrolled_at = excluded.enrolled_at`,
    );
    this.#forget = db.prepare('DELETE FROM fingerprint_enrolled WHERE reader_id = ? AND page = ?');
  }

  /** True once a roster with residents was imported: before that, the sync touches nothing. */
  hasRoster(): boolean {
    return (this.#residents.get() as number) > 0;
  }

  /**
   * Pages the roster wants on the reader's module → the template to write there, or null
   * when the roster has none (the page is kept if present but cannot be enrolled).
   * Fingerprint ids that are no page number are left out: no module page can match them.
   */
  wanted(scope: ReaderScope): Map<number, Buffer | null> {
    const out = new Map<number, Buffer | null>();
    const rows = this.#wanted.all({ building: scope.building, entrance: scope.entrance }) as Array<{
      page: string;
      template: Buffer | null;
    }>;
    for (const r of rows) if (isPage(r.page)) out.set(Number(r.page), r.template);
    return out;
  }

  /** page → digest of what the sync last stored there, for one reader. */
  enrolled(readerId: string): Map<number, string> {
    const rows = this.#ledger.all(readerId) as Array<{ page: number; digest: string }>;
    return new Map(rows.map((r) => [r.page, r.digest]));
  }

  /** Notes that `template` now sits at `page` of the reader's module. */
  recordEnrolled(readerId: string, page: number, template: Buffer, at: number): void {
    this.#record.run(readerId, page, digest(template), at);
  }

  /** Forgets pages that are no longer on the module (deleted, or the module was emptied). */
  forget(readerId: string, pages: Iterable<number>): void {
    this.#db.transaction(() => {
      for (const p of pages) this.#forget.run(readerId, p);
    })();
  }
}

/** SHA-256 of a template, hex: what the ledger compares. */
export function digest(template: Buffer): string {
  return createHash('sha256').update(template).digest('hex');
}
