import t, { type Test } from 'tap';
import type { Provisioner } from '../../../core/provisioning.js';
import {
  CC_FLASH_ERROR,
  DEFAULT_ADDRESS,
  INS_DELETE_CHAR,
  INS_STORE,
  PID_COMMAND,
} from '../../../drivers/fingerprint/constants.js';
import { createFingerprintDriver } from '../../../drivers/fingerprint/driver.js';
import { encodeAck, type Packet } from '../../../drivers/fingerprint/frame.js';
import { createMetrics } from '../../../gateway/metrics.js';
import { FingerprintSource } from '../../../gateway/provisioning/fingerprint-source.js';
import { LibrarySync } from '../../../gateway/provisioning/library-sync.js';
import type { RosterSnapshot } from '../../../gateway/roster/model.js';
import { saveRoster } from '../../../gateway/roster/repository.js';
import { RosterIndex } from '../../../gateway/roster/roster-index.js';
import { openDb } from '../../../gateway/store/db.js';
import { Store } from '../../../gateway/store/store.js';
import { SimFingerprintModule } from '../../../sim/serial/fingerprint-module.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { FakeTimers } from '../../../testkit/drivers/fake-timers.js';
import { TEST_ROSTER } from '../../../testkit/gateway.js';
import { mockDevicePort } from '../../../testkit/serial-devices.js';

// Issue 3: the roster sync against the simulated module over binding-mock, with the
// production driver behind its provisioning seam (issue 8). Missing pages are enrolled from the roster's templates, pages with
// no active resident deleted, the drift reported; a second run does nothing.

const tpl = (b: number) => Buffer.alloc(512, b);

/** TEST_ROSTER (R00001 active in B01, R00002 moved out, R00003 active in B02) with fingers. */
function roster(over: { r1Page7?: Buffer; without?: string } = {}): RosterSnapshot {
  const templates = [
    { key: '7', residentId: 'R00001', template: over.r1Page7 ?? tpl(7) },
    { key: '3', residentId: 'R00002', template: tpl(3) },
    { key: '9', residentId: 'R00003', template: tpl(9) },
  ];
  const s: RosterSnapshot = {
    ...TEST_ROSTER,
    credentials: [
      ...TEST_ROSTER.credentials,
      ...templates.map((f) => ({ kind: 'fingerprint' as const, key: f.key, residentId: f.residentId })),
      // Enrolled at the module by hand: the roster knows the page but carries no template.
      { kind: 'fingerprint', key: '12', residentId: 'R00001' },
    ],
    fingerprintTemplates: templates,
  };
  const keep = <T extends { residentId?: string; id?: string }>(x: T) =>
    (x.residentId ?? x.id) !== over.without;
  return {
    ...s,
    residents: s.residents.filter(keep),
    credentials: s.credentials.filter(keep),
    fingerprintTemplates: s.fingerprintTemplates?.filter(keep),
  };
}

let n = 0;
function setup(t: Test, building: string | null = null) {
  const path = `/dev/fp-sync-${++n}`;
  const module = new SimFingerprintModule({ capacity: 300 });
  const port = mockDevicePort(t, module, path);
  const { ctx, sink, clock, logLines } = makeContext([{ id: 'fp1', door: 'd1', options: { path } }]);
  const timers = new FakeTimers(clock);
  const db = openDb(':memory:');
  const metrics = createMetrics();
  const driver = createFingerprintDriver(ctx, { binding: port.binding, timers });
  const provisioning = driver.provisioning;
  // Counts what reaches the driver, and checks runs never overlap on the reader.
  const calls = { drift: 0, inFlight: 0, maxInFlight: 0 };
  const counted =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      calls.inFlight++;
      calls.maxInFlight = Math.max(calls.maxInFlight, calls.inFlight);
      try {
        return await f(...a);
      } finally {
        calls.inFlight--;
      }
    };
  const provisioner: Provisioner = {
    kind: provisioning.kind,
    put: counted((id, entry) => provisioning.put(id, entry)),
    remove: counted((id, key) => provisioning.remove(id, key)),
    drift: counted((id, keys) => {
      calls.drift++;
      return provisioning.drift(id, keys);
    }),
    onReady: (f) => provisioning.onReady(f),
  };
  // As the composition root does it: the sync listens for the module coming online.
  const sync = new LibrarySync({
    readers: [
      {
        scope: { readerId: 'fp1', building, entrance: null },
        provisioner,
        source: new FingerprintSource(Store.of(db)),
        counters: { runs: metrics.fingerprintSyncs, entries: metrics.fingerprintPages },
      },
    ],
    log: ctx.log.child({ module: 'provisioning' }),
    clock,
  });
  sync.start();
  const s = sync;
  /** Moves fake time until `p` settles. */
  const drive = async (p: Promise<void>) => {
    let done = false;
    const q = p.then(() => {
      done = true;
    });
    await timers.until(() => done);
    await q;
  };
  /** Runs a sync to its end; returns its outcome. */
  const run = async (why: 'online' | 'roster' = 'roster') => {
    await drive(s.trigger('fp1', why));
    return s.last('fp1');
  };
  /** Waits for the reader to come online and for the sync that triggers to end. */
  const online = async () => {
    await timers.until(() => sink.online('fp1') === true);
    await drive(s.settled('fp1'));
    return s.last('fp1');
  };
  const writes = (ins: number) =>
    module.received.filter((p: Packet) => p.pid === PID_COMMAND && p.payload[0] === ins).length;
  const pages = () => [...module.library.keys()].sort((a, b) => a - b);
  return {
    module,
    port,
    sink,
    driver,
    timers,
    db,
    metrics,
    sync: s,
    run,
    online,
    calls,
    writes,
    pages,
    logLines,
  };
}

