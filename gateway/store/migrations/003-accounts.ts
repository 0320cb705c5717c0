/**
 * Dashboard accounts, sessions and the audit log (issue 5). Self-contained: it creates
 * only its own tables and one covering index on the journal, so it can sit after any
 * other migration (issue 4 adds 002 on its own branch; the order is set at merge).
 */
export default `
  CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('viewer','operator','admin')),
    password_hash TEXT NOT NULL,      -- scrypt$N$r$p$salt$hash (accounts/passwords.ts)
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL,
    last_login_at INTEGER
  ) WITHOUT ROWID;

  -- Only a SHA-256 of the cookie value is stored: a copy of the database opens no session.
  CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL COLLATE NOCASE,
    csrf TEXT NOT NULL,
    ip TEXT,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_name);
  CREATE INDEX IF NOT EXISTS sessions_expires ON sessions(expires_at);

  -- Who did what, when, to which household or case, from where (design.md §9).
  CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,              -- user name, token:NAME, cli:USER, or (unknown)
    role TEXT,
    action TEXT NOT NULL,             -- login.ok, login.failed, household.view, user.add, …
    household_id TEXT,
    case_id TEXT,
    target TEXT,                      -- the user, alert or other object acted on
    ip TEXT,
    outcome TEXT NOT NULL DEFAULT 'ok',
    detail TEXT                       -- small JSON, never personal data of residents
  );
  CREATE INDEX IF NOT EXISTS audit_ts ON audit(ts);
  CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, seq);
  CREATE INDEX IF NOT EXISTS audit_household ON audit(household_id, seq);
  CREATE INDEX IF NOT EXISTS audit_action ON audit(action, seq);

  -- The overview counts today's entries in and out and the last 24 h by hour: a covering
  -- index answers both from the index alone, even with millions of entries.
  CREATE INDEX IF NOT EXISTS journal_ts_direction ON journal(ts, direction);
`;
