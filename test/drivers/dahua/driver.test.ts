import t, { type Test } from 'tap';
import { createDahuaDriver, type DahuaDriver } from '../../../drivers/dahua/driver.js';
import { MemoryDriverState } from '../../../drivers/http/cursor.js';
import type { DriverState } from '../../../drivers/types.js';
import { type SimDahuaOptions, SimDahuaTerminal } from '../../../sim/dahua/terminal.js';
import { fakeJpeg } from '../../../testkit/drivers/capture-fixtures.js';
import { startVendorDriver, type TerminalUnderTest } from '../../../testkit/drivers/terminal-context.js';
import { waitFor } from '../../../testkit/wait.js';

// Issue 11: the production Dahua driver against the simulated ASI terminal over real HTTP
// with Digest — the eventManager attach stream, the snapManager stream with pictures cut by
// Offset/Length, the /notification push with string ids, a recordFinder catch-up after the
// gateway was down, openDoor and the door's hardware, and a dead terminal beside a live one.

const PASSWORD = 'Sim-Passw0rd';
const FACE = fakeJpeg(900);
const SCENE = fakeJpeg(1500);

async function terminal(t: Test, o: Partial<SimDahuaOptions> = {}): Promise<SimDahuaTerminal> {
  const sim = new SimDahuaTerminal({ password: PASSWORD, ...o });
  sim.library.preload([{ id: 'F-R00001', face: FACE, cards: ['04A1B2C3'] }]);
  await sim.start();
  t.teardown(() => sim.stop());
  return sim;
}

function driverFor(t: Test, readers: TerminalUnderTest[], state?: DriverState) {
  return startVendorDriver(t, createDahuaDriver, PASSWORD, readers, state);
}

const stat = (d: DahuaDriver, id: string, name: string): number => d.stats(id)[name] ?? 0;

t.test('attach stream: face, stranger and card reads, openDoor, the door’s hardware', async (t) => {
  const sim = await terminal(t);
  const { driver, sink } = await driverFor(t, [{ id: 'D1', port: sim.port }]);
  await waitFor(() => sim.streaming === 1 && sink.online('D1') === true, 5000, 'attached and online');
  const ev = sim.presentFace('F-R00001');
  await waitFor(() => sink.reads.length === 1, 5000);
  t.same(
    sink.reads[0]?.credential,
    { type: 'face', personId: 'F-R00001', score: 0.93 },
    'Method 15 with the UserID and Similarity',
  );
  t.equal(sink.reads[0]?.offline, false);
  t.equal(Math.floor((sink.reads[0]?.ts ?? 0) / 1000), Math.floor(ev.time / 1000), 'UTC is the event time');
  sim.presentFace('NOBODY');
  sim.presentCard('04A1B2C3');
  await waitFor(() => sink.reads.length === 3, 5000);
  t.same(sink.reads[1]?.credential, { type: 'face', personId: null, score: 0 }, 'an unknown face');
  t.same(
    sink.reads[2]?.credential,
    { type: 'card', uid: '04A1B2C3' },
    'a card, hex as the terminal writes it',
  );

  const opened = sim.expectOpenDoor();
  driver.command('D1', { id: 'c', event: sink.reads[0]?.recordId ?? '', action: 'unlock' });
  t.equal(await opened, 1, 'openDoor on channel 1');
  await waitFor(() => sink.doors.some((d) => d.kind === 'contact_open'), 5000, 'the door reported open');
  t.equal(stat(driver, 'D1', 'note_REMOTE'), 1, 'the remote opening is a named note, not a read');

  sim.access({ Method: 6, Status: 1 });
  sim.event('BreakIn');
  sim.event('DoorNotClosed', {}, 'Start');
  sim.event('DoorNotClosed', {}, 'Stop');
  sim.event('VideoMotion');
  sim.access({ Method: 99, Status: 1, UserID: 'F-R00001' });
  await waitFor(
    () => stat(driver, 'D1', 'unknown_AccessControl/Method_99') === 1,
    5000,
    'the unknown method counted',
  );
  t.same(
    sink.doors.map((d) => d.kind),
    ['contact_open', 'exit_button', 'forced_open', 'held_open'],
    'exit button (Method 6), BreakIn, DoorNotClosed; a Stop is no new signal',
  );
  t.equal(stat(driver, 'D1', 'unknown_VideoMotion'), 1, 'an unknown event code is counted, not dropped');
  t.equal(sink.rejects.length, 0);
  t.ok(stat(driver, 'D1', 'heartbeats') >= 0);
});

t.test('snap stream: the face cut from the image part by Offset/Length', async (t) => {
  const sim = await terminal(t);
  const { sink } = await driverFor(t, [{ id: 'D1', port: sim.port, options: { events: 'snap' } }]);
  await waitFor(() => sim.streaming === 1, 5000);
  sim.presentFace('F-R00001', [FACE, SCENE]);
  await waitFor(() => sink.reads.length === 1, 5000);
  t.same(sink.reads[0]?.image?.data, FACE, 'the first picture, not the scene shot after it');
  t.equal(sink.reads[0]?.credential.type, 'face');
});