const zeros = { orphans: 0, missing: 0, enrolled: 0, replaced: 0, removed: 0, failed: 0, noTemplate: 0 };

t.test(
  'online: missing pages enrolled, orphans deleted, drift reported; a second run does nothing',
  async (t) => {
    const { module, sink, driver, db, metrics, timers, run, online, calls, writes, pages, logLines } =
      setup(t);
    saveRoster(db, roster(), 'merge', 1, 'v1');
    module.library.set(3, tpl(3)); // R00002 moved out: an orphan
    module.library.set(250, tpl(250)); // nobody's page
    module.library.set(12, tpl(12)); // enrolled by hand, the roster lists it without a template
    await driver.start();
    t.teardown(() => driver.stop());

    t.match(await online(), {
      trigger: 'online',
      outcome: 'ok',
      expected: 3,
      orphans: 2,
      missing: 2,
      enrolled: 2,
      removed: 2,
      replaced: 0,
      failed: 0,
      noTemplate: 0,
    });
    t.same(pages(), [7, 9, 12], 'the library follows the roster');
    t.same(module.library.get(7), tpl(7), 'template written byte for byte');
    t.same(module.library.get(12), tpl(12), 'a page the roster has no template for is kept, not rewritten');
    t.equal(calls.maxInFlight, 1, 'one operation at a time on the module');

    const stores = writes(INS_STORE);
    const deletes = writes(INS_DELETE_CHAR);
    t.match(await run(), { trigger: 'roster', outcome: 'ok', expected: 3, ...zeros }, 'idempotent');
    t.equal(writes(INS_STORE), stores, 'no Store on the second run');
    t.equal(writes(INS_DELETE_CHAR), deletes, 'no DeleteChar on the second run');

    const text = await metrics.registry.getSingleMetricAsString('estate_gateway_fingerprint_pages_total');
    t.match(text, /action="enrolled"} 2/);
    t.match(text, /action="removed"} 2/);
    t.match(
      await metrics.registry.getSingleMetricAsString('estate_gateway_fingerprint_syncs_total'),
      /outcome="ok"} 2/,
    );
    const synced = logLines.filter((l) => l.includes('fingerprint library synced'));
    t.equal(synced.length, 2, 'one log line per run');
    t.match(JSON.parse(synced[0] ?? '{}'), {
      reader: 'fp1',
      enrolled: 2,
      removed: 2,
      orphans: 2,
      missing: 2,
    });
    const all = logLines.join('');
    t.notOk(all.includes(tpl(7).toString('base64').slice(0, 24)), 'no template in the logs (base64)');
    t.notOk(all.includes(tpl(7).toString('hex').slice(0, 24)), 'no template in the logs (hex)');
    t.notOk(all.includes('R00001'), 'no resident ids in the sync logs');

    // The enrolled finger matches its page, and the page is the resident's.
    module.placeFinger(tpl(7));
    await timers.until(() => sink.reads.length === 1);
    t.same(sink.reads[0]?.credential, { type: 'fingerprint', templateId: '7', score: 180 });
    t.equal(RosterIndex.load(db).lookup('fingerprint', '7')?.id, 'R00001');
  },
);

t.test('a resident leaves: the page is deleted; a new template for a page is written again', async (t) => {
  const { module, sink, driver, timers, db, run, online, pages } = setup(t);
  saveRoster(db, roster(), 'merge', 1, 'v1');
  await driver.start();
  t.teardown(() => driver.stop());
  t.match(
    await online(),
    { outcome: 'ok', enrolled: 2, noTemplate: 1 },
    'page 12: no template, cannot enrol',
  );
  t.same(pages(), [7, 9]);

  saveRoster(db, roster({ without: 'R00003' }), 'replace', 2, 'v2');
  t.match(await run(), { outcome: 'ok', orphans: 1, removed: 1, enrolled: 0 }, 'R00003 moved out');
  t.same(pages(), [7]);
  module.placeFinger(tpl(9));
  await timers.until(() => sink.reads.length === 1);
  t.same(
    sink.reads[0]?.credential,
    { type: 'fingerprint', templateId: null },
    'their finger no longer matches',
  );
  module.liftFinger();

  saveRoster(db, roster({ without: 'R00003', r1Page7: tpl(77) }), 'merge', 3, 'v3');
  t.match(await run(), { outcome: 'ok', replaced: 1, enrolled: 0, removed: 0 }, 're-registered finger');
  t.same(module.library.get(7), tpl(77));

  module.library.clear(); // a replacement module, empty
  t.match(await run(), { outcome: 'ok', missing: 2, enrolled: 1, noTemplate: 1 });
  t.same(module.library.get(7), tpl(77));
});

