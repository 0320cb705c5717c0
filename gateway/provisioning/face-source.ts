import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { EntryOutcome, LibraryEntry } from '../../core/provisioning.js';
import { DAY_MS, LOCAL_OFFSET_MS, localDate } from '../../core/time.js';
import type { Store } from '../store/store.js';
import type { LibrarySource, ReaderScope, RefusalLog } from './library-source.js';

/**
 * Residents a door admits (decide.ts: active resident of an active household, within its
 * validity and lease; the door's building; a household of another entrance stays off, one
 * without an entrance passes any), with their face credentials and the photo's digest.
 */
const RESIDENTS = `SELECT c.key AS key, r.id AS resident, r.name AS name, r.valid_from AS validFrom,
       r.valid_to AS validTo, h.lease_end AS leaseEnd, p.digest AS photoDigest,
       (SELECT group_concat(k.key, ' ') FROM credentials k WHERE k.kind = 'card' AND k.resident_id = r.id) AS cards
  FROM credentials c
  JOIN residents r ON r.id = c.resident_id
  JOIN households h ON h.id = r.household_id
  LEFT JOIN face_photos p ON p.face_id = c.key AND p.resident_id = c.resident_id
  WHERE c.kind = 'face' AND r.status = 'active' AND h.status = 'active'
    AND (r.valid_from IS NULL OR r.valid_from <= @today)
    AND (r.valid_to IS NULL OR r.valid_to >= @today)
    AND (h.lease_end IS NULL OR h.lease_end >= @today)
    AND (@building IS NULL OR h.building_id = @building)
    AND (@entrance IS NULL OR h.entrance_id IS NULL OR h.entrance_id = @entrance)
  ORDER BY c.key`;

/**
 * Passes with a photo valid now, at this door (decide.ts: a visitor at the gates and the
 * visited household's building; couriers and staff everywhere).
 */
const PASSES = `SELECT s.face_person_id AS key, s.id AS pass, s.kind AS kind, s.name AS name,
       s.valid_from AS validFrom, s.valid_to AS validTo, s.card_uid AS card, p.digest AS photoDigest
  FROM passes s
  JOIN pass_photos p ON p.pass_id = s.id
  LEFT JOIN households h ON h.id = s.household_id
  WHERE s.face_person_id IS NOT NULL AND s.valid_from <= @now AND s.valid_to > @now
    AND (s.revoked_at IS NULL OR s.revoked_at > @now)
    AND (s.kind != 'visitor' OR @building IS NULL OR h.building_id = @building)
  ORDER BY s.face_person_id`;

/** Codes that will not change until the entry does: the same entry is not sent again. */
const LASTING = new Set([
  'face_quality_low',
  'no_face',
  'multiple_faces',
  'face_too_similar',
  'photo_too_small',
  'photo_too_large',
  'bad_photo',
  'photo_refused',
  'no_photo',
  'bad_person',
  'bad_key',
  'not_supported',
]);

interface ResidentRow {
  key: string;
  resident: string;
  name: string;
  validFrom: string | null;
  validTo: string | null;
  leaseEnd: string | null;
  photoDigest: string | null;
  cards: string | null;
}
interface PassRow {
  key: string;
  pass: string;
  kind: string;
  name: string;
  validFrom: number;
  validTo: number;
  card: string | null;
  photoDigest: string;
}

/**
 * The roster's side of the face terminals' libraries (issue 11): which persons a terminal
 * should hold (residents the door admits, passes with a photo valid now), what the sync
 * last wrote to each terminal (`face_enrolled`), and what each refused (`face_refusals`).
 * Photos are read only when an entry is written (`entry`), so a gate terminal's list of a
 * whole estate never holds its photos. Statements are prepared on first use.
 */
export class FaceSource implements LibrarySource, RefusalLog {
  readonly noun = 'person';
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  get refusals(): RefusalLog {
    return this;
  }

