/**
 * Face libraries that follow the roster (issue 11). Self-contained like 005: only its own
 * tables, so it can sit after any other migration (the order is set at merge).
 *
 * Photos are biometric data: they stay in this database, never in logs, the API, the
 * journal or the upstream; only the terminals the roster puts a person on receive them.
 */
export default `
  -- The photo the roster carries for each face credential, normalised at import (decoded,
  -- EXIF and other metadata dropped, bounded in size). A rowid table: the blobs are large.
  CREATE TABLE IF NOT EXISTS face_photos (
    face_id TEXT PRIMARY KEY,          -- = credentials.key of kind 'face' (the terminal's person id)
    resident_id TEXT NOT NULL,
    photo BLOB NOT NULL,               -- JPEG
    digest TEXT NOT NULL,              -- SHA-256 (hex) of photo
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    inactive_since INTEGER             -- since when its resident is not active (retention clock)
  );
  CREATE INDEX IF NOT EXISTS face_photos_resident ON face_photos(resident_id);

  -- Photos of an import being checked (one at a time, so a large roster never sits in
  -- memory); moved into face_photos by the import's transaction, or dropped.
  CREATE TABLE IF NOT EXISTS face_photo_staging (
    import_id TEXT NOT NULL,
    face_id TEXT NOT NULL,
    resident_id TEXT NOT NULL,
    photo BLOB NOT NULL,
    digest TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    staged_at INTEGER NOT NULL,
    PRIMARY KEY (import_id, face_id)
  );

  -- A visitor pass's photo: enrolled as a temporary person for the pass's validity, deleted
  -- when the pass ends (retention of face data).
  CREATE TABLE IF NOT EXISTS pass_photos (
    pass_id TEXT PRIMARY KEY,
    photo BLOB NOT NULL,
    digest TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );

  -- What the sync wrote to each face terminal: an entry whose digest changed is written again.
  CREATE TABLE IF NOT EXISTS face_enrolled (
    reader_id TEXT NOT NULL,
    person_key TEXT NOT NULL,
    digest TEXT NOT NULL,              -- SHA-256 (hex) of what was written (photo, name, validity, cards)
    enrolled_at INTEGER NOT NULL,
    PRIMARY KEY (reader_id, person_key)
  ) WITHOUT ROWID;

  -- Persons a terminal refused, in its vendor's words, until a write of them succeeds or they
  -- leave that terminal's library: what the household file and the devices page show.
  CREATE TABLE IF NOT EXISTS face_refusals (
    reader_id TEXT NOT NULL,
    person_key TEXT NOT NULL,
    action TEXT NOT NULL,              -- enrolled | replaced | removed
    code TEXT NOT NULL,                -- core/codes.ts libraryRefusal
    vendor_code TEXT,
    message TEXT NOT NULL,             -- the vendor's words (never the photo)
    digest TEXT,                       -- the entry refused: the same entry is not sent again
    first_at INTEGER NOT NULL,
    at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (reader_id, person_key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS face_refusals_key ON face_refusals(person_key);

  -- The last sync of each reader library (any kind), so the devices page tells the truth
  -- after a restart too.
  CREATE TABLE IF NOT EXISTS library_sync_state (
    reader_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    result TEXT NOT NULL,              -- JSON SyncResult: counts only
    at INTEGER NOT NULL
  ) WITHOUT ROWID;
`;
