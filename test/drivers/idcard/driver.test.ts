import t, { type Test } from 'tap';
import { createIdCardDriver } from '../../../drivers/idcard/driver.js';
import { SimIdCardReader, type SimIdCardReaderOptions } from '../../../sim/serial/idcard-reader.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { FakeTimers } from '../../../testkit/drivers/fake-timers.js';
import { EXPIRED, LI, ZHANG } from '../../../testkit/drivers/id-cards.js';
import { mockDevicePort } from '../../../testkit/serial-devices.js';

let n = 0;
function setup(t: Test, sim: SimIdCardReaderOptions = {}, options: Record<string, unknown> = {}) {
  const path = `/dev/idcard-test-${++n}`;
  const reader = new SimIdCardReader(sim);
  const port = mockDevicePort(t, reader, path);
  const { ctx, sink, clock, logLines } = makeContext([
    { id: 'id1', door: 'd1', options: { path, ...options } },
  ]);
  const timers = new FakeTimers(clock);
  const driver = createIdCardDriver(ctx, { binding: port.binding, timers });
  return { reader, port, sink, driver, timers, logLines };
}

for (const afterRead of ['found', 'no-card'] as const) {
  t.test(`one read per presentation (SAM answers "${afterRead}" after a read)`, async (t) => {
    const { reader, sink, driver, timers } = setup(t, { afterRead });
    await driver.start();
    t.teardown(() => driver.stop());
    await timers.until(() => sink.online('id1') === true);
    await timers.advance(2000);
    t.equal(sink.reads.length, 0, 'no card, no read');

    reader.place(ZHANG);
    await timers.until(() => sink.reads.length === 1);
    t.same(sink.reads[0]?.credential, {
      type: 'idcard',
      number: '310101199003071230',
      name: '张三',
      validUntil: '2035-01-01',
    });
    await timers.advance(5000);
    t.equal(sink.reads.length, 1, 'the card resting on the reader is read once');
    t.equal(reader.reads, 1, 'and the SAM was asked to read it once');

    reader.remove();
    await timers.advance(1000);
    reader.place(LI);
    await timers.until(() => sink.reads.length === 2);
    t.same(sink.reads[1]?.credential, {
      type: 'idcard',
      number: '11010519491231002X',
      name: '李秀英',
      validUntil: null,
    });
  });
}

t.test('the same card lifted and presented again is a new read', async (t) => {
  const { reader, sink, driver, timers } = setup(t);
  await driver.start();
  t.teardown(() => driver.stop());
  reader.place(ZHANG);
  await timers.until(() => sink.reads.length === 1);
  reader.remove();
  await timers.advance(1000);
  reader.place(ZHANG);
  await timers.until(() => sink.reads.length === 2);
  t.not(sink.reads[0]?.recordId, sink.reads[1]?.recordId);
});

t.test('expired cards are read and flagged; other card kinds are refused once', async (t) => {
  const { reader, sink, driver, timers, logLines } = setup(t);
  await driver.start();
  t.teardown(() => driver.stop());
  reader.place(EXPIRED);
  await timers.until(() => sink.reads.length === 1);
  t.equal(driver.stats('id1').expiredReads, 1);
  t.ok(logLines.some((l) => l.includes('expired ID card presented')));
  reader.remove();
  await timers.advance(1000);

  reader.place({ ...ZHANG, kindMark: 'I' });
  await timers.until(() => sink.rejects.length === 1);
  await timers.advance(3000);
  t.same(
    sink.rejects,
    [{ readerId: 'id1', reason: 'bad_field', detail: 'IDCARD_KIND' }],
    'refused once per presentation',
  );
  t.equal(sink.reads.length, 1);
  t.notOk(
    logLines.some((l) => l.includes('310101199003071230')),
    'logs never carry the ID number',
  );
});

t.test('a lost reply is retried; a silent reader goes offline; unplug and replug', async (t) => {
  const { reader, sink, driver, timers, port } = setup(t, {}, { timeoutMs: 500, retries: 1 });
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('id1') === true);
  let lose = 1;
  reader.behaviours.push((f) => (f.body[0] === 0x20 && lose-- > 0 ? null : undefined));
  await timers.advance(1500);
  t.equal(driver.stats('id1').timeouts, 1);
  t.equal(sink.online('id1'), true);

  const mute = () => null;
  reader.behaviours.push(mute);
  await timers.until(() => sink.online('id1') === false, 10_000);
  reader.behaviours.pop();
  await timers.until(() => sink.online('id1') === true, 60_000);

  port.unplug();
  await timers.until(() => sink.online('id1') === false, 100);
  port.replug();
  await timers.until(() => sink.online('id1') === true, 60_000);
  t.equal(port.opens, 2);
  reader.place(LI);
  await timers.until(() => sink.reads.length === 1);
  t.pass('reads resume after the reopen');
});

t.test('a corrupted read reply is counted, reported, and the card read on the next poll', async (t) => {
  const { reader, sink, driver, timers } = setup(t);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('id1') === true);
  let corrupt = 1;
  reader.behaviours.push((f) => {
    if (f.body[0] !== 0x30 || corrupt-- <= 0) return undefined;
    return Buffer.from('AAAAAA9669000400009095', 'hex'); // bad XOR
  });
  reader.place(ZHANG);
  await timers.until(() => sink.reads.length === 1, 20_000);
  t.equal(driver.stats('id1').frameErrors, 1);
  t.same(sink.rejects, [{ readerId: 'id1', reason: 'bad_frame', detail: 'FRAME_CHECKSUM (11 bytes)' }]);
});
