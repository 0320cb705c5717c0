/**
 * Faces the detectors learnt as the holders of residents' cards, offered to the operator
 * for enrolment (issue 10 item 2: "probably 张** — enrol this face?"). Self-contained: only
 * its own table, so it can sit after any other migration (the order is set at merge).
 */
export default `
  -- One row per learnt face (face_id = the detectors' companion-face id). The embedding is a
  -- biometric: it stays on the box — never in logs, the API or the upstream — and an
  -- offer nobody decided is deleted with the face-data retention (clusterTtlDays).
  CREATE TABLE face_offers (
    face_id INTEGER PRIMARY KEY,
    resident_id TEXT NOT NULL,
    credential TEXT NOT NULL,         -- kind:key of the card or fingerprint it came with
    embedding BLOB,                   -- float32 LE centroid; NULL once rejected
    days INTEGER NOT NULL,            -- days it came with the credential
    first_ts INTEGER NOT NULL,
    last_ts INTEGER NOT NULL,
    thumbs TEXT NOT NULL DEFAULT '[]',-- thumbnail references (thumbs/…), not images
    state TEXT NOT NULL DEFAULT 'offered' CHECK (state IN ('offered','enrolled','rejected')),
    decided_by TEXT,
    decided_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS face_offers_resident ON face_offers(resident_id);
`;
