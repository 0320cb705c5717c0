/** What replayDone() needs of a database handle (better-sqlite3's Database). */
export interface QueryDb {
  prepare(sql: string): { pluck(): { get(...params: unknown[]): unknown } };
}

/** How often the full count is made once the last record is in but some are missing, ms. */
const RECOUNT_MS = 100;

/**
 * Whether all `n` records a bench replayer sent as `reader` (ids `{reader}-1` … `{reader}-n`,
 * testkit/load-reader.ts) are in the journal, cheap enough to ask every millisecond.
 *
 * The bench asked `count(*)` over the reader's rows in every millisecond of its live-read
 * loop: 4–6 ms a count at 80,000 rows, so the measuring process spent most of the replay
 * blocked in SQLite, its live readers' door commands were timestamped late and it took
 * most of a core from the gateway it measured (issue 15, live p99 under replay). One
 * reader's records are committed in the order they arrive, so the last record's row (a
 * point lookup, microseconds) says when to make the one full count that confirms it; if
 * that finds some missing, the count is made again at most every RECOUNT_MS.
 */
export function replayDone(
  db: QueryDb,
  reader: string,
  n: number,
  now = () => performance.now(),
): () => boolean {
  const last = db.prepare('SELECT 1 FROM journal WHERE reader_id = ? AND record_id = ?').pluck();
  const count = db.prepare('SELECT count(*) FROM journal WHERE reader_id = ?').pluck();
  const lastId = `${reader}-${n}`;
  let countedAt = Number.NEGATIVE_INFINITY;
  let done = false;
  return () => {
    if (done) return true;
    if (last.get(reader, lastId) === undefined) return false;
    if (now() - countedAt < RECOUNT_MS) return false;
    countedAt = now();
    done = (count.get(reader) as number) >= n;
    return done;
  };
}
