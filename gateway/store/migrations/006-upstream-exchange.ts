/**
 * Upstream both ways (issue 14). Self-contained: only its own tables, IF NOT EXISTS, so it
 * can sit after any other migration (the order is set at merge).
 */
export default `
  -- Every roster message from the district system, applied or refused: the dashboard lists
  -- the latest, the installer reads why one was refused. Never the roster itself (it holds
  -- ID numbers): its kind, version, signer and digest.
  CREATE TABLE IF NOT EXISTS roster_sync_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    via TEXT NOT NULL,            -- mqtt | https | file
    kind TEXT,                    -- snapshot | delta | pointer; null when unreadable
    version INTEGER,
    key_id TEXT,
    digest TEXT,
    outcome TEXT NOT NULL,        -- applied | duplicate | current | behind | refused
    reason TEXT,                  -- a rosterRefusal code when refused or behind
    detail TEXT
  );
  CREATE INDEX IF NOT EXISTS roster_sync_log_at ON roster_sync_log(at);

  -- Faces waiting for the police platform (GA/T 1400), queued in the transaction of the
  -- journal row they come from; the JPEG is made from the thumbnail when it is sent.
  CREATE TABLE IF NOT EXISTS viid_queue (
    seq INTEGER PRIMARY KEY,
    journal_seq INTEGER NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
  );

  -- The signed hand-over package of each case handed to 城管, made once (at hand-over or at
  -- the first download) and served as made, so its id and digest stay what was announced.
  CREATE TABLE IF NOT EXISTS handover_packages (
    case_id TEXT PRIMARY KEY,
    package_id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    sha256 TEXT NOT NULL,           -- of the archive
    bytes INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    archive BLOB NOT NULL
  ) WITHOUT ROWID;
`;
