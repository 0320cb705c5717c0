/** Version 1: roster, journal, decisions, alerts, outbox, devices (issue 2). */
export default `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE buildings (id TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE entrances (
    id TEXT PRIMARY KEY, building_id TEXT NOT NULL, name TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE households (
    id TEXT PRIMARY KEY,
    building_id TEXT NOT NULL,
    entrance_id TEXT,
    room TEXT NOT NULL,
    housing_type TEXT NOT NULL CHECK (housing_type IN ('lianzu','gongzu','baozu','gongyou')),
    lease_start TEXT, lease_end TEXT,
    status TEXT NOT NULL CHECK (status IN ('active','vacant','terminated')),
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX households_building ON households(building_id, room);
  CREATE TABLE residents (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('leaseholder','co_resident')),
    name TEXT NOT NULL,
    id_hash TEXT, id_masked TEXT, phone_masked TEXT,
    valid_from TEXT, valid_to TEXT,
    status TEXT NOT NULL CHECK (status IN ('active','moved_out','suspended')),
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX residents_household ON residents(household_id);
  CREATE TABLE credentials (
    kind TEXT NOT NULL, key TEXT NOT NULL, resident_id TEXT NOT NULL,
    PRIMARY KEY (kind, key)
  ) WITHOUT ROWID;
  CREATE INDEX credentials_resident ON credentials(resident_id);

  -- The journal of credential reads: one row per (reader, record id), never the image.
  CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    reader_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    door_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    ts INTEGER NOT NULL,          -- event time corrected to the gateway clock, ms
    reader_ts INTEGER NOT NULL,   -- event time as the reader stamped it, ms
    received_at INTEGER NOT NULL,
    type TEXT NOT NULL,
    credential TEXT,              -- normalized key: person id, card UID, ID-number HMAC, template id
    score REAL,
    liveness INTEGER,
    offline INTEGER NOT NULL,
    stale INTEGER NOT NULL,
    thumb TEXT,
    extra TEXT,                   -- small JSON: masked ID number, stranger id
    UNIQUE (reader_id, record_id)
  );
  CREATE INDEX journal_ts ON journal(ts);

  -- The access decision for each read, with its reasons.
  CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY,      -- = journal.seq
    resident_id TEXT,
    household_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('granted','denied')),
    answer TEXT CHECK (answer IN ('unlock','deny')),  -- the door command sent, if any
    policy TEXT NOT NULL,
    reasons TEXT NOT NULL         -- space-separated reason codes
  );
  CREATE INDEX decisions_household ON decisions(household_id, seq);
  CREATE INDEX decisions_resident ON decisions(resident_id, seq);

  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    household_id TEXT, resident_id TEXT, door_id TEXT, reader_id TEXT,
    subject TEXT,                 -- what repeats coalesce on
    first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
    count INTEGER NOT NULL,
    evidence TEXT NOT NULL,       -- JSON
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX alerts_last ON alerts(last_ts);
  CREATE INDEX alerts_state ON alerts(state, last_ts);
  CREATE INDEX alerts_household ON alerts(household_id, last_ts);
  CREATE TABLE alert_entries (alert_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (alert_id, seq)) WITHOUT ROWID;

  -- Upstream outbox: CloudEvents waiting for delivery, oldest first.
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    class INTEGER NOT NULL,       -- 0 alerts and cases (kept longest), 1 access records
    channel TEXT NOT NULL,        -- alerts | access
    partition TEXT,               -- household id: order is kept per household
    body TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX outbox_class ON outbox(class, seq);

  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    online INTEGER NOT NULL,
    since INTEGER,
    last_seen INTEGER,
    firmware TEXT,
    clock_offset_ms INTEGER,
    counters TEXT
  ) WITHOUT ROWID;
`;
