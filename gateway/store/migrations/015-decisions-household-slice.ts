/**
 * Issue 15: decisions_household(household_id, seq) put every read's index entry on the
 * page of its household — a random page per read, half of the WAL a commit wrote (5.1 kB
 * per read with it, 3.0 kB with this one; bench/journal-cpu.ts, 50 households). Keyed by
 * a slice of 4,096 consecutive seqs first, a batch's entries share the few pages of the
 * newest slice, and
 * a household's entries are still found by index: the journal's household query
 * (gateway/pipeline/journal.ts, listEntries) walks the slices newest first. Building it
 * reads the decisions once (seconds per million entries, at the first start after the
 * upgrade).
 */
export default `
  DROP INDEX IF EXISTS decisions_household;
  CREATE INDEX decisions_household_slice ON decisions(seq >> 12, household_id);
`;
