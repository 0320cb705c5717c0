/**
 * Doors and cameras (issue 13). Self-contained: a column on decisions and tables of its
 * own, so it can sit after any other migration (the lead orders them at merge).
 */
export default `
  -- The door schedule that applied to a decision: {schedule}:{mode} (passage, closed), or NULL.
  ALTER TABLE decisions ADD COLUMN schedule TEXT;

  -- One row per camera snapshot asked for: at a read (reader_id, record_id) or for a door
  -- alarm (alert_id). The JPEG itself becomes a thumbnail file; a face embedding, when an
  -- embedding service is configured, is a biometric: it stays here, never in logs, the API
  -- or the upstream, and goes with the thumbnails' retention.
  CREATE TABLE IF NOT EXISTS camera_captures (
    id INTEGER PRIMARY KEY,
    camera_id TEXT NOT NULL,
    door_id TEXT NOT NULL,
    reader_id TEXT,
    record_id TEXT,
    alert_id TEXT,
    ts INTEGER NOT NULL,              -- when the snapshot was asked for (gateway clock)
    outcome TEXT NOT NULL,            -- ok, timeout, failed, dropped
    thumb TEXT,                       -- thumbnail path under the data dir, when ok
    embedding BLOB,                   -- little-endian float32, when a service gave one
    detail TEXT                       -- why it failed (an error code, never an image)
  );
  CREATE INDEX IF NOT EXISTS camera_captures_read ON camera_captures(reader_id, record_id);
  CREATE INDEX IF NOT EXISTS camera_captures_ts ON camera_captures(ts);

  -- Door settings an operator changed that must survive a restart: the fire all-open an
  -- admin declared (the fire input itself is read again from the hardware).
  CREATE TABLE IF NOT EXISTS door_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
`;
