/** Version 2: visitor passes, the ledger (cases, their timeline), patrols, tips, detector state (issue 4). */
export default `
  -- Visitor, courier and staff passes. Never a raw ID number: a keyed hash and a mask.
  CREATE TABLE passes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('visitor','courier','staff')),
    household_id TEXT,            -- household visited (visitors); null for couriers and staff
    name TEXT NOT NULL,
    phone_masked TEXT,
    phone_hash TEXT,              -- keyed hash of the phone: "the same visitor again"
    id_hash TEXT, id_masked TEXT,
    card_uid TEXT,
    face_person_id TEXT,
    embedding BLOB,               -- float32 LE; cleared when the pass expires
    token TEXT UNIQUE,            -- QR code token
    valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL,
    created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
    revoked_at INTEGER, revoked_by TEXT,
    note TEXT
  ) WITHOUT ROWID;
  CREATE INDEX passes_valid ON passes(valid_to);
  CREATE INDEX passes_household ON passes(household_id, valid_from);

  -- The ledger (台账): one case per finding, tip or patrol violation.
  CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('detector','tip','patrol')),
    state TEXT NOT NULL,
    household_id TEXT, building_id TEXT,
    subject TEXT,                 -- what the detector keys the ongoing situation on
    alert_id TEXT,
    pattern_ts INTEGER,           -- when the pattern started (event time)
    detected_ts INTEGER NOT NULL, -- when it was found (event time)
    last_ts INTEGER NOT NULL,
    deadline INTEGER,
    summary TEXT NOT NULL,
    evidence TEXT NOT NULL,       -- JSON: the evidence chain
    handover TEXT,                -- JSON package, fixed at hand-over
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX cases_state ON cases(state, updated_at);
  CREATE INDEX cases_household ON cases(household_id);
  CREATE INDEX cases_detected ON cases(detected_ts);
  CREATE INDEX cases_alert ON cases(alert_id);

  CREATE TABLE case_events (
    seq INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL,
    state TEXT NOT NULL,
    prev TEXT,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL,
    note TEXT,
    deadline INTEGER
  );
  CREATE INDEX case_events_case ON case_events(case_id, seq);
  CREATE INDEX case_events_at ON case_events(at);

  -- Patrols (巡查) and tips/complaints (举报投诉).
  CREATE TABLE patrols (
    id TEXT PRIMARY KEY,
    date TEXT NOT NULL,
    inspector TEXT NOT NULL,
    household_id TEXT, building_id TEXT,
    result TEXT NOT NULL CHECK (result IN ('normal','violation_found','nobody_home')),
    note TEXT, photo TEXT, case_id TEXT,
    created_by TEXT NOT NULL, created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX patrols_date ON patrols(date);
  CREATE TABLE tips (
    id TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL,
    channel TEXT NOT NULL,
    household_id TEXT, building_id TEXT,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    case_id TEXT,
    created_by TEXT NOT NULL, created_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- Pattern detector state, written in the transaction of the entries that changed it.
  CREATE TABLE detector_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;
