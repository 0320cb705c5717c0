import t from 'tap';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { PassIndex } from '../../gateway/passes/pass-index.js';
import { PassService } from '../../gateway/passes/pass-service.js';
import { FaceSource } from '../../gateway/provisioning/face-source.js';
import { LibrarySchedule } from '../../gateway/provisioning/library-schedule.js';
import { LibrarySync, type SyncedReader } from '../../gateway/provisioning/library-sync.js';
import { SqliteSyncState } from '../../gateway/provisioning/sync-state.js';
import { FacePhotoRetention } from '../../gateway/roster/face-photo-retention.js';
import { normalisePhoto } from '../../gateway/roster/face-photos.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { FakeFaceLibrary, saveRosterWithPhotos } from '../../testkit/face-library.js';
import { TEST_ROSTER } from '../../testkit/gateway.js';
import { testJpeg } from '../../testkit/photos.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 11: face libraries follow the roster. A resident is enrolled on exactly the
// terminals of the doors that admit them, a visitor's pass with a photo for its validity;
// what leaves the roster leaves the terminals first; refusals are kept in the vendor's
// words; the photo is read only when written.

const KEY = 'ef'.repeat(32);

function setup(window = 1, clock = new ManualClock()) {
  const db = openDb(':memory:');
  const store = Store.of(db);
  const metrics = createMetrics();
  const source = new FaceSource(store, clock);
  const lib = new FakeFaceLibrary(window);
  const counters = { runs: metrics.faceSyncs, entries: metrics.facePersons };
  // B01-U1's door, building B02's door, the gate.
  const readers: SyncedReader[] = [
    { scope: { readerId: 'T-B01', building: 'B01', entrance: 'B01-U1' }, provisioner: lib, source, counters },
    { scope: { readerId: 'T-B02', building: 'B02', entrance: null }, provisioner: lib, source, counters },
    { scope: { readerId: 'T-GATE', building: null, entrance: null }, provisioner: lib, source, counters },
  ];
  const schedule = new LibrarySchedule({
    store,
    clock,
    log: silentLogger(),
    reconcileAt: '03:30',
    tickMs: 3600_000,
  });
  const sync = new LibrarySync({
    readers,
    log: silentLogger(),
    clock,
    state: new SqliteSyncState(store),
    schedule,
  });
  return { db, store, source, lib, sync, schedule, clock };
}

/** What the fake library holds for one terminal (the fake is shared: keys by reader). */
function held(lib: FakeFaceLibrary, reader: string): string[] {
  return [...lib.of(reader).keys()].sort();
}

t.test('residents on exactly the terminals of their doors; the moved-out one deleted first', async (t) => {
  const { db, lib, sync } = setup();
  t.teardown(() => db.close());
  await saveRosterWithPhotos(db);
  sync.start();
  await sync.triggerAll('roster');
  // R00001 (H1, B01-U1) active; R00002 moved out; R00003 (H2, B02).
  t.same(held(lib, 'T-B01'), ['F-R00001'], 'B01-U1: its active resident only');
  t.same(held(lib, 'T-B02'), ['F-R00003'], 'B02: its resident');
  t.same(held(lib, 'T-GATE'), ['F-R00001', 'F-R00003'], 'the gate: every active resident');
  const put = lib.of('T-B01').get('F-R00001');
  t.equal(put?.photo?.mime, 'image/jpeg', 'the photo went with the entry');
  t.equal(put?.name, '张伟');
  t.same(put?.cards, ['04A1B2C3'], 'with the resident’s cards');
  t.match(sync.last('T-B01'), { trigger: 'roster', outcome: 'ok', expected: 1, enrolled: 1 });

  // The leaseholder of H1 moves out: a roster change deletes before it writes anything.
  lib.calls.length = 0;
  saveRoster(
    db,
    {
      ...TEST_ROSTER,
      residents: TEST_ROSTER.residents.map((r) => (r.id === 'R00001' ? { ...r, status: 'moved_out' } : r)),
    },
    'merge',
    Date.now(),
    'moved',
  );
  await sync.triggerAll('roster');
  t.same(lib.calls.sort(), ['remove T-B01 F-R00001', 'remove T-GATE F-R00001']);
  t.match(sync.last('T-GATE'), { outcome: 'ok', removed: 1, orphans: 1 });
  t.same(held(lib, 'T-GATE'), ['F-R00003']);
  await sync.stop();
});

t.test('stop: what waits on a terminal is aborted, so the stop does not wait for its timeout', async (t) => {
  const { db, lib, sync } = setup();
  t.teardown(() => db.close());
  await saveRosterWithPhotos(db);
  lib.hold(); // a terminal that takes the command and never answers (a ZKTeco that stopped polling)
  sync.start();
  const run = sync.triggerAll('roster');
  await waitFor(() => lib.inFlight > 0, { timeoutMs: 5000 }, 'a put in flight');
  await sync.stop();
  await run;
  t.equal(lib.aborts, 1, 'the provisioner was aborted once');
  t.match(
    sync.last('T-B01'),
    { outcome: 'skipped', error: /^STOPPING/ },
    'the run ended as skipped, not failed',
  );
  t.equal(lib.inFlight, 0, 'nothing left in flight');
});

