/**
 * Issue 15: decisions_resident(resident_id, seq) was written on every read and read by no
 * query — the journal's queries filter decisions by household (decisions_household) or
 * join them by seq. Keyed by the resident, each insert lands on a random leaf page, so at a
 * batch of ~80 reads it added ~80 pages to every commit's WAL (10.0 → 6.2 kB per read with
 * 20,000 households, bench/journal-cpu.ts) and a fifth of the commit's SQLite CPU.
 */
export default `
  DROP INDEX IF EXISTS decisions_resident;
`;
