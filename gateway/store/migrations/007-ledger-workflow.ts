/**
 * The rest of the notice's workflow (issue 16): the annual full inspection (全面排查), patrols
 * of agencies and online listings, the enforcement office's feedback, tip rewards, uploaded
 * photos and documents. Its own tables (IF NOT EXISTS) plus three columns on tips, so it can
 * sit after any other migration; the codes its CHECKs allow are core/codes.ts's (a unit test
 * compares them).
 */
export default `
  -- 全面排查: one campaign per inspection, with the households in scope fixed when it opens
  -- ("底数清": the count the report is measured against does not move under it).
  CREATE TABLE IF NOT EXISTS campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    period_from TEXT NOT NULL,          -- YYYY-MM-DD
    period_to TEXT NOT NULL,
    report_due TEXT NOT NULL,           -- the date the written report is due upstream
    buildings TEXT,                     -- JSON array of building ids; null = the whole estate
    state TEXT NOT NULL CHECK (state IN ('open','closed')),
    created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
    closed_by TEXT, closed_at INTEGER,
    reports_sent INTEGER NOT NULL DEFAULT 0,
    reported_at INTEGER
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS campaign_households (
    campaign_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    building_id TEXT NOT NULL,
    room TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('not_visited','normal','violation_found','nobody_home','refused')),
    visits INTEGER NOT NULL DEFAULT 0,
    last_visit_at INTEGER,
    revisit_due TEXT,                   -- YYYY-MM-DD: nobody home or refused, go again
    PRIMARY KEY (campaign_id, household_id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS campaign_households_building ON campaign_households(campaign_id, building_id, room);

  CREATE TABLE IF NOT EXISTS campaign_visits (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    visited_at INTEGER NOT NULL,
    inspector TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('normal','violation_found','nobody_home','refused')),
    violation TEXT,                     -- case kind of a violation found
    case_id TEXT,
    opened_case INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    revisit_due TEXT,
    created_by TEXT NOT NULL, created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS campaign_visits_household ON campaign_visits(campaign_id, household_id, visited_at);
  CREATE INDEX IF NOT EXISTS campaign_visits_case ON campaign_visits(case_id);

  -- Every person of a reached household, checked against the roster ("不漏一人"). An
  -- unregistered person's ID number is kept as the keyed hash and the mask only.
  CREATE TABLE IF NOT EXISTS campaign_persons (
    visit_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    resident_id TEXT,                   -- null: a person the roster does not know
    check_result TEXT NOT NULL CHECK (check_result IN ('present','absent','unregistered')),
    name TEXT, id_hash TEXT, id_masked TEXT,
    relation TEXT, note TEXT,
    PRIMARY KEY (visit_id, seq)
  ) WITHOUT ROWID;

  -- A patrol of an estate agency or an online listing instead of a household (经纪门店、网络平台).
  CREATE TABLE IF NOT EXISTS patrol_targets (
    patrol_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('agency','listing')),
    name TEXT, address TEXT,            -- agency
    platform TEXT, url TEXT, listing_ref TEXT, price INTEGER, text TEXT  -- listing (price: yuan a month)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS patrol_targets_kind ON patrol_targets(kind);

  -- Uploaded photos and documents. The id is the file's only name (evidence/{id}.{ext}):
  -- nothing the browser sent (name, type) is kept or used.
  CREATE TABLE IF NOT EXISTS evidence_files (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('photo','document')),
    ext TEXT NOT NULL CHECK (ext IN ('jpg','png','pdf')),
    width INTEGER, height INTEGER,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    owner_kind TEXT CHECK (owner_kind IN ('patrol','visit','feedback')),
    owner_id TEXT,
    case_id TEXT,
    created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
    attached_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS evidence_files_owner ON evidence_files(owner_kind, owner_id);
  CREATE INDEX IF NOT EXISTS evidence_files_case ON evidence_files(case_id);
  CREATE INDEX IF NOT EXISTS evidence_files_created ON evidence_files(created_at);

  -- The hand-over to the enforcement office and what it reported back (依法依规进行查处并及时反馈).
  CREATE TABLE IF NOT EXISTS case_enforcement (
    case_id TEXT PRIMARY KEY,
    district TEXT,                      -- handed to another district's office (跨区移交); null: this one's
    office TEXT,
    handed_at INTEGER,
    received_date TEXT,                 -- YYYY-MM-DD the feedback came
    office_ref TEXT,
    result TEXT CHECK (result IN ('penalty','eviction','rectified','not_substantiated')),
    note TEXT,
    document TEXT,                      -- evidence file id
    recorded_by TEXT, recorded_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS case_enforcement_received ON case_enforcement(received_date);

  -- The tipster's contact: admins only, removed by retention.
  ALTER TABLE tips ADD COLUMN contact_name TEXT;
  ALTER TABLE tips ADD COLUMN contact_phone TEXT;
  ALTER TABLE tips ADD COLUMN contact_removed_at INTEGER;
  CREATE INDEX IF NOT EXISTS tips_received ON tips(received_at);

  CREATE TABLE IF NOT EXISTS tip_rewards (
    tip_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('cash','gift','commendation')),
    amount_fen INTEGER,
    note TEXT,
    state TEXT NOT NULL CHECK (state IN ('proposed','approved','rejected')),
    proposed_by TEXT NOT NULL, proposed_at INTEGER NOT NULL,
    decided_by TEXT, decided_at INTEGER, decision_note TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS tip_rewards_decided ON tip_rewards(state, decided_at);
`;
