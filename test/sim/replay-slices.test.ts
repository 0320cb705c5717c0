import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { REPLAY_UNTIL } from '../../cli/replay.js';
import { replayFile } from '../../gateway/replay/replay.js';
import { SeenFilter } from '../../gateway/replay/seen-filter.js';
import { generateYear } from '../../sim/year/generate.js';
import { tmpDir } from '../../testkit/tmp.js';
import { openYear } from './replay-year.js';

/** Replays the year in `dir` reading `chunkBytes` at a time; what it recorded and the rows per commit. */
async function replay(dir: string, data: string, chunkBytes: number) {
  const { gw, clock } = await openYear(dir, data);
  await gw.start(REPLAY_UNTIL);
  const stats = await replayFile(gw, clock, path.join(dir, 'reads.jsonl'), undefined, undefined, chunkBytes);
  const decisions = gw.db
    .prepare(
      `SELECT j.reader_id || ' ' || j.record_id || ' ' || d.outcome || ' ' || d.reasons || ' ' || ifnull(d.resident_id, '-')
         FROM journal j JOIN decisions d USING (seq) ORDER BY j.reader_id, j.record_id`,
    )
    .pluck()
    .all() as string[];
  const alerts = gw.db
    .prepare(
      `SELECT kind || ' ' || ifnull(door_id, '-') || ' ' || subject || ' ' || first_ts || ' ' || count
         FROM alerts ORDER BY 1`,
    )
    .pluck()
    .all() as string[];
  // Each data directory generates its own idHashKey: hashed ID numbers differ between them.
  const masked = alerts.map((a) => a.replace(/[0-9a-f]{64}/g, 'H')).sort();
  const rows = (await gw.metrics.batchRows.get()).values;
  const sum = rows.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
  const commits = rows.find((v) => v.metricName?.endsWith('_count'))?.value ?? 1;
  gw.store.close();
  return { stats, decisions, alerts: masked, rowsPerCommit: sum / commits };
}

t.test(
  'a replay commits in large slices, and what it records does not depend on how far it reads ahead',
  async (t) => {
    const { dir, cleanup } = tmpDir('replay-slices-');
    t.teardown(cleanup);
    generateYear({ households: 80, seed: 23, start: '2025-03-01', days: 30, out: dir });
    const small = await replay(dir, 'data-64k', 64 * 1024);
    const large = await replay(dir, 'data-8m', 8 << 20);
    t.equal(small.stats.failed + large.stats.failed, 0);
    t.ok(large.stats.passes > 0, `the year registers passes (${large.stats.passes})`);
    t.equal(large.stats.reads, small.stats.reads);
    // A pass line is registered after the reads before it are checked: a read never meets a
    // pass that the file registers later, however much of the file was read ahead.
    t.same(large.decisions, small.decisions, 'the same decisions, read for read');
    t.same(large.alerts, small.alerts, 'the same alerts');
    t.ok(
      large.rowsPerCommit > 4 * small.rowsPerCommit,
      `reading ahead, commits take more rows (${Math.round(large.rowsPerCommit)} against ${Math.round(small.rowsPerCommit)})`,
    );
  },
);

t.test('a read before a pass line in the file does not meet that pass, read ahead or not', async (t) => {
  const { dir, cleanup } = tmpDir('replay-pass-order-');
  t.teardown(cleanup);
  generateYear({ households: 20, seed: 29, start: '2025-03-01', days: 3, out: dir });
  const lines = readFileSync(path.join(dir, 'reads.jsonl'), 'utf8').trim().split('\n');
  const pass = JSON.parse(lines.find((l) => l.startsWith('{"pass"')) as string).pass;
  const reader = JSON.parse(lines[0] as string).reader as string;
  const read = (id: string, ts: string) =>
    JSON.stringify({
      reader,
      id,
      ts,
      type: 'face',
      face: { personId: null, score: 0.5, liveness: true, embedding: pass.embedding },
      offline: true,
    });
  // The visitor's face at 09:00, the pass registered at 09:05 (valid from 08:00), the face again at 09:10.
  const file = [
    read('ORDER-1', '2025-03-10T09:00:00.000+08:00'),
    JSON.stringify({
      pass: { ...pass, validFrom: '2025-03-10T08:00:00+08:00', validTo: '2025-03-10T20:00:00+08:00' },
    }),
    read('ORDER-2', '2025-03-10T09:10:00.000+08:00'),
  ];
  writeFileSync(path.join(dir, 'reads.jsonl'), `${file.join('\n')}\n`);
  const { decisions, stats } = await replay(dir, 'data', 8 << 20);
  t.equal(stats.passes, 1);
  const [before, after] = decisions;
  t.match(before, /ORDER-1 \S+ .*stranger/, 'the read before the pass: a stranger');
  t.notMatch(before, /visitor_pass/);
  t.match(after, /ORDER-2 \S+ .*visitor_pass/, 'the read after it: the visitor of the pass');
});

t.test(
  'replayed again into the same data directory, with the journal filter, nothing is recorded twice',
  async (t) => {
    const { dir, cleanup } = tmpDir('replay-again-');
    t.teardown(cleanup);
    generateYear({ households: 30, seed: 31, start: '2025-03-01', days: 4, out: dir });
    const once = async () => {
      const { gw, clock } = await openYear(dir);
      await gw.start(REPLAY_UNTIL);
      const seen = SeenFilter.fromJournal(gw.db);
      const before = seen.size;
      gw.pipeline.useSeenKeys(seen);
      const stats = await replayFile(gw, clock, path.join(dir, 'reads.jsonl'));
      const rows = gw.db.prepare('SELECT count(*) FROM journal').pluck().get() as number;
      const duplicates = (await gw.metrics.duplicates.get()).values[0]?.value ?? 0;
      await gw.stop();
      return { stats, before, rows, duplicates };
    };
    const first = await once();
    t.equal(first.before, 0, 'a fresh journal: an empty filter');
    t.equal(first.rows, first.stats.reads, 'every read recorded once');
    t.equal(first.duplicates, 0);
    const second = await once();
    t.equal(second.before, first.rows, 'filled from the journal when installed');
    t.equal(second.rows, first.rows, 'the second replay adds nothing');
    t.equal(second.duplicates, second.stats.reads, 'every read of it is a duplicate');
  },
);
