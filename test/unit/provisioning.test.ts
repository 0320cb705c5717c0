import { Writable } from 'node:stream';
import t from 'tap';
import { ManualClock } from '../../core/clock.js';
import type { Driver, ReaderStatus, ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { Drift, EntryOutcome, LibraryEntry, LibraryKind, Provisioner } from '../../core/provisioning.js';
import { FingerprintProvisioner, type PageLibrary } from '../../drivers/fingerprint/provisioner.js';
import type { DriverFactory } from '../../drivers/types.js';
import { DeviceRegistry } from '../../gateway/devices.js';
import { DriverSet } from '../../gateway/driver-set.js';
import { createLogger, silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { EmbeddedBroker } from '../../gateway/mqtt/embedded.js';
import { createLibrarySync } from '../../gateway/provisioning/provisioning.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { testConfig } from '../../testkit/config.js';
import { TEST_ROSTER } from '../../testkit/gateway.js';
import { RecordingIngress } from '../../testkit/ingress.js';

// Issue 8: a driver whose readers keep their own library exposes it through one
// provisioning seam; the gateway drives any such driver, knowing none by name.

const sink = (): ReadSink & { statuses: Array<[string, ReaderStatus]> } => {
  const statuses: Array<[string, ReaderStatus]> = [];
  return {
    statuses,
    submit: async () => {},
    reject: () => {},
    door: () => {},
    status: (id, s) => void statuses.push([id, s]),
  };
};

/** A module's pages, answering as scripted: `fail` maps a page to the error its write throws. */
function pages(
  fail: Record<number, GatewayError> = {},
): PageLibrary & { written: number[]; removed: number[] } {
  const written: number[] = [];
  const removed: number[] = [];
  return {
    written,
    removed,
    enroll: async (_id, page) => {
      const err = fail[page];
      if (err) throw err;
      written.push(page);
    },
    remove: async (_id, page) => {
      removed.push(page);
    },
    drift: async (_id, expected) => {
      const want = [...expected];
      return { orphans: [3], missing: want.filter((p) => p !== 9) };
    },
  };
}

t.test('fingerprint provisioner: readiness from the probe, late listeners told at once', async (t) => {
  const p = new FingerprintProvisioner(pages());
  const inner = sink();
  const watched = p.watch(inner);
  const early: string[] = [];
  const off = p.onReady((id) => early.push(id));
  watched.status('fp1', { online: true });
  watched.status('fp2', { online: true });
  watched.status('fp2', { online: false });
  t.same(early, ['fp1', 'fp2'], 'each module answering its probe');
  t.same(
    inner.statuses.map(([id, s]) => [id, s.online]),
    [
      ['fp1', true],
      ['fp2', true],
      ['fp2', false],
    ],
    'the pipeline still hears every status',
  );
  const late: string[] = [];
  p.onReady((id) => late.push(id));
  t.same(late, ['fp1'], 'a listener that comes after the drivers started learns who is ready');
  off();
  watched.status('fp2', { online: true });
  t.same(early, ['fp1', 'fp2'], 'unsubscribed');
  t.same(late, ['fp1', 'fp2']);
});

t.test('fingerprint provisioner: a refused page is an outcome, anything else ends the run', async (t) => {
  const lib = pages({
    5: new GatewayError('BAD_PAGE', 'page 5 outside 0..4'),
    6: new GatewayError('FP_REFUSED', 'Store refused with 0x18'),
    8: new GatewayError('TIMEOUT', 'no answer'),
  });
  const p = new FingerprintProvisioner(lib);
  const tpl = Buffer.alloc(512, 1);
  const table: Array<[LibraryEntry, EntryOutcome | RegExp]> = [
    [{ key: '7', template: tpl }, { ok: true }],
    [
      { key: '5', template: tpl },
      { ok: false, code: 'BAD_PAGE', message: 'page 5 outside 0..4' },
    ],
    [
      { key: '6', template: tpl },
      { ok: false, code: 'FP_REFUSED', message: 'Store refused with 0x18' },
    ],
    [{ key: '7' }, { ok: false, code: 'BAD_TEMPLATE', message: 'the entry carries no template' }],
    [{ key: '8', template: tpl }, /no answer/],
  ];
  for (const [entry, want] of table) {
    if (want instanceof RegExp) await t.rejects(p.put('fp1', entry), { code: 'TIMEOUT', message: want });
    else t.same(await p.put('fp1', entry), want, `put ${entry.key}`);
  }
  t.same(lib.written, [7]);
  t.same(await p.remove('fp1', '3'), { ok: true });
  t.same(lib.removed, [3]);
  const d: Drift = await p.drift('fp1', ['07', '9', '12']);
  t.same(d, { orphans: ['3'], missing: ['07', '12'] }, 'keys come back as they were spelled');
});

/** A driver of some protocol that keeps a library of the given kind on each of its readers. */
function libraryDriver(kind: LibraryKind, calls: string[]): DriverFactory {
  return (ctx) => {
    const provisioning: Provisioner = {
      kind,
      drift: async (id, keys) => {
        calls.push(`drift ${id} ${keys.join(',')}`);
        return { orphans: [], missing: [...keys] };
      },
      put: async (id, e) => {
        calls.push(`put ${id} ${e.key}`);
        return { ok: true };
      },
      remove: async () => ({ ok: true }),
      onReady: (f) => {
        for (const r of ctx.readers) f(r.id);
        return () => {};
      },
    };
    const d: Driver = {
      name: 'lib',
      start: async () => {},
      stop: async () => {},
      command: () => {},
      provisioning,
    };
    return d;
  };
}

t.test('any driver exposing provisioning is synced; the root names none', async (t) => {
  const config = testConfig({
    readers: [
      { id: 'T-B01', door: 'B01-U1' },
      { id: 'L1', door: 'B01-U1', driver: 'fingerprint', options: { path: '/dev/null' } },
      { id: 'L2', door: 'B02-U1', driver: 'wiegand', options: { path: '/dev/null' } },
    ],
  });
  const calls: string[] = [];
  const db = openDb(':memory:');
  t.teardown(() => db.close());
  const store = Store.of(db);
  saveRoster(
    db,
    {
      ...TEST_ROSTER,
      credentials: [...TEST_ROSTER.credentials, { kind: 'fingerprint', key: '7', residentId: 'R00001' }],
      fingerprintTemplates: [{ key: '7', residentId: 'R00001', template: Buffer.alloc(512, 7) }],
    },
    'merge',
    1,
    'v1',
  );
  const lines: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(c.toString());
        cb();
      },
    }),
  });
  const clock = new ManualClock(1000);
  const noBroker = new EmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    requireAuth: false,
    passwords: () => undefined,
    topicPrefix: 'acs/v1',
    log: silentLogger(),
  });
  // Two protocols under made-up names: one keeps fingerprint pages, one a face library.
  const drivers = new DriverSet({
    readers: config.readers,
    factories: {
      'mqtt-v1': (() => ({
        name: 'x',
        start: async () => {},
        stop: async () => {},
        command: () => {},
      })) as DriverFactory,
      fingerprint: libraryDriver('fingerprint', calls),
      wiegand: libraryDriver('face', calls),
    },
    sink: sink(),
    bus: noBroker,
    topicPrefix: 'acs/v1',
    ingress: new RecordingIngress(),
    log,
    clock,
  });
  t.same(
    drivers.provisioned().map((p) => [p.reader.id, p.provisioner.kind]),
    [
      ['L1', 'fingerprint'],
      ['L2', 'face'],
    ],
  );
  const sync = createLibrarySync({
    readers: drivers.provisioned(),
    doors: config.doors,
    store,
    metrics: createMetrics(),
    log,
    clock,
  });
  if (!sync) throw new Error('a reader keeps a library: there is a sync');
  t.notOk(
    lines.some((l) => l.includes('no roster source for this kind of reader library')),
    'the roster fills face libraries too (issue 11)',
  );
  sync.start();
  await sync.settled('L1');
  await sync.settled('L2');
  t.same(
    calls.sort(),
    ['drift L1 7', 'drift L2 F-R00003', 'put L1 7'],
    'each reader became ready and was synced from the roster (the face without a photo is not written)',
  );
  t.match(sync.last('L1'), { trigger: 'online', outcome: 'ok', enrolled: 1 });
  t.match(sync.last('L2'), { trigger: 'online', outcome: 'ok', expected: 1, noTemplate: 1, enrolled: 0 });
  const devices = new DeviceRegistry(store, config.readers, {
    clock,
    graceMs: 60_000,
    log,
    lines: drivers,
    libraries: sync,
  });
  t.same(
    devices.list().map((d) => [d.id, d.fingerprintSync?.outcome ?? null, d.faceSync?.outcome ?? null]),
    [
      ['T-B01', null, null],
      ['L1', 'ok', null],
      ['L2', null, 'ok'],
    ],
  );
  t.equal(devices.list()[2]?.faceSync?.refused, 0, 'a face terminal says how many persons it refuses');
  t.notOk('fingerprintSync' in (devices.list()[0] ?? {}), 'readers without a library carry no sync state');
  await sync.stop();
});
