import t, { type Test } from 'tap';
import { INS_GEN_IMG, PID_COMMAND } from '../../../drivers/fingerprint/constants.js';
import { createFingerprintDriver } from '../../../drivers/fingerprint/driver.js';
import { SimFingerprintModule } from '../../../sim/serial/fingerprint-module.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { FakeTimers } from '../../../testkit/drivers/fake-timers.js';
import { mockDevicePort } from '../../../testkit/serial-devices.js';

let n = 0;
function setup(t: Test, options: Record<string, unknown> = {}) {
  const path = `/dev/fp-test-${++n}`;
  const module = new SimFingerprintModule({ capacity: 300 });
  const port = mockDevicePort(t, module, path);
  const { ctx, sink, clock, logLines } = makeContext([
    { id: 'fp1', door: 'd1', options: { path, ...options } },
  ]);
  const timers = new FakeTimers(clock);
  const driver = createFingerprintDriver(ctx, { binding: port.binding, timers });
  return { module, port, sink, driver, timers, logLines };
}
const tpl = (b: number) => Buffer.alloc(512, b);
const genImgCount = (m: SimFingerprintModule) =>
  m.received.filter((p) => p.pid === PID_COMMAND && p.payload[0] === INS_GEN_IMG).length;

t.test('probe, then one read per finger presentation', async (t) => {
  const { module, sink, driver, timers } = setup(t);
  module.library.set(5, tpl(5));
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('fp1') === true);
  t.same(sink.statuses, [{ readerId: 'fp1', online: true }], 'online once probed, no offline blip first');

  module.placeFinger(tpl(5));
  await timers.until(() => sink.reads.length === 1);
  t.same(sink.reads[0]?.credential, { type: 'fingerprint', templateId: '5', score: 180 });
  t.equal(sink.reads[0]?.readerId, 'fp1');
  t.equal(sink.reads[0]?.offline, false);
  const polls = genImgCount(module);
  await timers.advance(2000);
  t.ok(genImgCount(module) > polls, 'still polling while the finger rests');
  t.equal(sink.reads.length, 1, 'a resting finger is read once');

  module.liftFinger();
  await timers.advance(500);
  module.placeFinger(tpl(99));
  await timers.until(() => sink.reads.length === 2);
  t.same(sink.reads[1]?.credential, { type: 'fingerprint', templateId: null }, '0x09 → unknown finger');
  t.not(sink.reads[0]?.recordId, sink.reads[1]?.recordId, 'record ids are unique');
});

t.test('enrolment: DownChar + data packets + Store, DeleteChar, drift', async (t) => {
  const { module, sink, driver, timers } = setup(t);
  module.library.set(3, tpl(3));
  module.library.set(260, tpl(4));
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('fp1') === true);

  const template = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
  const enrolled = driver.enroll('fp1', 7, template);
  await timers.until(() => module.library.has(7));
  await enrolled;
  t.same(module.library.get(7), template, 'template stored byte for byte at page 7');

  const drift = driver.drift('fp1', [7, 8]);
  await timers.advance(100);
  t.same(await drift, { orphans: [3, 260], missing: [8] });

  const removed = driver.remove('fp1', 3);
  await timers.advance(100);
  await removed;
  t.notOk(module.library.has(3));

  module.placeFinger(template);
  await timers.until(() => sink.reads.length === 1);
  t.same(
    sink.reads[0]?.credential,
    { type: 'fingerprint', templateId: '7', score: 180 },
    'the enrolled finger opens',
  );
  await t.rejects(driver.enroll('fp1', 300, template), { code: 'BAD_PAGE' });
  await t.rejects(
    driver.enroll('fp1', 8, Buffer.alloc(300)),
    { code: 'BAD_TEMPLATE' },
    'one whole char file',
  );
  t.throws(() => driver.stats('nobody'), { code: 'UNKNOWN_READER' });
});

t.test('timeouts are retried; a module that stops answering goes offline and is re-probed', async (t) => {
  const { module, sink, driver, timers, port } = setup(t, { timeoutMs: 500, retries: 2 });
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('fp1') === true);

  // One lost reply: the retry answers, nobody notices.
  let swallow = 1;
  module.behaviours.push((p) => (p.payload[0] === INS_GEN_IMG && swallow-- > 0 ? null : undefined));
  const before = port.writes.length;
  await timers.advance(1500);
  t.equal(driver.stats('fp1').timeouts, 1, 'one timeout counted');
  t.ok(port.writes.length > before + 1, 'the request was written again');
  t.equal(sink.online('fp1'), true, 'still online');

  // Mute: every attempt times out → offline.
  const mute = () => null;
  module.behaviours.push(mute);
  await timers.until(() => sink.online('fp1') === false, 10_000);
  t.ok(driver.stats('fp1').timeouts >= 4, 'each attempt timed out before giving up');

  module.behaviours.splice(module.behaviours.indexOf(mute), 1);
  await timers.until(() => sink.online('fp1') === true, 60_000);
  t.pass('back online after the module answers its probe again');
});

t.test('unplug: offline at once, reopened with backoff, online again', async (t) => {
  const { sink, driver, timers, port } = setup(t);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('fp1') === true);
  t.equal(port.opens, 1);

  port.unplug();
  await timers.until(() => sink.online('fp1') === false, 100);
  t.pass('offline as soon as the line closes');
  await timers.advance(5000);
  t.equal(port.opens, 1, 'opens fail while unplugged');
  port.replug();
  await timers.until(() => sink.online('fp1') === true, 60_000);
  t.equal(port.opens, 2, 'reopened once the device is back');
  t.same(
    sink.statuses.map((s) => s.online),
    [true, false, true],
  );
});

t.test('garbage and bad frames are counted and logged at debug as hex, never thrown', async (t) => {
  const { sink, driver, timers, port, logLines } = setup(t);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('fp1') === true);
  port.inject(Buffer.from([0x00, 0x13, 0x37]));
  port.inject(Buffer.from('EF01FFFFFFFF070003000000', 'hex')); // ack with a bad sum
  await timers.advance(300);
  const stats = driver.stats('fp1');
  t.ok(stats.discardedBytes >= 3 + 12, 'garbage and the bad packet are counted');
  t.equal(stats.frameErrors, 1);
  t.same(sink.rejects, [{ readerId: 'fp1', reason: 'bad_frame', detail: 'FRAME_CHECKSUM (12 bytes)' }]);
  t.ok(
    logLines.some((l) => l.includes('"level":20') && l.includes('00 13 37')),
    'debug log shows the bytes as hex',
  );
  t.equal(sink.online('fp1'), true, 'noise does not take the reader offline');
  t.doesNotThrow(() => driver.command('fp1', { id: 'c1', event: 'e1', action: 'unlock' }));
});

t.test('a module that never answers is reported offline after the grace period', async (t) => {
  const { module, sink, driver, timers } = setup(t);
  module.behaviours.push(() => null);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.advance(9000);
  t.equal(sink.online('fp1'), false, 'probe failures report offline');
  t.notOk(sink.statuses.some((s) => s.online));
});

t.test('reader options are validated at construction', async (t) => {
  const { ctx } = makeContext([{ id: 'fp9', door: 'd', options: { path: '/dev/x', baudRate: 'fast' } }]);
  t.throws(() => createFingerprintDriver(ctx), { code: 'CONFIG_READER' });
  const { ctx: ctx2 } = makeContext([{ id: 'fp9', door: 'd' }]);
  t.throws(() => createFingerprintDriver(ctx2), { code: 'CONFIG_READER' });
});
