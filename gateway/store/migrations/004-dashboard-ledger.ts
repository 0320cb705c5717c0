/**
 * Indexes the dashboard's ledger pages read by (issue 5, second pass): a household file
 * lists its patrols and tips, a case page its audit trail. Indexes only, IF NOT EXISTS,
 * so it can sit after any other migration.
 */
export default `
  CREATE INDEX IF NOT EXISTS patrols_household ON patrols(household_id, date);
  CREATE INDEX IF NOT EXISTS tips_household ON tips(household_id, received_at);
  CREATE INDEX IF NOT EXISTS audit_case ON audit(case_id, seq);
`;
