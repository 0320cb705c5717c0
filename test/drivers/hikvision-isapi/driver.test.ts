import t, { type Test } from 'tap';
import { createHikvisionDriver, type HikvisionDriver } from '../../../drivers/hikvision-isapi/driver.js';
import { MemoryDriverState } from '../../../drivers/http/cursor.js';
import type { DriverState } from '../../../drivers/types.js';
import { type SimHikvisionOptions, SimHikvisionTerminal } from '../../../sim/hikvision/terminal.js';
import { startVendorDriver, type TerminalUnderTest } from '../../../testkit/drivers/terminal-context.js';
import { waitFor } from '../../../testkit/wait.js';

// Issue 11: the production Hikvision driver against the simulated MinMoe terminal over real
// HTTP with Digest — events by alertStream and by push, replays apart from live reads, a
// catch-up after a gap, the remote door, lockout-aware logins, odd firmware, and one dead
// terminal that holds up no other.

const PASSWORD = 'Sim-Passw0rd';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);

async function terminal(t: Test, o: Partial<SimHikvisionOptions> = {}): Promise<SimHikvisionTerminal> {
  const sim = new SimHikvisionTerminal({ password: PASSWORD, heartbeatMs: 200, ...o });
  sim.library.preload([{ id: 'F-R00001', face: JPEG, cards: ['3170568443'] }]);
  await sim.start();
  t.teardown(() => sim.stop());
  return sim;
}

function driverFor(t: Test, readers: TerminalUnderTest[], state?: DriverState) {
  return startVendorDriver(t, createHikvisionDriver, PASSWORD, readers, state);
}

/** One counter of a terminal (0 when never counted). */
const stat = (d: HikvisionDriver, id: string, name: string): number => d.stats(id)[name] ?? 0;

t.test('alertStream: a live face read with its picture, a door answered, door signals', async (t) => {
  const sim = await terminal(t);
  const { driver, sink } = await driverFor(t, [{ id: 'T1', port: sim.port }]);
  await waitFor(
    () => sim.streaming && sink.online('T1') === true,
    5000,
    'the stream held and the terminal online',
  );
  const ev = sim.presentFace('F-R00001', JPEG);
  await waitFor(() => sink.reads.length === 1, 5000, 'the read');
  const read = sink.reads[0];
  t.same(read?.credential, { type: 'face', personId: 'F-R00001', score: 1 }, 'face pass with the employeeNo');
  t.equal(read?.offline, false, 'a live read');
  t.equal(read?.recordId, `${ev.serialNo}@${Math.floor(ev.time / 1000)}`, 'identity: serial and second');
  t.same(read?.image?.data, JPEG, 'the picture that followed the event');
  t.equal(Math.abs((read?.ts ?? 0) - ev.time) < 1000, true, 'the terminal’s time');

  sim.presentFace('F-STRANGER');
  await waitFor(() => sink.reads.length === 2, 5000);
  t.same(
    sink.reads[1]?.credential,
    { type: 'face', personId: null, score: 0 },
    'an unknown face is a stranger',
  );

  sim.presentCard('3170568443');
  await waitFor(() => sink.reads.length === 3, 5000);
  t.same(
    sink.reads[2]?.credential,
    { type: 'card', uid: 'BCFB08FB' },
    'a decimal card number becomes the hex UID',
  );

  const opened = sim.expectRemoteOpen();
  driver.command('T1', { id: 'c1', event: read?.recordId ?? '', action: 'unlock' });
  t.equal(await opened, 1, 'RemoteControl/door/1 open');
  await waitFor(() => sink.doors.some((d) => d.kind === 'lock_opened'), 5000, 'the lock-open event');
  t.equal(sink.doors.find((d) => d.kind === 'lock_opened')?.offline, false);
  t.equal(stat(driver, 'T1', 'note_REMOTE_OPEN_DOOR'), 1, 'the remote-open operation is a named note');

  for (const minor of [0x19, 0x1a, 0x17, 0x1b, 0x1c]) sim.record({ major: 5, minor });
  await waitFor(() => sink.doors.length === 6, 5000, 'the door signals');
  t.same(
    sink.doors.slice(1).map((d) => d.kind),
    ['contact_open', 'contact_closed', 'exit_button', 'forced_open', 'held_open'],
    'door contact, exit button, forced and held open go to the door model',
  );

  sim.record({ major: 5, minor: 0xee });
  sim.record({ major: 5, minor: 0xee });
  await waitFor(() => stat(driver, 'T1', 'unknown_5/0xee') === 2, 5000, 'the unknown code counted');
  t.equal(sink.rejects.length, 0, 'an unknown code is not bad input');
  await waitFor(
    () => stat(driver, 'T1', 'event_videoloss') > 0,
    5000,
    'the stream’s heartbeat (videoloss, inactive) counted',
  );
});

