/**
 * Issue 15: every read wrote two index entries keyed by its time — journal_ts(ts) and
 * journal_ts_direction(ts, direction). The second has the first as its prefix, so it serves
 * every query of the first (retention's `ts < ? ORDER BY ts`, the journal's ranges) as well;
 * the first only cost a B-tree insert and its pages in the WAL on each commit of the hot path.
 */
export default `
  DROP INDEX IF EXISTS journal_ts;
`;