t.test('scope: a building door carries its own residents only', async (t) => {
  const { driver, db, online, pages } = setup(t, 'B02');
  saveRoster(db, roster(), 'merge', 1, 'v1');
  await driver.start();
  t.teardown(() => driver.stop());
  t.match(await online(), { expected: 1, enrolled: 1 });
  t.same(pages(), [9], 'R00003 lives in B02; R00001 (B01) is not on this module');
  const lib = new FingerprintSource(Store.of(db));
  t.same([...lib.wanted({ readerId: 'x', building: 'B01', entrance: 'B01-U1' }).keys()], ['7', '12']);
  t.same([...lib.wanted({ readerId: 'x', building: 'B01', entrance: 'B01-U2' }).keys()], []);
});

t.test('triggers never overlap: one more run follows a run in progress', async (t) => {
  const { driver, timers, db, sync, online, calls } = setup(t);
  saveRoster(db, roster(), 'merge', 1, 'v1');
  await driver.start();
  t.teardown(() => driver.stop());
  await online();
  const before = calls.drift;
  let done = 0;
  for (let i = 0; i < 4; i++) void sync.trigger('fp1', 'roster').then(() => done++);
  await timers.until(() => done === 4);
  // The first run has read the roster already; the three triggers after it may bring news.
  t.equal(calls.drift - before, 2, 'four triggers at once: a run, and one more for the other three');
  t.equal(calls.maxInFlight, 1, 'never two operations at once');
});

t.test('refusals and failures: counted, logged, retried on the next trigger', async (t) => {
  const { module, sink, driver, timers, db, run, online, pages, sync, logLines } = setup(t);
  // Before any roster: nothing is touched (an empty roster would delete every page).
  module.library.set(5, tpl(5));
  await driver.start();
  t.teardown(() => driver.stop());
  t.match(await online(), { outcome: 'skipped', error: /NO_ROSTER/ });
  t.same(pages(), [5]);

  saveRoster(db, roster(), 'merge', 1, 'v1');
  const refuse9 = (p: Packet) =>
    p.pid === PID_COMMAND && p.payload[0] === INS_STORE && p.payload.readUInt16BE(2) === 9
      ? encodeAck(DEFAULT_ADDRESS, CC_FLASH_ERROR)
      : undefined;
  module.behaviours.push(refuse9);
  t.match(
    await run(),
    { outcome: 'partial', enrolled: 1, failed: 1, removed: 1 },
    'page 9 refused, 7 written',
  );
  t.ok(logLines.some((l) => l.includes('fingerprint page not synced') && l.includes('"page":9')));
  module.behaviours.splice(module.behaviours.indexOf(refuse9), 1);
  t.match(await run(), { outcome: 'ok', enrolled: 1, failed: 0 }, 'retried on the next trigger');
  t.same(pages(), [7, 9]);

  // The module stops answering: the run fails, the reader goes offline, and coming back
  // online syncs again.
  module.library.delete(9);
  const mute = () => null;
  module.behaviours.push(mute);
  t.match(await run(), { outcome: 'failed', error: /^TIMEOUT/ });
  t.ok(logLines.some((l) => l.includes('fingerprint sync failed; retried')));
  await timers.until(() => sink.online('fp1') === false, 10_000);
  module.behaviours.splice(module.behaviours.indexOf(mute), 1);
  await timers.until(() => sync.last('fp1')?.outcome !== 'failed', 60_000);
  t.match(sync.last('fp1'), { trigger: 'online', outcome: 'ok', enrolled: 1 });
  t.same(pages(), [7, 9]);
});

t.test('an offline reader is skipped; stop waits for the run', async (t) => {
  const { driver, db, sync, timers, sink } = setup(t);
  saveRoster(db, roster(), 'merge', 1, 'v1');
  await sync.trigger('fp1', 'roster');
  t.match(sync.last('fp1'), { outcome: 'skipped', error: /READER_OFFLINE/ });
  await sync.trigger('nobody', 'roster');
  t.equal(sync.last('nobody'), undefined, 'not a fingerprint reader');
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('fp1') === true);
  await sync.stop();
  await sync.trigger('fp1', 'roster');
  t.not(sync.last('fp1')?.trigger, 'roster', 'no runs after stop');
});