t.test('a buffer replayed on connect is history; a second stream is refused by the terminal', async (t) => {
  const sim = await terminal(t);
  const before = [sim.presentFace('F-R00001'), sim.presentFace('F-R00001')];
  const { sink } = await driverFor(t, [{ id: 'T1', port: sim.port }]);
  await waitFor(() => sink.reads.length === 2, 5000, 'the replayed buffer');
  t.same(
    sink.reads.map((r) => r.offline),
    [true, true],
    'currentEvent:false records are offline: recorded, never answered',
  );
  t.same(
    sink.reads.map((r) => r.recordId),
    before.map((e) => `${e.serialNo}@${Math.floor(e.time / 1000)}`),
  );
  sim.presentFace('F-R00001');
  await waitFor(() => sink.reads.length === 3, 5000);
  t.equal(sink.reads[2]?.offline, false, 'then live again');
});

t.test('catch-up after the gateway was down: AcsEvent pages sorted, the cursor persisted', async (t) => {
  // No stream replay on this terminal: only the AcsEvent search can bring back the gap.
  const sim = await terminal(t, { replayMax: 0 });
  const state = new MemoryDriverState();
  const first = await driverFor(t, [{ id: 'T1', port: sim.port }], state);
  await waitFor(() => sim.streaming, 5000);
  sim.presentFace('F-R00001');
  await waitFor(() => first.sink.reads.length === 1, 5000);
  await first.driver.stop();
  await waitFor(() => !sim.streaming, 5000, 'the stream closed');

  const missed = Array.from({ length: 75 }, (_, i) =>
    i % 3 === 0 ? sim.presentCard('3170568443') : sim.presentFace('F-R00001', JPEG),
  );
  const second = await driverFor(t, [{ id: 'T1', port: sim.port }], state);
  await waitFor(() => second.sink.reads.length >= 75, 10_000, 'the 75 missed records');
  const got = second.sink.reads.slice(0, 75);
  t.same(
    got.map((r) => r.recordId),
    missed.map((e) => `${e.serialNo}@${Math.floor(e.time / 1000)}`),
    'every missed record, oldest first, though each page came unordered',
  );
  t.ok(
    got.every((r) => r.offline),
    'caught-up records are offline',
  );
  t.same(got[1]?.image?.data, JPEG, 'pictures fetched by their pictureURL with Digest');
  t.same(
    JSON.parse(state.get('T1', 'acs.cursor') ?? '{}').n,
    missed.at(-1)?.serialNo,
    'the cursor is the last serial recorded',
  );
  await waitFor(
    () => stat(second.driver, 'T1', 'caught_up') === 75,
    5000,
    'the catch-up counted when it ends',
  );
});

t.test(
  'a reset or replaced terminal numbers from 1 again: the cursor follows, later gaps are still caught up',
  async (t) => {
    const sim = await terminal(t, { replayMax: 0 });
    const state = new MemoryDriverState();
    // The terminal before the reset had numbered 5,000 records; the last one ten minutes ago.
    state.set('T1', 'acs.cursor', JSON.stringify({ n: 5000, t: Date.now() - 10 * 60_000 }));
    const first = await driverFor(t, [{ id: 'T1', port: sim.port }], state);
    await waitFor(() => sim.streaming, 5000);
    const fresh = sim.presentFace('F-R00001');
    await waitFor(() => first.sink.reads.length === 1, 5000);
    await waitFor(() => stat(first.driver, 'T1', 'numbering_restarted') === 1, 5000, 'the restart counted');
    t.equal(
      JSON.parse(state.get('T1', 'acs.cursor') ?? '{}').n,
      fresh.serialNo,
      'the cursor follows serial 1',
    );
    await first.driver.stop();
    await waitFor(() => !sim.streaming, 5000, 'the stream closed');

    const missed = [sim.presentCard('3170568443'), sim.presentFace('F-R00001'), sim.presentFace('F-R00001')];
    const second = await driverFor(t, [{ id: 'T1', port: sim.port }], state);
    await waitFor(() => second.sink.reads.length >= 3, 10_000, 'the records missed after the reset');
    t.same(
      second.sink.reads.slice(0, 3).map((r) => r.recordId),
      missed.map((e) => `${e.serialNo}@${Math.floor(e.time / 1000)}`),
      'found by their new numbers',
    );
  },
);

