import type {
  CredentialKind,
  HouseholdStatus,
  HousingType,
  ResidentRole,
  ResidentStatus,
} from '../../core/codes.js';
import type { Db } from '../store/db.js';
import { getMeta, setMeta } from '../store/db.js';
import type { Building, CredentialRow, Entrance, Household, Resident, RosterSnapshot } from './model.js';

/** Reads the whole roster from SQLite (start-up and after an import by another process). */
export function loadRoster(db: Db): RosterSnapshot {
  const buildings = db.prepare('SELECT id, name FROM buildings').all() as Building[];
  const entrances = db
    .prepare('SELECT id, building_id AS buildingId, name FROM entrances')
    .all() as Entrance[];
  const households = db
    .prepare(
      `SELECT id, building_id AS buildingId, entrance_id AS entranceId, room, housing_type AS housingType,
              lease_start AS leaseStart, lease_end AS leaseEnd, status FROM households`,
    )
    .all() as Array<Household & { housingType: HousingType; status: HouseholdStatus }>;
  const residents = db
    .prepare(
      `SELECT id, household_id AS householdId, role, name, id_hash AS idHash, id_masked AS idMasked,
              phone_masked AS phoneMasked, valid_from AS validFrom, valid_to AS validTo, status FROM residents`,
    )
    .all() as Array<Resident & { role: ResidentRole; status: ResidentStatus }>;
  const credentials = db
    .prepare('SELECT kind, key, resident_id AS residentId FROM credentials')
    .all() as Array<CredentialRow & { kind: CredentialKind }>;
  return { buildings, entrances, households, residents, credentials };
}

export type ImportMode = 'merge' | 'replace';

export interface ImportStats {
  households: number;
  residents: number;
  credentials: number;
  /** Fingerprint templates carried by the snapshot (stored for the enrolment sync). */
  templates: number;
  /** Face photos carried by the snapshot (stored for the face terminals' sync, issue 11). */
  photos: number;
  /** Residents absent from a replacing snapshot, now marked moved_out. */
  movedOut: number;
  /** Households absent from a replacing snapshot, now marked terminated. */
  terminated: number;
  version: string;
}

/**
 * Writes a validated snapshot in one transaction. merge upserts what the snapshot holds;
 * replace also marks residents it lacks as moved_out and households as terminated —
 * their credentials stay, so a moved-out tenant who still comes in is noticed
 * (inactive_resident) instead of looking like a stranger.
 */