t.test('push: /notification with string ids and a picture part; from elsewhere refused', async (t) => {
  const sim = await terminal(t);
  const { sink, url } = await driverFor(t, [{ id: 'D1', port: sim.port, options: { events: 'push' } }]);
  sim.pushTo(`${url}/notification`);
  sim.presentFace('F-R00001', [FACE]);
  await waitFor(() => sink.reads.length === 1, 5000, 'the pushed read');
  t.same(sink.reads[0]?.credential, { type: 'face', personId: 'F-R00001', score: 0.93 });
  t.same(sink.reads[0]?.image?.data, FACE);
  t.equal(sim.streaming, 0, 'no stream in push mode');
});

t.test(
  'a push over the size cap is answered, not resent, and its record caught up by recordFinder',
  async (t) => {
    const sim = await terminal(t, { noRecNoInEvents: false });
    const { sink, url, driver } = await driverFor(t, [
      { id: 'D1', port: sim.port, options: { events: 'push', maxPictureBytes: 50_000 } },
    ]);
    sim.pushTo(`${url}/notification`);
    // A card first (a face in the same second would be the same record by Dahua's identity).
    sim.presentCard('04A1B2C3');
    await waitFor(() => sink.reads.length === 1, 5000, 'a first push: the cursor the catch-up starts from');
    // Five 150 KB pictures: past the route's cap of four pictures and 256 KiB.
    const big = fakeJpeg(150_000);
    const ev = sim.presentFace('F-R00001', [big, big, big, big, big]);
    await waitFor(() => sink.reads.length === 2, 10_000, 'the record, fetched by the catch-up');
    t.equal(sink.reads[0]?.credential.type, 'card');
    t.equal(sink.reads[1]?.credential.type, 'face', 'the oversize face event, not the card again');
    t.equal(sink.reads[1]?.offline, true, 'caught up, so history');
    t.equal(
      Math.floor((sink.reads[1]?.ts ?? 0) / 1000),
      Math.floor(ev.time / 1000),
      'the oversize event, by its time',
    );
    t.equal(stat(driver, 'D1', 'push_oversize'), 1, 'counted');
    t.equal(sim.pushFailures, 0, 'the terminal was answered 200: no resend loop');
  },
);

t.test('a new terminal whose very first push is over the cap: its record is still caught up', async (t) => {
  const sim = await terminal(t, { noRecNoInEvents: false });
  const { sink, url, driver } = await driverFor(t, [
    { id: 'D1', port: sim.port, options: { events: 'push', maxPictureBytes: 50_000 } },
  ]);
  sim.pushTo(`${url}/notification`);
  const big = fakeJpeg(150_000);
  const ev = sim.presentFace('F-R00001', [big, big, big, big, big]);
  await waitFor(
    () => sink.reads.length === 1,
    10_000,
    'the first record, found by time: there was no cursor',
  );
  t.equal(sink.reads[0]?.credential.type, 'face');
  t.equal(Math.floor((sink.reads[0]?.ts ?? 0) / 1000), Math.floor(ev.time / 1000), 'the oversize event');
  t.equal(stat(driver, 'D1', 'push_oversize'), 1, 'counted');
  // The next push is recorded live. A catch-up still searching may deliver it again
  // (the journal deduplicates by record id); nothing else turns up.
  sim.presentCard('04A1B2C3');
  await waitFor(
    () => sink.reads.some((r) => r.credential.type === 'card' && !r.offline),
    5000,
    'the next push, live',
  );
  t.equal(new Set(sink.reads.map((r) => r.recordId)).size, 2, 'two records');
});

t.test('catch-up after the gateway was down: recordFinder, sorted by RecNo, cursor persisted', async (t) => {
  const sim = await terminal(t, { noRecNoInEvents: false });
  const state = new MemoryDriverState();
  const first = await driverFor(t, [{ id: 'D1', port: sim.port }], state);
  await waitFor(() => sim.streaming === 1, 5000);
  sim.presentFace('F-R00001');
  await waitFor(() => first.sink.reads.length === 1, 5000);
  await first.driver.stop();
  await waitFor(() => sim.streaming === 0, 5000);
  const missed = Array.from({ length: 30 }, (_, i) =>
    i % 2 ? sim.presentCard('04A1B2C3') : sim.presentFace('F-R00001'),
  );
  const second = await driverFor(t, [{ id: 'D1', port: sim.port }], state);
  await waitFor(() => second.sink.reads.length >= 30, 10_000, 'the missed records');
  t.same(
    second.sink.reads.slice(0, 30).map((r) => r.credential.type),
    missed.map((e) => (e.data.Method === 15 ? 'face' : 'card')),
    'oldest first, though the log lists newest first',
  );
  t.ok(
    second.sink.reads.slice(0, 30).every((r) => r.offline),
    'history is offline',
  );
  t.equal(JSON.parse(state.get('D1', 'records.cursor') ?? '{}').n, missed.at(-1)?.data.RecNo);
  const live = sim.presentFace('F-R00001');
  await waitFor(() => second.sink.reads.length === 31, 5000);
  t.equal(second.sink.reads[30]?.offline, false, 'and live again');
  t.equal(
    JSON.parse(state.get('D1', 'records.cursor') ?? '{}').n,
    live.data.RecNo,
    'a live RecNo in step moves the cursor',
  );
});

