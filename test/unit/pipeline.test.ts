import path from 'node:path';
import t, { type Test } from 'tap';
import { systemClock } from '../../core/clock.js';
import type { CredentialRead, DoorCommand } from '../../core/contracts.js';
import { AlertManager } from '../../gateway/alerts/alert-manager.js';
import { DeviceRegistry } from '../../gateway/devices.js';
import { LiveBus } from '../../gateway/live-bus.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { Pipeline } from '../../gateway/pipeline/pipeline.js';
import { Thumbnailer } from '../../gateway/pipeline/thumbnails.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';
import { RosterState } from '../../gateway/roster/roster-state.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { Outbox } from '../../gateway/upstream/outbox.js';
import { testConfig } from '../../testkit/config.js';
import { tmpDir } from '../../testkit/tmp.js';

function setup(t: Test, over: Record<string, unknown> = {}) {
  const { dir, cleanup } = tmpDir();
  const config = testConfig(over);
  const db = openDb(path.join(dir, 'g.db'));
  const metrics = createMetrics();
  const log = silentLogger();
  const outbox = new Outbox(Store.of(db));
  const alerts = new AlertManager(
    db,
    outbox,
    'urn:estate:SH-TEST:gateway:gw-t',
    config.alerts.coalesceSeconds * 1000,
  );
  const devices = new DeviceRegistry(Store.of(db), config.readers, {
    clock: systemClock,
    graceMs: 60_000,
    log,
  });
  const commands: Array<{ reader: string; cmd: DoorCommand; committedRows: number }> = [];
  const roster = RosterIndex.fromSnapshot({
    buildings: [{ id: 'B01', name: '1号楼' }],
    entrances: [],
    households: [
      {
        id: 'H1',
        buildingId: 'B01',
        entranceId: 'B01-U1',
        room: '0101',
        housingType: 'gongzu',
        leaseStart: null,
        leaseEnd: null,
        status: 'active',
      },
    ],
    residents: [
      {
        id: 'R1',
        householdId: 'H1',
        role: 'leaseholder',
        name: '张三',
        idHash: null,
        idMasked: null,
        phoneMasked: null,
        validFrom: null,
        validTo: null,
        status: 'active',
      },
    ],
    credentials: [{ kind: 'face', key: 'F1', residentId: 'R1' }],
  });
  const rows = () => db.prepare('SELECT count(*) FROM journal').pluck().get() as number;
  const p = new Pipeline({
    db,
    config,
    roster: RosterState.of(roster),
    devices,
    alerts,
    outbox,
    thumbnails: new Thumbnailer(dir, config.thumbnails, log, metrics),
    live: new LiveBus(),
    metrics,
    log,
    clock: systemClock,
    idHashKey: 'ee'.repeat(32),
    source: 'urn:estate:SH-TEST:gateway:gw-t',
    command: (reader, cmd) => commands.push({ reader, cmd, committedRows: rows() }),
  });
  t.teardown(() => {
    db.close();
    cleanup();
  });
  return { p, db, metrics, commands, outbox, rows };
}

