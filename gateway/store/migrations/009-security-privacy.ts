/**
 * Security and privacy (issue 9).
 *
 * 1. Hand-over packages stored before this version carried face images (base64) in
 *    `cases.handover`, and could carry files read through a crafted reference: each
 *    stored thumbnail keeps its reference alone, and only when it is in the thumbnail id
 *    format (gateway/ledger/evidence-refs.ts). Images are read when a package is
 *    downloaded now, never stored.
 * 2. When a resident moved out, for the retention of moved-out residents: roster imports
 *    rewrite `updated_at` on every upsert, so the move-out time is kept by triggers on
 *    the status (an import that re-sends a moved-out resident does not restart the clock).
 * 3. The indexes the daily retention run deletes by (gateway/retention.ts).
 */
const HEX20 = '[0-9a-f]'.repeat(20);
const DAY = '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';
const REF = "json_extract(t.value, '$.ref')";

export default `
  UPDATE cases SET handover = json_set(handover, '$.thumbnails', json((
    SELECT json_group_array(json_object('ref', ${REF}))
      FROM json_each(cases.handover, '$.thumbnails') AS t
     WHERE ${REF} GLOB 'thumbs/${DAY}/${HEX20}.webp' OR ${REF} GLOB 'thumbs/${DAY}/${HEX20}.jpg'
  )))
  WHERE handover IS NOT NULL AND json_valid(handover);

  ALTER TABLE residents ADD COLUMN moved_out_at INTEGER;
  UPDATE residents SET moved_out_at = updated_at WHERE status = 'moved_out';
  CREATE TRIGGER IF NOT EXISTS residents_moved_out_insert AFTER INSERT ON residents
    WHEN NEW.status = 'moved_out'
    BEGIN UPDATE residents SET moved_out_at = NEW.updated_at WHERE id = NEW.id; END;
  CREATE TRIGGER IF NOT EXISTS residents_moved_out_update AFTER UPDATE OF status ON residents
    WHEN NEW.status IS NOT OLD.status
    BEGIN
      UPDATE residents SET moved_out_at = CASE WHEN NEW.status = 'moved_out' THEN NEW.updated_at END
       WHERE id = NEW.id;
    END;
  CREATE INDEX IF NOT EXISTS residents_moved_out ON residents(moved_out_at) WHERE moved_out_at IS NOT NULL;

  CREATE INDEX IF NOT EXISTS tips_received ON tips(received_at);
  CREATE INDEX IF NOT EXISTS tips_case ON tips(case_id);
  CREATE INDEX IF NOT EXISTS patrols_case ON patrols(case_id);
  CREATE INDEX IF NOT EXISTS alerts_updated ON alerts(updated_at);
  CREATE INDEX IF NOT EXISTS alert_entries_seq ON alert_entries(seq);
`;
