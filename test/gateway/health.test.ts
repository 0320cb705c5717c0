import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import t from 'tap';
import type { MqttBus } from '../../core/bus.js';
import { ManualClock } from '../../core/clock.js';
import type { AlertCandidate } from '../../gateway/alerts/per-entry.js';
import { DeviceRegistry } from '../../gateway/devices.js';
import { DiskSpace, type FsStats } from '../../gateway/disk-space.js';
import { HealthReport, type PipelineStats } from '../../gateway/health.js';
import { Housekeeping, type HousekeepingDeps } from '../../gateway/housekeeping.js';
import { createLogger, silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';
import { RosterState } from '../../gateway/roster/roster-state.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { testConfig } from '../../testkit/config.js';
import { startGateway } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { household, resident } from '../../testkit/pipeline.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 12: health tells the truth — a journal that cannot commit, a disk about to fill,
// an upstream that is down (with its queue), each makes the gateway degraded.

const MB = 1048576;

/** A 100 MB disk whose free space the test sets. */
function disk(freeMB: number): { stats: FsStats; statfs: () => FsStats } {
  const stats = { blocks: 100 * 256, bsize: 4096, bavail: freeMB * 256 };
  return { stats, statfs: () => stats };
}

function report(store: PipelineStats['store'], d: DiskSpace) {
  const config = testConfig();
  const clock = new ManualClock();
  const bus = Object.assign(new EventEmitter(), { connected: true }) as unknown as MqttBus;
  const devices = new DeviceRegistry(Store.of(openDb(':memory:')), config.readers, {
    clock,
    graceMs: 60_000,
    log: silentLogger(),
  });
  const roster = RosterState.of(
    RosterIndex.fromSnapshot({
      buildings: [{ id: 'B01', name: '1号楼' }],
      entrances: [],
      households: [household('H1')],
      residents: [resident('R1', 'H1')],
      credentials: [],
    }),
  );
  return new HealthReport({
    config,
    clock,
    bus,
    devices,
    pipeline: { backlog: 0, recorded: 0, store },
    roster,
    upstream: null,
    disk: d,
  });
}

const OK = {
  state: 'ok' as const,
  since: null,
  error: null,
  failedCommits: 0,
  answered: 0,
  refused: 0,
  held: 0,
};

t.test('a full journal makes health degraded, with the reads held and the free bytes', async (t) => {
  const fs = disk(3);
  const d = new DiskSpace('/x', 90, new ManualClock(), createMetrics(), fs.statfs);
  t.match(report(OK, d).view(), {
    status: 'degraded',
    problems: [/^disk 97 % full \(warning at 90 %\): 3 MB free$/],
  });
  fs.stats.bavail = 50 * 256;
  const since = Date.parse('2026-05-01T08:00:00+08:00');
  const full = { ...OK, state: 'full' as const, since, error: 'SQLITE_FULL', held: 12, answered: 12 };
  const h = report(full, new DiskSpace('/x', 90, new ManualClock(), createMetrics(), fs.statfs)).view();
  t.equal(h.status, 'degraded');
  t.same(h.problems, ['store full: the journal cannot commit (12 reads held in memory, 50 MB free)']);
  t.match(h.store, {
    state: 'full',
    since: '2026-05-01T00:00:00.000Z',
    error: 'SQLITE_FULL',
    held: 12,
    freeBytes: 50 * MB,
    totalBytes: 100 * MB,
    usedPercent: 50,
    warnPercent: 90,
  });
  const failed = report(
    { ...full, state: 'failed', error: 'SQLITE_IOERR_WRITE' },
    new DiskSpace('/x', 90, new ManualClock(), createMetrics(), fs.statfs),
  ).view();
  t.same(failed.problems, [
    'store failed (SQLITE_IOERR_WRITE): the journal cannot commit (12 reads held in memory)',
  ]);
  t.match(report(OK, new DiskSpace('/x', 90, new ManualClock(), createMetrics(), fs.statfs)).view(), {
    status: 'ok',
    problems: [],
  });
});

t.test('the disk watermark warns once per crossing, before the disk is full', async (t) => {
  const fs = disk(50);
  const clock = new ManualClock();
  const metrics = createMetrics();
  const d = new DiskSpace('/x', 90, clock, metrics, fs.statfs);
  const raised: AlertCandidate[] = [];
  const lines: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
        cb();
      },
    }),
  });
  const hk = new Housekeeping({
    disk: d,
    clock,
    log,
    alarms: { raise: (c: AlertCandidate) => raised.push(c) },
  } as unknown as HousekeepingDeps);
  hk.checkDisk();
  t.equal(raised.length, 0, '50 % used: nothing to say');
  fs.stats.bavail = 9 * 256; // 91 % used
  hk.checkDisk();
  hk.checkDisk();
  t.match(
    raised,
    [{ kind: 'disk_space_low', subject: 'disk:dataDir', ts: clock.now() }],
    'one alert per crossing',
  );
  t.same(lines, ['disk almost full: the journal stops when it is; free space or move dataDir']);
  fs.stats.bavail = 11 * 256; // 89 %: within the margin, still low
  hk.checkDisk();
  fs.stats.bavail = 20 * 256;
  hk.checkDisk();
  t.equal(lines.at(-1), 'disk space is below its watermark again');
  fs.stats.bavail = 5 * 256;
  hk.checkDisk();
  t.equal(raised.length, 2, 'a new crossing warns again');
  t.match(
    await metrics.registry.getSingleMetricAsString('estate_gateway_disk_free_bytes'),
    /disk_free_bytes 5242880/,
  );
});

t.test('the upstream down: degraded, with the queue depth and the age of the oldest event', async (t) => {
  const g = await startGateway(t, {
    upstream: { enabled: true, url: 'http://127.0.0.1:9/v1/events', reconnect: { minMs: 50, maxMs: 200 } },
  });
  const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01', personId: null });
  await r.start();
  t.teardown(() => r.stop());
  t.ok(await r.roundTrip(), 'a stranger: an alert for upstream');
  await waitFor(() => g.gw.health().upstream?.lastError !== null, 5000, 'a failed delivery');
  // The public reply says only the status (issue 9); the details come with a token.
  t.equal(
    (await g.api('/healthz', { as: null })).status,
    503,
    'not 200 "ok" (the probe: 2,301 events queued and ok)',
  );
  const res = await g.api('/healthz');
  t.equal(res.status, 503);
  const h = (await res.json()) as ReturnType<typeof g.gw.health>;
  t.equal(h.status, 'degraded');
  t.match(h.upstream, { transport: 'http', depth: 1, oldestAgeS: Number });
  t.match(h.problems, [/^upstream unreachable: 1 event queued, oldest \d+ s old$/]);
});