t.test('window: operations in flight at once; a roster change cuts a long run short', async (t) => {
  const { db, lib, sync } = setup(4);
  t.teardown(() => db.close());
  // Twenty residents at B02.
  const residents = Array.from({ length: 20 }, (_, i) => ({
    ...(TEST_ROSTER.residents[2] as (typeof TEST_ROSTER.residents)[number]),
    id: `R9${String(i).padStart(3, '0')}`,
    role: 'co_resident' as const,
  }));
  await saveRosterWithPhotos(db, {
    residents: [...TEST_ROSTER.residents, ...residents],
    credentials: [
      ...TEST_ROSTER.credentials,
      ...residents.map((r) => ({ kind: 'face' as const, key: `F-${r.id}`, residentId: r.id })),
    ],
  });
  sync.start();
  lib.hold();
  const run = sync.trigger('T-B02', 'online');
  await new Promise((r) => setTimeout(r, 20));
  t.equal(lib.inFlight, 4, 'four puts in flight at once (window 4)');
  // Meanwhile R9000 moves out.
  db.prepare("UPDATE residents SET status = 'moved_out' WHERE id = 'R9000'").run();
  const again = sync.trigger('T-B02', 'roster');
  lib.release();
  await run;
  await again;
  t.ok(lib.maxInFlight <= 4, `never more than the window (${lib.maxInFlight})`);
  const removed = lib.calls.indexOf('remove T-B02 F-R9000');
  t.ok(removed > 0, 'the moved-out resident was deleted');
  t.ok(
    removed < lib.calls.indexOf('put T-B02 F-R9019'),
    `the deletion did not wait behind the enrolment (call ${removed} of ${lib.calls.length})`,
  );
  t.equal(removed, 4, 'it came right after the four puts in flight');
  t.notOk(held(lib, 'T-B02').includes('F-R9000'), 'the moved-out resident is not left');
  t.match(sync.last('T-B02'), { trigger: 'roster', outcome: 'ok' });
  t.equal(held(lib, 'T-B02').length, 20, 'the second run enrolled the rest (R00003 + 19)');
  await sync.stop();
});

t.test(
  'refusals: kept in the vendor’s words, not resent until the photo changes, retried daily',
  async (t) => {
    const { db, lib, sync, source } = setup();
    t.teardown(() => db.close());
    await saveRosterWithPhotos(db);
    lib.refuse.set('F-R00003', {
      ok: false,
      code: 'face_quality_low',
      vendorCode: '464',
      message: '464 face feature extraction failed',
    });
    sync.start();
    await sync.trigger('T-B02', 'roster');
    t.match(sync.last('T-B02'), { outcome: 'partial', failed: 1, enrolled: 0 });
    const row = db.prepare('SELECT * FROM face_refusals').get() as Record<string, unknown>;
    t.match(row, {
      reader_id: 'T-B02',
      person_key: 'F-R00003',
      action: 'enrolled',
      code: 'face_quality_low',
      vendor_code: '464',
      message: '464 face feature extraction failed',
      attempts: 1,
    });
    t.equal(sync.refused('T-B02'), 1);

    lib.calls.length = 0;
    await sync.trigger('T-B02', 'roster');
    t.same(lib.calls, [], 'the same photo is not sent again');
    t.match(sync.last('T-B02'), { outcome: 'partial', failed: 1 });

    await sync.trigger('T-B02', 'daily');
    t.same(lib.calls, ['put T-B02 F-R00003'], 'the daily reconcile tries once more');
    t.equal((db.prepare('SELECT attempts FROM face_refusals').get() as { attempts: number }).attempts, 2);

    // A new photo is tried at once, and accepted: the refusal is gone.
    lib.refuse.clear();
    const photo = await normalisePhoto(await testJpeg(320, 420, { shade: 200 }));
    if (typeof photo === 'string') throw new Error(photo);
    db.prepare('UPDATE face_photos SET photo = ?, digest = ? WHERE face_id = ?').run(
      photo.jpeg,
      photo.digest,
      'F-R00003',
    );
    await sync.trigger('T-B02', 'roster');
    t.equal(sync.refused('T-B02'), 0);
    t.match(sync.last('T-B02'), { outcome: 'ok', enrolled: 1 });
    t.same(source.lasting('T-B02'), new Map());

    // Transient codes (busy) are retried on the next run.
    lib.refuse.set('F-R00001', { ok: false, code: 'terminal_busy', vendorCode: '410', message: '410 busy' });
    await sync.trigger('T-B01', 'roster');
    lib.calls.length = 0;
    await sync.trigger('T-B01', 'roster');
    t.same(lib.calls, ['put T-B01 F-R00001'], 'a busy terminal is asked again');
    await sync.stop();
  },
);

