import { randomBytes } from 'node:crypto';
import path from 'node:path';
import t, { type Test } from 'tap';
import { ManualClock } from '../../core/clock.js';
import { build } from '../../gateway/build.js';
import { monthRange } from '../../gateway/ledger/report.js';
import { MonthlyReportSender, monthsOwed, previousMonth } from '../../gateway/ledger/report-upstream.js';
import { silentLogger } from '../../gateway/log.js';
import type { Db } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { Outbox } from '../../gateway/upstream/outbox.js';
import { SimUpstream } from '../../sim/upstream.js';
import { loaded } from '../../testkit/config.js';
import { startGateway } from '../../testkit/gateway.js';
import { tmpDir } from '../../testkit/tmp.js';

// The monthly report goes upstream at each month's end (issue 14): estate.report.monthly
// with the report as JSON and CSV, once per month, through the outbox.

/** One read in the journal at `ts`: the box ran then. */
function aRead(db: Db, ts: number): void {
  db.prepare(
    `INSERT INTO journal(reader_id, record_id, door_id, direction, ts, reader_ts, received_at, type,
       offline, stale) VALUES ('T-B01', ?, 'B01', 'in', ?, ?, ?, 'face', 0, 0)`,
  ).run(`r-${ts}`, ts, ts, ts);
}

function sender(store: Store, clock: ManualClock, kick = () => {}): MonthlyReportSender {
  return new MonthlyReportSender({
    store,
    outbox: new Outbox(store),
    source: 'urn:estate:SH-TEST:gateway:gw-t',
    estate: { id: 'SH-TEST', name: '测试小区' },
    clock,
    log: silentLogger(),
    kick,
  });
}

function openStore(t: Test): Store {
  const { dir, cleanup } = tmpDir('monthly-');
  const store = new Store(path.join(dir, 'gateway.db'));
  store.open();
  t.teardown(() => {
    store.close();
    cleanup();
  });
  return store;
}

t.test('the month that ended, in Shanghai time', async (t) => {
  t.equal(previousMonth(Date.parse('2026-05-01T00:00:00+08:00')), '2026-04');
  t.equal(previousMonth(Date.parse('2026-04-30T23:59:59+08:00')), '2026-03', 'still April in Shanghai');
  t.equal(previousMonth(Date.parse('2026-01-01T00:10:00+08:00')), '2025-12', 'across the year');
});

t.test('queued once per month, in the outbox with a stable id; a restart does not repeat it', async (t) => {
  const store = openStore(t);
  const clock = new ManualClock(Date.parse('2026-05-01T00:30:00+08:00'));
  let kicks = 0;
  const make = () => sender(store, clock, () => kicks++);
  aRead(store.db, Date.parse('2026-04-20T08:00:00+08:00'));
  t.same(make().check(), ['2026-04']);
  t.same(make().check(), [], 'a second sender (a restart) does not queue it again');
  clock.set(Date.parse('2026-06-01T01:00:00+08:00'));
  t.same(make().check(), ['2026-05']);
  const rows = store.db
    .prepare('SELECT event_id AS id, channel, body FROM outbox ORDER BY seq')
    .all() as Array<{
    id: string;
    channel: string;
    body: string;
  }>;
  t.same(
    rows.map((r) => [r.id, r.channel]),
    [
      ['report-monthly-SH-TEST-2026-04', 'reports'],
      ['report-monthly-SH-TEST-2026-05', 'reports'],
    ],
  );
  const ev = JSON.parse(rows[0]?.body ?? '{}');
  t.match(ev, { specversion: '1.0', type: 'estate.report.monthly', time: '2026-04-30T16:00:00.000Z' });
  t.equal(ev.data.report.month, '2026-04');
  t.equal(ev.data.late, false, 'sent when its month ended');
  t.match(ev.data.csv, /^section,key,label,building,household,value\n/);
  t.equal(kicks, 2);
});

t.test('a box installed this month sends no report for the month before it ran', async (t) => {
  const store = openStore(t);
  const clock = new ManualClock(Date.parse('2026-05-07T10:00:00+08:00'));
  aRead(store.db, Date.parse('2026-05-02T08:00:00+08:00'));
  t.same(sender(store, clock).check(), [], 'no April: the box has no read from before May');
  t.same(sender(store, clock).check(), [], 'nor after a restart');
  const depth = () => (store.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  t.equal(depth(), 0, 'nothing in the outbox');
  clock.set(Date.parse('2026-06-01T00:05:00+08:00'));
  t.same(sender(store, clock).check(), ['2026-05'], 'its first report is the month it was installed in');
  t.equal(depth(), 1);
});

t.test('a box that was off over several month-ends sends every month it owes, oldest first', async (t) => {
  const store = openStore(t);
  const clock = new ManualClock(Date.parse('2026-05-01T00:30:00+08:00'));
  aRead(store.db, Date.parse('2026-04-20T08:00:00+08:00'));
  aRead(store.db, Date.parse('2026-06-03T08:00:00+08:00'));
  t.same(sender(store, clock).check(), ['2026-04']);
  // Off from early June until 2 September: June, July and August ended unseen.
  clock.set(Date.parse('2026-09-02T09:00:00+08:00'));
  t.same(sender(store, clock).check(), ['2026-05', '2026-06', '2026-07', '2026-08']);
  t.same(sender(store, clock).check(), [], 'once only');
  const rows = store.db.prepare('SELECT body FROM outbox ORDER BY seq').all() as Array<{ body: string }>;
  const sent = rows.map((r) => JSON.parse(r.body).data as { month: string; late: boolean; report: unknown });
  t.same(
    sent.map((d) => [d.month, d.late]),
    [
      ['2026-04', false],
      ['2026-05', true],
      ['2026-06', true],
      ['2026-07', true],
      ['2026-08', false],
    ],
    'the months owed are late; the one just ended is not',
  );
  t.match(sent[2]?.report, { month: '2026-06' }, "June's report is June's, not August's");
});

t.test('months owed: across the year, none, and at most two years', async (t) => {
  t.same(monthsOwed('2025-11', '2026-02'), ['2025-12', '2026-01', '2026-02']);
  t.same(monthsOwed('2026-02', '2026-02'), []);
  const owed = monthsOwed('2020-01', '2026-02');
  t.equal(owed.length, 24);
  t.equal(owed[0], '2024-03');
  t.equal(owed[23], '2026-02');
});

t.test('a running gateway sends the month that ended to the district system', async (t) => {
  const hmacKey = randomBytes(32).toString('hex');
  const up = new SimUpstream({ hmacKey, port: 0, log: silentLogger() });
  await up.start();
  t.teardown(() => up.stop());
  // The box ran last month: a read then, written before the upstream is switched on.
  const g = await startGateway(t, {}, undefined, {}, { upstream: { hmacKey } });
  const [lastMonth] = monthRange(previousMonth(Date.now()));
  aRead(g.gw.db, lastMonth + 3600_000);
  await g.gw.stop();
  const over = { upstream: { enabled: true, url: up.url, reconnect: { minMs: 100, maxMs: 500 } } };
  const gw = build(loaded(g.dir, over), { log: silentLogger() });
  await gw.start();
  t.teardown(() => gw.stop());
  const ev = await up.waitFor((e) => e.type === 'estate.report.monthly', 15_000);
  t.equal((ev.data as { month: string }).month, previousMonth(Date.now()));
  t.equal(ev.source, 'urn:estate:SH-TEST:gateway:gw-t');
});
