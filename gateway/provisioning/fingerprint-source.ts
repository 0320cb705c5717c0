import { createHash } from 'node:crypto';
import type { LibraryEntry } from '../../core/provisioning.js';
import { isPage } from '../roster/fingerprint-templates.js';
import type { Store } from '../store/store.js';
import type { LibrarySource, ReaderScope } from './library-source.js';

/**
 * Active residents of active households the door admits (the same building and entrance
 * rules as decide.ts: a household without an entrance passes any entrance of its
 * building). A module holds a few hundred pages: a building's door does not carry the
 * whole estate.
 */
const WANTED = `SELECT c.key AS page, t.template AS template
  FROM credentials c
  JOIN residents r ON r.id = c.resident_id
  JOIN households h ON h.id = r.household_id
  LEFT JOIN fingerprint_templates t ON t.template_id = c.key AND t.resident_id = c.resident_id
  WHERE c.kind = 'fingerprint' AND r.status = 'active' AND h.status = 'active'
    AND (@building IS NULL OR h.building_id = @building)
    AND (@entrance IS NULL OR h.entrance_id IS NULL OR h.entrance_id = @entrance)`;

/**
 * The SQLite side of the fingerprint modules' sync: which pages the roster wants on a
 * reader's module (with the templates the roster carries), and which template the sync
 * last wrote at each page (`fingerprint_enrolled`). Statements are prepared on first use,
 * so it can be built before the store is open.
 */
export class FingerprintSource implements LibrarySource {
  readonly noun = 'page';
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  hasRoster(): boolean {
    return (this.#store.statement('SELECT count(*) FROM residents').pluck().get() as number) > 0;
  }

  /** Fingerprint ids that are no page number are left out: no module page can match them. */
  wanted(scope: ReaderScope): Map<string, LibraryEntry | null> {
    const rows = this.#store
      .statement(WANTED)
      .all({ building: scope.building, entrance: scope.entrance }) as Array<{
      page: string;
      template: Buffer | null;
    }>;
    const pages = rows.filter((r) => isPage(r.page)).sort((a, b) => Number(a.page) - Number(b.page));
    const out = new Map<string, LibraryEntry | null>();
    for (const r of pages) out.set(r.page, r.template ? { key: r.page, template: r.template } : null);
    return out;
  }

  written(readerId: string): Map<string, string> {
    const rows = this.#store
      .statement('SELECT page, digest FROM fingerprint_enrolled WHERE reader_id = ?')
      .all(readerId) as Array<{ page: number; digest: string }>;
    return new Map(rows.map((r) => [String(r.page), r.digest]));
  }

  recordWritten(readerId: string, entry: LibraryEntry, at: number): void {
    this.#store
      .statement(
        `INSERT INTO fingerprint_enrolled(reader_id, page, digest, enrolled_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(reader_id, page) DO UPDATE SET digest = excluded.digest, enrolled_at = excluded.enrolled_at`,
      )
      .run(readerId, Number(entry.key), this.digest(entry), at);
  }

  forget(readerId: string, keys: Iterable<string>): void {
    const del = this.#store.statement('DELETE FROM fingerprint_enrolled WHERE reader_id = ? AND page = ?');
    this.#store.db.transaction(() => {
      for (const k of keys) del.run(readerId, Number(k));
    })();
  }

  /** SHA-256 of the template, hex: what `fingerprint_enrolled` has always stored. */
  digest(entry: LibraryEntry): string {
    return digest(entry.template ?? Buffer.alloc(0));
  }

  logRef(key: string): Record<string, unknown> {
    return { page: Number(key) };
  }
}

/** SHA-256 of a template, hex. */
export function digest(template: Buffer): string {
  return createHash('sha256').update(template).digest('hex');
}