t.test(
  'visitor pass with a photo: temporary person at its doors, removed at expiry and revocation',
  async (t) => {
    const clock = new ManualClock();
    const { db, store, lib, sync, schedule } = setup(1, clock);
    t.teardown(() => db.close());
    await saveRosterWithPhotos(db);
    const passes = new PassService(store, new PassIndex(0.9), () => KEY, 7);
    passes.watch((_p, photo) => void (photo && sync.triggerAll('pass')));
    sync.start();
    await sync.triggerAll('roster');
    const photo = await normalisePhoto(await testJpeg(300, 400, { shade: 90 }));
    if (typeof photo === 'string') throw new Error(photo);
    const now = clock.now();
    const pass = passes.create(
      { kind: 'visitor', householdId: 'H1', name: '访客甲', validFrom: now, validTo: now + 3600_000, photo },
      'op',
      now,
    );
    t.equal(pass.facePersonId, `V-${pass.id}`, 'the pass is a person on the terminals');
    await Promise.all(['T-B01', 'T-B02', 'T-GATE'].map((id) => sync.settled(id)));
    t.same(held(lib, 'T-B01'), ['F-R00001', `V-${pass.id}`], 'at the visited household’s building');
    t.same(held(lib, 'T-GATE'), ['F-R00001', 'F-R00003', `V-${pass.id}`], 'at the gate');
    t.same(held(lib, 'T-B02'), ['F-R00003'], 'not in another building');
    t.match(lib.of('T-B01').get(`V-${pass.id}`), {
      temporary: true,
      validFrom: now,
      validTo: now + 3600_000,
    });

    // Expiry: the schedule's tick finds the boundary and the sync removes it.
    clock.advance(3600_000 + 1);
    schedule.tick();
    await Promise.all(['T-B01', 'T-GATE'].map((id) => sync.settled(id)));
    t.same(held(lib, 'T-B01'), ['F-R00001'], 'gone at expiry');
    t.match(sync.last('T-B01'), { trigger: 'expiry', removed: 1 });
    t.equal(passes.forgetFaces(clock.now()), 1, 'its photo is deleted with the pass’s face data');

    // Revocation removes at once.
    const p2 = passes.create(
      { kind: 'courier', name: '快递', validFrom: clock.now(), validTo: clock.now() + 7200_000, photo },
      'op',
      clock.now(),
    );
    await sync.settled('T-B02');
    t.ok(held(lib, 'T-B02').includes(`V-${p2.id}`), 'a courier is enrolled everywhere');
    passes.revoke(p2.id, 'op', clock.now());
    await Promise.all(['T-B01', 'T-B02', 'T-GATE'].map((id) => sync.settled(id)));
    t.notOk(held(lib, 'T-B02').includes(`V-${p2.id}`), 'revoked: removed');
    t.notOk(held(lib, 'T-GATE').includes(`V-${p2.id}`));
    await sync.stop();
  },
);

t.test('the daily reconcile runs once a day at its time; the last outcomes survive a restart', async (t) => {
  const clock = new ManualClock(Date.parse('2026-05-01T03:29:50+08:00'));
  const { db, store, lib, sync, schedule } = setup(1, clock);
  t.teardown(() => db.close());
  await saveRosterWithPhotos(db);
  sync.start();
  clock.advance(5000);
  schedule.tick();
  t.same(lib.calls, [], 'not yet');
  clock.advance(10_000);
  schedule.tick();
  await Promise.all(['T-B01', 'T-B02', 'T-GATE'].map((id) => sync.settled(id)));
  t.match(sync.last('T-GATE'), { trigger: 'daily', enrolled: 2 });
  await sync.stop();

  const again = new LibrarySync({
    readers: [
      {
        scope: { readerId: 'T-GATE', building: null, entrance: null },
        provisioner: lib,
        source: new FaceSource(store, clock),
        counters: { runs: createMetrics().faceSyncs, entries: createMetrics().facePersons },
      },
    ],
    log: silentLogger(),
    clock,
    state: new SqliteSyncState(store),
  });
  again.start();
  t.match(again.last('T-GATE'), { trigger: 'daily', enrolled: 2 }, 'read back after a restart');
  await again.stop();
});

t.test(
  'retention: a resident’s photo is deleted some days after they left, kept if they return',
  async (t) => {
    const { db, store } = setup();
    t.teardown(() => db.close());
    await saveRosterWithPhotos(db);
    const retention = new FacePhotoRetention(store, 30);
    const day = 86_400_000;
    const t0 = Date.now();
    t.equal(retention.apply(t0), 0);
    // R00002 is moved out: its clock starts now.
    t.equal(retention.apply(t0 + 29 * day), 0, 'kept for 30 days');
    t.equal(retention.apply(t0 + 31 * day), 1, 'deleted after');
    t.same(db.prepare('SELECT face_id FROM face_photos ORDER BY face_id').pluck().all() as string[], [
      'F-R00001',
      'F-R00003',
    ]);
  },
);