t.test('firmware that ignores the serial bounds of a search still catches up', async (t) => {
  const sim = await terminal(t, { replayMax: 0, ignoreSerialBounds: true });
  const state = new MemoryDriverState();
  const first = await driverFor(t, [{ id: 'T1', port: sim.port }], state);
  await waitFor(() => sim.streaming, 5000);
  sim.presentFace('F-R00001');
  await waitFor(() => first.sink.reads.length === 1, 5000);
  await first.driver.stop();
  const missed = Array.from({ length: 40 }, () => sim.presentFace('F-R00001'));
  const second = await driverFor(t, [{ id: 'T1', port: sim.port }], state);
  await waitFor(() => second.sink.reads.length >= 40, 10_000);
  t.same(
    second.sink.reads.map((r) => r.recordId),
    missed.map((e) => `${e.serialNo}@${Math.floor(e.time / 1000)}`),
    'the records after the cursor, once each',
  );
});

t.test(
  'push: the terminal posts to /hikvision/<reader>; other addresses and unsigned pushes are refused',
  async (t) => {
    const sim = await terminal(t, { pushWithoutPartType: true });
    const { sink, url, ingress } = await driverFor(t, [
      { id: 'T1', port: sim.port, options: { events: 'push' } },
    ]);
    sim.pushTo(`${url}/hikvision/T1`);
    await waitFor(() => sink.online('T1') === true, 5000);
    sim.presentFace('F-R00001', JPEG);
    await waitFor(() => sink.reads.length === 1, 5000, 'the pushed read');
    t.equal(sink.reads[0]?.credential.type, 'face');
    t.same(sink.reads[0]?.image?.data, JPEG, 'event_log without a part Content-Type, picture kept');
    t.equal(sim.streaming, false, 'no stream is held in push mode');

    const other = await fetch(`${url}/hikvision/NOPE`, { method: 'POST', body: 'x' });
    t.equal(other.status, 404, 'an unknown terminal');
    t.ok(ingress.port, 'the listener is the gateway’s');
  },
);

t.test(
  'a push over the size cap is answered, not resent, and its record caught up by AcsEvent',
  async (t) => {
    const sim = await terminal(t, { replayMax: 0 });
    const { sink, url, driver } = await driverFor(t, [
      { id: 'T1', port: sim.port, options: { events: 'push', maxPictureBytes: 50_000 } },
    ]);
    sim.pushTo(`${url}/hikvision/T1`);
    await waitFor(() => sink.online('T1') === true, 5000);
    sim.presentFace('F-R00001', JPEG);
    await waitFor(() => sink.reads.length === 1, 5000, 'a first push: the cursor the catch-up starts from');
    // A 600 KB picture: past the route's cap of three pictures and 256 KiB.
    const huge = Buffer.concat([
      JPEG.subarray(0, 12),
      Buffer.alloc(600_000, 0x55),
      Buffer.from([0xff, 0xd9]),
    ]);
    const ev = sim.presentFace('F-R00001', huge);
    await waitFor(() => sink.reads.length === 2, 10_000, 'the record, fetched by the catch-up');
    t.equal(sink.reads[1]?.recordId, `${ev.serialNo}@${Math.floor(ev.time / 1000)}`);
    t.equal(
      sink.reads[1]?.image,
      undefined,
      'its picture too large to fetch as well: the event kept without it',
    );
    t.equal(
      stat(driver, 'T1', 'picture_oversize'),
      1,
      'the picture, fetched by its URL, was over the cap too',
    );
    t.equal(stat(driver, 'T1', 'push_oversize'), 1, 'counted');
    t.equal(sim.pushFailures, 0, 'the terminal was answered 200: no resend loop');
  },
);

t.test('a new terminal whose very first push is over the cap: its record is still caught up', async (t) => {
  const sim = await terminal(t, { replayMax: 0 });
  const { sink, url, driver } = await driverFor(t, [
    { id: 'T1', port: sim.port, options: { events: 'push', maxPictureBytes: 50_000 } },
  ]);
  sim.pushTo(`${url}/hikvision/T1`);
  await waitFor(() => sink.online('T1') === true, 5000);
  const huge = Buffer.concat([JPEG.subarray(0, 12), Buffer.alloc(600_000, 0x55), Buffer.from([0xff, 0xd9])]);
  const ev = sim.presentFace('F-R00001', huge);
  await waitFor(
    () => sink.reads.length === 1,
    10_000,
    'the first record, found by time: there was no cursor',
  );
  t.equal(sink.reads[0]?.recordId, `${ev.serialNo}@${Math.floor(ev.time / 1000)}`);
  t.equal(stat(driver, 'T1', 'push_oversize'), 1, 'counted');
  // The next push is recorded live. A catch-up still searching may deliver it again
  // (the journal deduplicates by record id); nothing else turns up.
  const next = sim.presentFace('F-R00001', JPEG);
  const nextId = `${next.serialNo}@${Math.floor(next.time / 1000)}`;
  await waitFor(
    () => sink.reads.some((r) => r.recordId === nextId && !r.offline),
    5000,
    'the next push, live',
  );
  t.same(
    [...new Set(sink.reads.map((r) => r.recordId))].sort(),
    [sink.reads[0]?.recordId, nextId].sort(),
    'two records',
  );
});