export function saveRoster(
  db: Db,
  s: RosterSnapshot,
  mode: ImportMode,
  now: number,
  version?: string,
  stagedPhotos?: string,
): ImportStats {
  const upBuilding = db.prepare(
    'INSERT INTO buildings(id, name) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name',
  );
  const upEntrance = db.prepare(
    'INSERT INTO entrances(id, building_id, name) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET building_id = excluded.building_id, name = excluded.name',
  );
  const upHousehold = db.prepare(
    `INSERT INTO households(id, building_id, entrance_id, room, housing_type, lease_start, lease_end, status, updated_at)
     VALUES (@id, @buildingId, @entranceId, @room, @housingType, @leaseStart, @leaseEnd, @status, @now)
     ON CONFLICT(id) DO UPDATE SET building_id = excluded.building_id, entrance_id = excluded.entrance_id,
       room = excluded.room, housing_type = excluded.housing_type, lease_start = excluded.lease_start,
       lease_end = excluded.lease_end, status = excluded.status, updated_at = excluded.updated_at`,
  );
  const upResident = db.prepare(
    `INSERT INTO residents(id, household_id, role, name, id_hash, id_masked, phone_masked, valid_from, valid_to, status, updated_at)
     VALUES (@id, @householdId, @role, @name, @idHash, @idMasked, @phoneMasked, @validFrom, @validTo, @status, @now)
     ON CONFLICT(id) DO UPDATE SET household_id = excluded.household_id, role = excluded.role, name = excluded.name,
       id_hash = excluded.id_hash, id_masked = excluded.id_masked, phone_masked = excluded.phone_masked,
       valid_from = excluded.valid_from, valid_to = excluded.valid_to, status = excluded.status, updated_at = excluded.updated_at`,
  );
  const delCreds = db.prepare('DELETE FROM credentials WHERE resident_id = ?');
  const upCred = db.prepare(
    'INSERT INTO credentials(kind, key, resident_id) VALUES (?, ?, ?) ON CONFLICT(kind, key) DO UPDATE SET resident_id = excluded.resident_id',
  );
  // Templates follow the credentials: a resident in the snapshot keeps exactly the
  // templates it carries. Residents who left keep theirs (as their credentials), so a
  // return re-enrols without a new file; the sync leaves inactive residents off modules.
  const delTemplates = db.prepare('DELETE FROM fingerprint_templates WHERE resident_id = ?');
  const upTemplate = db.prepare(
    `INSERT INTO fingerprint_templates(template_id, resident_id, template, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(template_id) DO UPDATE SET resident_id = excluded.resident_id, template = excluded.template,
       updated_at = excluded.updated_at`,
  );
  const templates = s.fingerprintTemplates ?? [];
  // Face photos (issue 11) are kept until the roster gives a new one for the same face id or
  // the face id leaves its resident: district rosters seldom carry photos, and a roster
  // without them must not wipe what the estate office collected.
  const dropGonePhotos = db.prepare(
    `DELETE FROM face_photos WHERE resident_id = ?
       AND face_id NOT IN (SELECT key FROM credentials WHERE kind = 'face' AND resident_id = ?)`,
  );
  const takeStaged = db.prepare(
    `INSERT INTO face_photos(face_id, resident_id, photo, digest, width, height, updated_at)
     SELECT face_id, resident_id, photo, digest, width, height, ? FROM face_photo_staging WHERE import_id = ?
     ON CONFLICT(face_id) DO UPDATE SET resident_id = excluded.resident_id, photo = excluded.photo,
       digest = excluded.digest, width = excluded.width, height = excluded.height,
       updated_at = excluded.updated_at, inactive_since = NULL`,
  );
  const ver = version ?? new Date(now).toISOString();

  return db.transaction((): ImportStats => {
    for (const b of s.buildings) upBuilding.run(b.id, b.name);
    for (const e of s.entrances) upEntrance.run(e.id, e.buildingId, e.name);
    for (const h of s.households) upHousehold.run({ ...h, now });
    for (const r of s.residents) {
      upResident.run({ ...r, now });
      delCreds.run(r.id);
      delTemplates.run(r.id);
    }
    for (const c of s.credentials) upCred.run(c.kind, c.key, c.residentId);
    for (const f of templates) upTemplate.run(f.key, f.residentId, f.template, now);
    for (const r of s.residents) dropGonePhotos.run(r.id, r.id);
    const photos = stagedPhotos ? takeStaged.run(now, stagedPhotos).changes : 0;
    let movedOut = 0;
    let terminated = 0;
    if (mode === 'replace') {
      db.exec('CREATE TEMP TABLE IF NOT EXISTS keep_ids (id TEXT PRIMARY KEY) WITHOUT ROWID');
      db.exec('DELETE FROM keep_ids');
      const keep = db.prepare('INSERT OR IGNORE INTO keep_ids(id) VALUES (?)');
      for (const r of s.residents) keep.run(r.id);
      movedOut = db
        .prepare(
          `UPDATE residents SET status = 'moved_out', updated_at = ? WHERE status != 'moved_out' AND id NOT IN (SELECT id FROM keep_ids)`,
        )
        .run(now).changes;
      db.exec('DELETE FROM keep_ids');
      for (const h of s.households) keep.run(h.id);
      terminated = db
        .prepare(
          `UPDATE households SET status = 'terminated', updated_at = ? WHERE status != 'terminated' AND id NOT IN (SELECT id FROM keep_ids)`,
        )
        .run(now).changes;
      db.exec('DELETE FROM keep_ids');
    }
    setMeta(db, 'roster_version', ver);
    setMeta(db, 'roster_updated_at', String(now));
    return {
      households: s.households.length,
      residents: s.residents.length,
      credentials: s.credentials.length,
      templates: templates.length,
      photos,
      movedOut,
      terminated,
      version: ver,
    };
  })();
}

/** The version label of the roster in the database, if one was imported. */
export function rosterVersion(db: Db): string | undefined {
  return getMeta(db, 'roster_version');
}
