/**
 * Drivers' small durable values per reader (issue 11): a Hikvision terminal's last AcsEvent
 * serialNo, a Dahua terminal's last recordFinder RecNo — the point a catch-up after a gap
 * starts from. Self-contained (its own table only), so it can sit after any other migration.
 */
export default `
  CREATE TABLE IF NOT EXISTS driver_state (
    reader_id TEXT NOT NULL,
    key TEXT NOT NULL,               -- e.g. 'acs.serial'
    value TEXT NOT NULL,             -- short, never personal data
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (reader_id, key)
  ) WITHOUT ROWID;
`;