let n = 0;
const read = (over: Partial<CredentialRead> = {}, personId: string | null = 'F1'): CredentialRead => ({
  readerId: 'T-B01',
  recordId: `r${++n}`,
  ts: Date.now() - 100,
  receivedAt: Date.now(),
  credential: { type: 'face', personId, score: 0.95, liveness: true },
  offline: false,
  ...over,
});
const metric = async (m: ReturnType<typeof createMetrics>, name: string) =>
  (await m.registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#'));

t.test('group commit: reads of one turn share one transaction, then doors are answered', async (t) => {
  const { p, commands, rows, metrics } = setup(t);
  await Promise.all(Array.from({ length: 50 }, () => p.submit(read())));
  t.equal(rows(), 50);
  t.equal(commands.length, 50);
  t.ok(
    commands.every((c) => c.committedRows === 50),
    'every command follows the commit',
  );
  t.ok(commands.every((c) => c.cmd.action === 'unlock' && c.cmd.durationMs === 3000));
  const hist = await metric(metrics, 'estate_gateway_commit_rows');
  t.ok(
    hist.includes('estate_gateway_commit_rows_count 1') && hist.includes('estate_gateway_commit_rows_sum 50'),
    'one commit of 50 rows',
  );
});

t.test('replays are deduplicated in flight and after commit', async (t) => {
  const { p, commands, rows, metrics } = setup(t);
  const r = read();
  const a = p.submit(r);
  const b = p.submit({ ...r });
  t.equal(a, b, 'the same promise for a duplicate in flight');
  await a;
  await p.submit({ ...r, offline: true });
  t.equal(rows(), 1);
  t.equal(commands.length, 1, 'answered once');
  t.match(await metric(metrics, 'estate_gateway_duplicate_reads_total'), [
    'estate_gateway_duplicate_reads_total 2',
  ]);
});

t.test('a live read never waits behind a replayed backlog', async (t) => {
  const { p, commands, rows } = setup(t);
  const backlog = Array.from({ length: 2000 }, () =>
    p.submit(read({ offline: true, ts: Date.now() - 3_600_000 })),
  );
  const live = p.submit(read());
  await live;
  t.equal(commands.length, 1);
  t.equal(commands[0]?.committedRows, 1, 'the live read is committed and answered before any of the backlog');
  await Promise.all(backlog);
  t.equal(rows(), 2001);
  t.equal(commands.length, 1, 'offline replays are not answered');
});

t.test(
  'the backlog moves in whole batches when doors are quiet, in short slices while they answer',
  async (t) => {
    const { p, rows, metrics } = setup(t, { store: { batchMaxRows: 10_000, replaySliceMs: 0.5 } });
    const commits = async () => {
      const m = (await metric(metrics, 'estate_gateway_commit_rows')).find((l) =>
        l.startsWith('estate_gateway_commit_rows_count'),
      );
      return Number(m?.split(' ')[1]);
    };
    const replay = () =>
      Promise.all(
        Array.from({ length: 2000 }, () => p.submit(read({ offline: true, ts: Date.now() - 3_600_000 }))),
      );
    await replay();
    t.equal(await commits(), 1, 'no door answered lately: 2,000 rows in one commit');
    await p.submit(read());
    const before = await commits();
    await replay();
    const slices = (await commits()) - before;
    t.ok(slices >= 4, `a door answered a moment ago: the next 2,000 in ${slices} slices of ~0.5 ms`);
    t.equal(rows(), 4001, 'nothing left behind');
  },
);

t.test('stale reads are recorded and checked, not answered', async (t) => {
  const { p, commands, db } = setup(t);
  await p.submit(read({ ts: Date.now() - 60_000 }, null));
  t.equal(commands.length, 0);
  const d = db.prepare('SELECT outcome, answer, reasons FROM decisions').get();
  t.same(d, { outcome: 'denied', answer: null, reasons: 'stranger stale' });
  t.equal(
    db.prepare('SELECT count(*) FROM alerts').pluck().get(),
    1,
    'still checked: the stranger alert is raised',
  );
});

t.test('repeats coalesce into one alert; each new alert goes to the outbox once', async (t) => {
  const { p, db, outbox } = setup(t);
  await p.submit(read({}, null));
  await p.submit(read({}, null));
  await p.submit(read({ readerId: 'T-B02' }, null));
  const alerts = db.prepare('SELECT kind, door_id AS door, count FROM alerts ORDER BY door_id').all();
  t.same(alerts, [
    { kind: 'stranger', door: 'B01-U1', count: 2 },
    { kind: 'stranger', door: 'B02-U1', count: 1 },
  ]);
  t.equal(outbox.depth, 2);
  const ev = JSON.parse(outbox.peek(0, 1)[0]?.body ?? '{}');
  t.match(ev, {
    specversion: '1.0',
    type: 'estate.alert.stranger',
    source: 'urn:estate:SH-TEST:gateway:gw-t',
    datacontenttype: 'application/json',
  });
  t.equal(db.prepare('SELECT count(*) FROM alert_entries').pluck().get(), 3);
});

t.test('access records go upstream when configured', async (t) => {
  const { p, outbox } = setup(t, {
    upstream: { enabled: true, url: 'http://127.0.0.1:1/x', access: 'denied' },
  });
  await p.submit(read());
  await p.submit(read({}, 'F-unknown'));
  const types = outbox.peek(0, 10).map((r) => JSON.parse(r.body).type);
  t.same(types.sort(), ['estate.access.denied', 'estate.alert.stranger']);
});

t.test('a failed commit acknowledges nothing but still answers the door', async (t) => {
  const { p, db, commands, metrics } = setup(t);
  db.exec(`CREATE TEMP TRIGGER boom BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
  await t.rejects(p.submit(read()), /disk on fire/);
  t.equal(commands.length, 1, 'the resident is let in even though the SD card failed');
  t.match(await metric(metrics, 'estate_gateway_store_errors_total'), [
    'estate_gateway_store_errors_total 1',
  ]);
  db.exec('DROP TRIGGER boom');
  await p.submit(read());
  t.equal(commands.length, 2, 'and the pipeline carries on');
});

t.test('unknown readers and far-future reads are rejected and counted', async (t) => {
  const { p, rows, metrics } = setup(t);
  await p.submit(read({ readerId: 'NOPE' }));
  await p.submit(read({ ts: Date.now() + 3 * 86_400_000 }));
  t.equal(rows(), 0);
  const lines = await metric(metrics, 'estate_gateway_rejected_total');
  t.ok(lines.includes('estate_gateway_rejected_total{reason="unknown_reader"} 1'));
  t.ok(lines.includes('estate_gateway_rejected_total{reason="future_ts"} 1'));
});