  hasRoster(): boolean {
    return (this.#store.statement('SELECT count(*) FROM residents').pluck().get() as number) > 0;
  }

  wanted(scope: ReaderScope): Map<string, LibraryEntry | null> {
    const now = this.#clock.now();
    const today = localDate(now);
    const out = new Map<string, LibraryEntry | null>();
    const residents = this.#store
      .statement(RESIDENTS)
      .all({ today, building: scope.building, entrance: scope.entrance }) as ResidentRow[];
    for (const r of residents) {
      if (!r.photoDigest) {
        out.set(r.key, null);
        continue;
      }
      // The terminal may enforce validity itself: the resident's, cut at the lease end.
      const end = [r.validTo, r.leaseEnd].filter((d): d is string => d !== null).sort()[0] ?? null;
      out.set(r.key, {
        key: r.key,
        name: r.name,
        validFrom: r.validFrom ? dayStart(r.validFrom) : null,
        validTo: end ? dayStart(end) + DAY_MS - 1000 : null,
        photoDigest: r.photoDigest,
        cards: r.cards ? r.cards.split(' ').sort() : [],
      });
    }
    const passes = this.#store.statement(PASSES).all({ now, building: scope.building }) as PassRow[];
    for (const p of passes) {
      // A resident's face id and a pass's person id never meet (V-… ids): the resident wins.
      if (out.has(p.key)) continue;
      out.set(p.key, {
        key: p.key,
        name: p.name,
        validFrom: p.validFrom,
        validTo: p.validTo,
        photoDigest: p.photoDigest,
        cards: p.card ? [p.card] : [],
        temporary: true,
      });
    }
    return out;
  }

  /** The entry with its photo, read when it is about to be written; null once it is gone. */
  entry(key: string, listed: LibraryEntry): LibraryEntry | null {
    const row = (
      listed.temporary
        ? this.#store
            .statement(
              'SELECT p.photo AS photo FROM pass_photos p JOIN passes s ON s.id = p.pass_id WHERE s.face_person_id = ? AND p.digest = ?',
            )
            .get(key, listed.photoDigest)
        : this.#store
            .statement('SELECT photo FROM face_photos WHERE face_id = ? AND digest = ?')
            .get(key, listed.photoDigest)
    ) as { photo: Buffer } | undefined;
    if (!row) return null;
    return { ...listed, photo: { mime: 'image/jpeg', data: row.photo } };
  }

  written(readerId: string): Map<string, string> {
    const rows = this.#store
      .statement('SELECT person_key, digest FROM face_enrolled WHERE reader_id = ?')
      .all(readerId) as Array<{ person_key: string; digest: string }>;
    return new Map(rows.map((r) => [r.person_key, r.digest]));
  }

  recordWritten(readerId: string, entry: LibraryEntry, at: number): void {
    const db = this.#store.db;
    db.transaction(() => {
      this.#store
        .statement(
          `INSERT INTO face_enrolled(reader_id, person_key, digest, enrolled_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(reader_id, person_key) DO UPDATE SET digest = excluded.digest, enrolled_at = excluded.enrolled_at`,
        )
        .run(readerId, entry.key, this.digest(entry), at);
      this.#store
        .statement('DELETE FROM face_refusals WHERE reader_id = ? AND person_key = ?')
        .run(readerId, entry.key);
    })();
  }

  forget(readerId: string, keys: Iterable<string>): void {
    const del = this.#store.statement('DELETE FROM face_enrolled WHERE reader_id = ? AND person_key = ?');
    const unrefuse = this.#store.statement(
      'DELETE FROM face_refusals WHERE reader_id = ? AND person_key = ?',
    );
    this.#store.db.transaction(() => {
      for (const k of keys) {
        del.run(readerId, k);
        unrefuse.run(readerId, k);
      }
    })();
  }

  /** SHA-256 over what the terminal holds of the person: photo, name, validity, cards, kind. */
  digest(entry: LibraryEntry): string {
    const photo = entry.photoDigest ?? (entry.photo ? sha256(entry.photo.data) : null);
    return sha256(
      Buffer.from(
        JSON.stringify([
          photo,
          entry.name ?? null,
          entry.validFrom ?? null,
          entry.validTo ?? null,
          [...(entry.cards ?? [])].sort(),
          entry.temporary === true,
        ]),
      ),
    );
  }

  logRef(key: string): Record<string, unknown> {
    return { person: key };
  }

  record(
    readerId: string,
    key: string,
    action: string,
    outcome: Extract<EntryOutcome, { ok: false }>,
    digest: string | null,
    at: number,
  ): void {
    this.#store
      .statement(
        `INSERT INTO face_refusals(reader_id, person_key, action, code, vendor_code, message, digest, first_at, at, attempts)
         VALUES (@reader, @key, @action, @code, @vendor, @message, @digest, @at, @at, 1)
         ON CONFLICT(reader_id, person_key) DO UPDATE SET action = excluded.action, code = excluded.code,
           vendor_code = excluded.vendor_code, message = excluded.message, digest = excluded.digest,
           at = excluded.at, attempts = face_refusals.attempts + 1`,
      )
      .run({
        reader: readerId,
        key,
        action,
        code: outcome.code,
        vendor: outcome.vendorCode ?? null,
        message: outcome.message.slice(0, 200),
        digest,
        at,
      });
  }

  lasting(readerId: string): Map<string, string> {
    const rows = this.#store
      .statement(
        'SELECT person_key, code, digest FROM face_refusals WHERE reader_id = ? AND digest IS NOT NULL',
      )
      .all(readerId) as Array<{ person_key: string; code: string; digest: string }>;
    return new Map(rows.filter((r) => LASTING.has(r.code)).map((r) => [r.person_key, r.digest]));
  }

  keepOnly(readerId: string, keys: ReadonlySet<string>): void {
    const rows = this.#store
      .statement('SELECT person_key FROM face_refusals WHERE reader_id = ?')
      .pluck()
      .all(readerId) as string[];
    const gone = rows.filter((k) => !keys.has(k));
    if (gone.length === 0) return;
    const del = this.#store.statement('DELETE FROM face_refusals WHERE reader_id = ? AND person_key = ?');
    this.#store.db.transaction(() => {
      for (const k of gone) del.run(readerId, k);
    })();
  }

  count(readerId: string): number {
    return this.#store
      .statement('SELECT count(*) FROM face_refusals WHERE reader_id = ?')
      .pluck()
      .get(readerId) as number;
  }
}

/** Midnight (Shanghai) of a YYYY-MM-DD date, epoch ms. */
function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - LOCAL_OFFSET_MS;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
