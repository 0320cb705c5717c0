import t, { type Test } from 'tap';
import { createWiegandDriver } from '../../../drivers/wiegand/driver.js';
import { SimWiegandConverter, type SimWiegandOptions } from '../../../sim/serial/wiegand-converter.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { FakeTimers } from '../../../testkit/drivers/fake-timers.js';
import { mockDevicePort } from '../../../testkit/serial-devices.js';

let n = 0;
function setup(t: Test, sim: SimWiegandOptions, options: Record<string, unknown> = {}) {
  const path = `/dev/wiegand-test-${++n}`;
  const converter = new SimWiegandConverter(sim);
  const port = mockDevicePort(t, converter, path);
  const { ctx, sink, clock } = makeContext([{ id: 'w1', door: 'd1', options: { path, ...options } }]);
  const timers = new FakeTimers(clock);
  const driver = createWiegandDriver(ctx, { binding: port.binding, timers });
  return { converter, port, sink, driver, timers, clock };
}

t.test('Wiegand 26 over hex-cr: reads, parity errors, held-card repeats', async (t) => {
  const { converter, port, sink, driver, timers } = setup(t, { format: 'hex-cr', payload: 26 });
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('w1') === true);
  port.inject(converter.swipeCard(1, 12345));
  await timers.until(() => sink.reads.length === 1);
  t.same(sink.reads[0]?.credential, { type: 'card', uid: '013039' });

  port.inject(converter.swipeCard(1, 12345));
  await timers.advance(200);
  t.equal(sink.reads.length, 1, 'the same card within repeatMs is the same presentation');
  await timers.advance(2000);
  port.inject(converter.swipeCard(1, 12345));
  await timers.until(() => sink.reads.length === 2);

  port.inject(Buffer.from('2026072\r')); // odd parity flipped
  port.inject(Buffer.from('\x00\x01junk')); // noise with no line end: dropped after a silence
  await timers.advance(1000);
  port.inject(converter.swipeCard(2, 7));
  await timers.until(() => sink.reads.length === 3);
  t.same(sink.reads[2]?.credential, { type: 'card', uid: '020007' });
  t.same(
    sink.rejects.map((r) => r.detail),
    ['FRAME_PARITY'],
  );
  t.ok(driver.stats('w1').frames >= 4);
  t.equal(driver.stats('w1').discardedBytes, 6, 'the noise is counted');
});

t.test('Wiegand 34 over decimal-crlf, split across reads', async (t) => {
  const { converter, port, sink, driver, timers } = setup(
    t,
    { format: 'decimal-crlf', payload: 34 },
    {
      format: 'decimal-crlf',
      payload: 'wiegand34',
    },
  );
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('w1') === true);
  const line = converter.swipe(0xdeadbeef);
  port.inject(line.subarray(0, 4));
  await timers.advance(50);
  port.inject(line.subarray(4));
  await timers.until(() => sink.reads.length === 1);
  t.same(sink.reads[0]?.credential, { type: 'card', uid: 'DEADBEEF' });
});

t.test('raw-UID mode over STX…ETX', async (t) => {
  const { converter, port, sink, driver, timers } = setup(
    t,
    { format: 'stx-etx', payload: 'uid' },
    {
      format: 'stx-etx',
      payload: 'uid',
    },
  );
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('w1') === true);
  port.inject(converter.swipe(0x04a1b2c3));
  await timers.until(() => sink.reads.length === 1);
  t.same(sink.reads[0]?.credential, { type: 'card', uid: '04A1B2C3' });
});

t.test('unplug and replug: offline, reopen with backoff, online, reads resume', async (t) => {
  const { converter, port, sink, driver, timers } = setup(t, {});
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('w1') === true);
  port.unplug();
  await timers.until(() => sink.online('w1') === false, 100);
  await timers.advance(3000);
  port.replug();
  await timers.until(() => sink.online('w1') === true, 60_000);
  port.inject(converter.swipeCard(9, 9));
  await timers.until(() => sink.reads.length === 1);
  t.equal(port.opens, 2);
});

t.test('a converter whose port never opens is reported offline', async (t) => {
  const { port, sink, driver, timers } = setup(t, {});
  port.unplug();
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.advance(11_000);
  t.same(sink.statuses, [{ readerId: 'w1', online: false }]);
});

t.test('bad options are refused at construction', async (t) => {
  const { ctx } = makeContext([{ id: 'w9', door: 'd', options: { path: '/dev/x', format: 'ebcdic' } }]);
  t.throws(() => createWiegandDriver(ctx), { code: 'CONFIG_READER' });
});