t.test(
  'a reset or replaced terminal numbers from 1 again: the cursor follows, later gaps are still caught up',
  async (t) => {
    const sim = await terminal(t, { noRecNoInEvents: false });
    const state = new MemoryDriverState();
    // The terminal before the reset had numbered 5,000 records; the last one ten minutes ago.
    state.set('D1', 'records.cursor', JSON.stringify({ n: 5000, t: Date.now() - 10 * 60_000 }));
    const first = await driverFor(t, [{ id: 'D1', port: sim.port }], state);
    await waitFor(() => sim.streaming === 1, 5000);
    const fresh = sim.presentFace('F-R00001');
    await waitFor(() => first.sink.reads.length === 1, 5000);
    await waitFor(() => stat(first.driver, 'D1', 'numbering_restarted') === 1, 5000, 'the restart counted');
    t.equal(
      JSON.parse(state.get('D1', 'records.cursor') ?? '{}').n,
      fresh.data.RecNo,
      'the cursor follows RecNo 1',
    );
    await first.driver.stop();
    await waitFor(() => sim.streaming === 0, 5000);

    const missed = [sim.presentCard('04A1B2C3'), sim.presentFace('F-R00001'), sim.presentFace('F-R00001')];
    const second = await driverFor(t, [{ id: 'D1', port: sim.port }], state);
    await waitFor(() => second.sink.reads.length >= 3, 10_000, 'the records missed after the reset');
    t.same(
      second.sink.reads.slice(0, 3).map((r) => r.credential.type),
      ['card', 'face', 'face'],
      'found by their new numbers',
    );
    t.equal(JSON.parse(state.get('D1', 'records.cursor') ?? '{}').n, missed.at(-1)?.data.RecNo);
  },
);

t.test('the same record by stream and by catch-up is one identity', async (t) => {
  // Firmware without RecNo in its stream: only the catch-up moves the cursor, and finds again
  // what the stream brought; the record id makes the two one record in the journal.
  const sim = await terminal(t, { noRecNoInEvents: true });
  const state = new MemoryDriverState();
  state.set('D1', 'records.cursor', JSON.stringify({ n: 0, t: Date.now() - 60_000 }));
  const first = await driverFor(t, [{ id: 'D1', port: sim.port }], state);
  await waitFor(() => sim.streaming === 1, 5000);
  sim.presentFace('F-R00001');
  await waitFor(() => first.sink.reads.length === 1, 5000);
  await first.driver.stop();
  const second = await driverFor(t, [{ id: 'D1', port: sim.port }], state);
  await waitFor(() => second.sink.reads.length === 1, 5000, 'the catch-up finds it again');
  t.equal(second.sink.reads[0]?.recordId, first.sink.reads[0]?.recordId, 'the same identity');
  t.equal(second.sink.reads[0]?.offline, true);
});

t.test('a dead Dahua terminal holds up no other', async (t) => {
  const good = await terminal(t);
  const hung = await terminal(t);
  hung.device.hung = true;
  const { sink } = await driverFor(t, [
    { id: 'DEAD', port: hung.port },
    { id: 'D1', port: good.port },
  ]);
  await waitFor(() => good.streaming === 1, 5000);
  good.presentCard('04A1B2C3');
  await waitFor(() => sink.reads.some((r) => r.readerId === 'D1'), 3000);
  await waitFor(() => sink.online('DEAD') === false, 5000);
  t.equal(sink.online('D1'), true);
});

t.test(
  'a wrong password on a Dahua terminal: few tries, then the client holds back; never Basic',
  async (t) => {
    const sim = await terminal(t, { lockAfter: 3, lockSeconds: 60 });
    const { driver, sink } = await driverFor(t, [{ id: 'D1', port: sim.port, password: 'wrong' }]);
    await waitFor(() => sink.online('D1') === false, 5000, 'reported offline');
    // The stream and the probes both want the terminal: the client must hold both back.
    await waitFor(() => stat(driver, 'D1', 'http_heldBack') > 0, 5000, 'requests held back');
    const refused = sim.device.stats.refusedLogins;
    t.ok(refused <= 2, `${refused} refused login(s) before it stopped trying`);
    t.equal(sim.device.stats.basicAttempts, 0, 'never Basic');
    t.equal(sim.device.locked, false, 'the account was never locked');
    t.equal(sim.streaming, 0, 'no stream without a login');
  },
);
