import path from 'node:path';
import t from 'tap';
import { systemClock } from '../../core/clock.js';
import { AlertManager } from '../../gateway/alerts/alert-manager.js';
import { DeviceRegistry } from '../../gateway/devices.js';
import { LiveBus } from '../../gateway/live-bus.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { createPipeline } from '../../gateway/pipeline/create.js';
import {
  countsBySlot,
  countsSince,
  hasEntryBefore,
  Journal,
  listEntries,
  thumbsOfEntries,
} from '../../gateway/pipeline/journal.js';
import { Thumbnailer } from '../../gateway/pipeline/thumbnails.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';
import { RosterState } from '../../gateway/roster/roster-state.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { Outbox } from '../../gateway/upstream/outbox.js';
import { testConfig } from '../../testkit/config.js';
import { faceRead, pipelineKit } from '../../testkit/pipeline.js';
import { tmpDir } from '../../testkit/tmp.js';

// The journal stage (issue 8): the SQL of journal, decisions and retention in one module.

const DAY = 86_400_000;

t.test('retention deletes old entries and their decisions in batches, yielding between them', async (t) => {
  const { pipeline, db, store, rows } = pipelineKit(t);
  const now = Date.now();
  const old = Array.from({ length: 25 }, (_, i) =>
    faceRead('T-B01', 'F1', { offline: true, ts: now - 40 * DAY + i * 1000 }),
  );
  await Promise.all(
    [...old, ...Array.from({ length: 5 }, () => faceRead('T-B01', 'F1'))].map((r) => pipeline.submit(r)),
  );
  t.equal(rows(), 30);
  const journal = new Journal(store);
  const purge = journal.purgeBefore(now - 30 * DAY, 10);
  t.equal(rows(), 20, 'the first batch is deleted at once, the rest waits for the next turn');
  t.equal(await purge, 25, 'every entry older than the cutoff');
  t.equal(rows(), 5);
  t.equal(db.prepare('SELECT count(*) FROM decisions').pluck().get(), 5, 'their decisions went with them');
  t.ok(
    listEntries(db, {}, 100).every((e) => e.ts >= now - 30 * DAY),
    'what is left is newer than the cutoff',
  );
  t.equal(await journal.purgeBefore(now - 30 * DAY), 0, 'nothing more to delete');
});

t.test('dedupe: the journal knows a reader’s record once it is recorded', async (t) => {
  const { pipeline, store } = pipelineKit(t);
  const r = faceRead('T-B01', 'F1');
  const journal = new Journal(store);
  t.notOk(journal.has(r.readerId, r.recordId));
  await pipeline.submit(r);
  t.ok(journal.has(r.readerId, r.recordId));
  t.notOk(journal.has('T-B02', r.recordId), 'record ids are unique per reader only');
});

t.test('building a pipeline touches no database: it works once the store opens later', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.teardown(cleanup);
  const store = new Store(path.join(dir, 'g.db'));
  const journal = new Journal(store);
  t.throws(() => journal.has('T-B01', 'x'), { code: 'STORE_CLOSED' }, 'the store is not open yet');
  // The outbox and the device registry are not this stage's: they get a database of their own.
  const side = openDb(':memory:');
  const config = testConfig();
  const log = silentLogger();
  const metrics = createMetrics();
  const outbox = new Outbox(Store.of(side));
  const pipeline = createPipeline({
    store,
    config,
    roster: RosterState.of(
      RosterIndex.fromSnapshot({
        buildings: [],
        entrances: [],
        households: [],
        residents: [],
        credentials: [],
      }),
    ),
    devices: new DeviceRegistry(Store.of(side), config.readers, { clock: systemClock, graceMs: 60_000, log }),
    alerts: new AlertManager(store, outbox, 'urn:x', 300_000),
    outbox,
    thumbnails: new Thumbnailer(dir, config.thumbnails, log, metrics),
    live: new LiveBus(),
    metrics,
    log,
    clock: systemClock,
    idHashKey: 'ee'.repeat(32),
    source: 'urn:x',
    command: () => undefined,
  });
  const db = store.open();
  t.teardown(() => {
    store.close();
    side.close();
  });
  await pipeline.submit(faceRead('T-B01', null));
  t.equal(db.prepare('SELECT count(*) FROM journal').pluck().get(), 1, 'the read is journaled');
  t.equal(db.prepare('SELECT kind FROM alerts').pluck().get(), 'stranger', 'and its alert stored');
});

t.test("the dashboard's counts come from the journal module: by direction, denied, per slot", async (t) => {
  const { pipeline, db } = pipelineKit(t);
  const now = Date.now();
  // Recorded (offline) reads keep the terminal's event time, so each falls in a known slot.
  const at = (ago: number, person: string) => faceRead('T-B01', person, { offline: true, ts: now - ago });
  await Promise.all(
    [at(2.5 * DAY, 'F1'), at(0.5 * DAY, 'F1'), at(0.5 * DAY, 'F-unknown')].map((r) => pipeline.submit(r)),
  );
  const dirs = db.prepare('SELECT direction, count(*) AS n FROM journal GROUP BY direction').all();
  t.same(dirs, [{ direction: 'in', n: 3 }], 'the test reader is an entrance');
  t.same(
    countsSince(db, now - DAY),
    { in: 2, out: 0, denied: 1 },
    'the old read is not counted, the stranger is',
  );
  t.same(countsSince(db, now - 3 * DAY), { in: 3, out: 0, denied: 1 });
  const slots = countsBySlot(db, now - 3 * DAY, now, DAY);
  t.same(
    slots.sort((a, b) => a.slot - b.slot),
    [
      { slot: 0, direction: 'in', n: 1 },
      { slot: 2, direction: 'in', n: 2 },
    ],
    'slot 0 starts at `from`; each read falls in the slot of its event time',
  );
  t.same(countsBySlot(db, now - DAY, now - DAY / 2, DAY), [], 'the end of the range is excluded');
  t.equal(hasEntryBefore(db, now - DAY), true);
  t.equal(hasEntryBefore(db, now - 3 * DAY), false);
  const seqs = db.prepare('SELECT seq FROM journal').pluck().all() as number[];
  t.same(thumbsOfEntries(db, seqs), [], 'reads without a picture have no thumbnail reference');
});

t.test(
  'one time index per entry (issue 15): retention and time ranges use journal_ts_direction',
  async (t) => {
    const db = openDb(':memory:');
    t.teardown(() => db.close());
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal' AND sql IS NOT NULL",
      )
      .pluck()
      .all();
    t.notOk(indexes.includes('journal_ts'), 'the prefix index is gone: it cost a B-tree insert per read');
    t.ok(indexes.includes('journal_ts_direction'));
    const plan = (sql: string) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 10) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('; ');
    t.match(plan('SELECT seq FROM journal WHERE ts < ? ORDER BY ts LIMIT ?'), /journal_ts_direction/);
    t.match(plan('SELECT seq FROM journal WHERE ts >= ? AND ts < ?'), /journal_ts_direction/);
  },
);
