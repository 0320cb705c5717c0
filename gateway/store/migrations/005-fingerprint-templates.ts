/**
 * Fingerprint enrolment from the roster (issue 3). Self-contained like 003: only its own
 * tables, so it can sit after any other migration (issue 4's branch adds 004; the order
 * is set at merge).
 */
export default `
  -- Templates the roster carries, one per fingerprint credential (template id = module page).
  -- The bytes are a biometric: they stay here, never in logs, the API or the upstream.
  CREATE TABLE IF NOT EXISTS fingerprint_templates (
    template_id TEXT PRIMARY KEY,     -- = credentials.key of kind 'fingerprint'
    resident_id TEXT NOT NULL,
    template BLOB NOT NULL,           -- one character file (512 bytes on the R30x/AS608 family)
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS fingerprint_templates_resident ON fingerprint_templates(resident_id);

  -- What the sync wrote to each module: a page whose template changed in the roster is
  -- written again (drift only sees which pages are used, not what they hold).
  CREATE TABLE IF NOT EXISTS fingerprint_enrolled (
    reader_id TEXT NOT NULL,
    page INTEGER NOT NULL,
    digest TEXT NOT NULL,             -- SHA-256 (hex) of the template stored there
    enrolled_at INTEGER NOT NULL,
    PRIMARY KEY (reader_id, page)
  ) WITHOUT ROWID;
`;