t.test('Digest-signed pushes for terminals behind NAT', async (t) => {
  const sim = await terminal(t, { pushLogin: { username: 'T1', password: 'push-T1' } });
  const { sink, url } = await driverFor(t, [
    { id: 'T1', port: sim.port, options: { events: 'push', pushAuth: 'digest' } },
  ]);
  const unsigned = await fetch(`${url}/hikvision/T1`, { method: 'POST', body: 'x' });
  t.equal(unsigned.status, 401, 'unsigned: a challenge');
  t.match(unsigned.headers.get('www-authenticate'), /^Digest /);
  sim.pushTo(`${url}/hikvision/T1`);
  sim.presentFace('F-R00001');
  await waitFor(() => sink.reads.length === 1, 5000, 'the signed push');
});

t.test('a wrong password: few tries, then the client holds back; never Basic', async (t) => {
  const sim = await terminal(t, { lockAfter: 3, lockSeconds: 60 });
  const { driver, sink } = await driverFor(t, [{ id: 'T1', port: sim.port, password: 'wrong' }]);
  await waitFor(() => sink.online('T1') === false, 5000, 'reported offline');
  // Probes run every second; the stream retries on its own backoff: the client must hold back.
  await waitFor(() => stat(driver, 'T1', 'http_heldBack') > 0, 5000, 'requests held back');
  const refused = sim.device.stats.refusedLogins;
  t.ok(refused <= 2, `${refused} refused login(s) before it stopped trying`);
  t.equal(sim.device.stats.basicAttempts, 0, 'never Basic');
  t.equal(sim.device.locked, false, 'the account was never locked');
  t.match(sink.rejects, [], 'nothing rejected');
});

t.test('a locked account: the client waits out the unlock time the terminal announced', async (t) => {
  const sim = await terminal(t, { lockAfter: 1, lockSeconds: 120 });
  const { driver, sink } = await driverFor(t, [{ id: 'T1', port: sim.port, password: 'wrong' }]);
  await waitFor(() => sink.online('T1') === false, 5000);
  await waitFor(
    () => stat(driver, 'T1', 'http_lockouts') >= 1 || stat(driver, 'T1', 'http_heldBack') > 0,
    5000,
  );
  const tried = sim.device.stats.triedWhileLocked;
  await waitFor(() => stat(driver, 'T1', 'session_probes') >= 3, 6000, 'three more probes');
  t.equal(sim.device.stats.triedWhileLocked, tried, 'no try during the lock (each would extend it)');
});

t.test(
  'short-lived nonces (the firmware that refuses a third use) cost one challenge each, never a failure',
  async (t) => {
    const sim = await terminal(t, { nonceMaxUses: 2 });
    const { driver, sink } = await driverFor(t, [{ id: 'T1', port: sim.port }]);
    await waitFor(() => stat(driver, 'T1', 'session_probes') >= 4, 8000, 'several probes');
    t.equal(sink.online('T1'), true);
    t.equal(sim.device.stats.refusedLogins, 0, 'no refused login');
    t.equal(stat(driver, 'T1', 'http_authFailures'), 0);
  },
);

t.test('one dead terminal holds up no other', async (t) => {
  const good = await terminal(t);
  const hung = await terminal(t);
  hung.device.hung = true; // accepts connections, never answers
  const { sink } = await driverFor(t, [
    { id: 'DEAD', port: hung.port },
    { id: 'GONE', port: 1 }, // nothing listens
    { id: 'T1', port: good.port },
  ]);
  await waitFor(() => good.streaming, 5000, 'the good terminal streams');
  const started = Date.now();
  good.presentFace('F-R00001');
  await waitFor(() => sink.reads.some((r) => r.readerId === 'T1'), 5000);
  t.ok(Date.now() - started < 1000, `the good terminal's read arrived in ${Date.now() - started} ms`);
  await waitFor(
    () => sink.online('GONE') === false && sink.online('DEAD') === false,
    5000,
    'the dead ones offline',
  );
  t.equal(sink.online('T1'), true);
});
