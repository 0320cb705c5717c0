import t, { type Test } from 'tap';
import { COIL_OFF, FN_WRITE_COIL } from '../../../drivers/modbus-relay/constants.js';
import { createModbusRelayDriver } from '../../../drivers/modbus-relay/driver.js';
import { SimRelayBoard } from '../../../sim/serial/modbus-relay-board.js';
import { MultiDrop } from '../../../sim/serial/multi-drop.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { FakeTimers } from '../../../testkit/drivers/fake-timers.js';
import { mockDevicePort } from '../../../testkit/serial-devices.js';

let n = 0;
function setup(t: Test, lockOptions: Array<Record<string, unknown>>) {
  const path = `/dev/relay-test-${++n}`;
  const readers = lockOptions.map((o, i) => ({
    id: `lock${i + 1}`,
    door: `d${i + 1}`,
    options: { path, ...o },
  }));
  const { ctx, sink, clock } = makeContext(readers);
  const board1 = new SimRelayBoard({ unit: 1, clock });
  const board2 = new SimRelayBoard({ unit: 2, clock });
  const port = mockDevicePort(t, new MultiDrop(board1, board2), path);
  const timers = new FakeTimers(clock);
  const driver = createModbusRelayDriver(ctx, { binding: port.binding, timers });
  return { board1, board2, port, sink, driver, timers, clock };
}

t.test('unlock pulses the coil for the unlock time; deny does nothing', async (t) => {
  const { board1, sink, driver, timers, clock } = setup(t, [{ unit: 1, coil: 2, unlockMs: 3000 }]);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('lock1') === true);
  const t0 = clock.now();
  driver.command('lock1', { id: 'c1', event: 'e1', action: 'unlock' });
  await timers.until(() => board1.coils[2] === true, 100);
  await timers.advance(2900);
  t.equal(board1.coils[2], true, 'still open before the unlock time');
  await timers.until(() => board1.coils[2] === false, 500);
  t.same(
    board1.history.map((h) => ({ coil: h.coil, on: h.on })),
    [
      { coil: 2, on: true },
      { coil: 2, on: false },
    ],
  );
  const [on, off] = board1.history;
  t.ok(on && on.at - t0 < 50, 'switched on at once');
  t.ok(on && off && off.at - on.at >= 3000 && off.at - on.at < 3100, 'switched off after 3 s');

  driver.command('lock1', { id: 'c2', event: 'e2', action: 'deny' });
  await timers.advance(1000);
  t.equal(board1.history.length, 2, 'deny leaves the lock alone');
});

t.test('an unlock sent before the serial line is open switches on once it opens', async (t) => {
  // A passage hold is sent at start, before the line has opened (the demo's south gate).
  const { board1, driver, timers } = setup(t, [{ unit: 1, coil: 1, unlockMs: 3000 }]);
  await driver.start();
  t.teardown(() => driver.stop());
  driver.command('lock1', { id: 'c1', event: 'e1', action: 'unlock' });
  await timers.until(() => board1.coils[1] === true, 1000);
  await timers.until(() => board1.coils[1] === false, 3500);
  t.same(
    board1.history.map((h) => h.on),
    [true, false],
    'switched on when the line opened, off at the end of the pulse',
  );
});

t.test('an unlock while the switch-off is on its way opens the door again', async (t) => {
  // Found when the serial integration test stopped sleeping (issue 8): an unlock that
  // came after the board switched off, but before its echo was back, was taken for an
  // extension of the pulse that was ending, and the door stayed shut.
  const { board1, sink, driver, timers } = setup(t, [{ unit: 1, coil: 0, unlockMs: 1000 }]);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('lock1') === true);
  driver.command('lock1', { id: 'c1', event: 'e1', action: 'unlock' });
  await timers.until(() => board1.coils[0] === true, 100);
  const off = board1.expect((f) => f.fn === FN_WRITE_COIL && f.data.readUInt16BE(2) === COIL_OFF);
  // The board has switched off; its echo is still on the line when the next unlock comes.
  const again = off.then(() => driver.command('lock1', { id: 'c2', event: 'e2', action: 'unlock' }));
  await timers.advance(1000);
  await again;
  await timers.until(() => board1.coils[0] === true, 200);
  t.same(
    board1.history.map((h) => h.on),
    [true, false, true],
    'off as the first pulse ends, on again for the second unlock',
  );
  await timers.advance(900);
  t.equal(board1.coils[0], true, 'the second pulse lasts its unlock time');
  await timers.until(() => board1.coils[0] === false, 300);
  t.equal(board1.history.length, 4, 'and ends');
});

t.test('durationMs overrides; a second unlock extends the pulse', async (t) => {
  const { board1, sink, driver, timers } = setup(t, [{ unit: 1, coil: 0 }]);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('lock1') === true);
  driver.command('lock1', { id: 'c1', event: 'e1', action: 'unlock', durationMs: 1000 });
  await timers.advance(800);
  driver.command('lock1', { id: 'c2', event: 'e2', action: 'unlock', durationMs: 1000 });
  await timers.advance(800);
  t.equal(board1.coils[0], true, 'extended past the first pulse');
  await timers.advance(400);
  t.equal(board1.coils[0], false);
  t.equal(board1.history.length, 2, 'one on, one off');
});

t.test('two boards on one line, one queue; each lock reports its own status', async (t) => {
  const { board1, board2, sink, driver, timers } = setup(t, [
    { unit: 1, coil: 0 },
    { unit: 2, coil: 5 },
    { unit: 3, coil: 0 },
  ]);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('lock1') === true && sink.online('lock2') === true);
  await timers.until(() => sink.online('lock3') === false, 5000);
  t.pass('the board that is not on the line is offline');
  driver.command('lock1', { id: 'c1', event: 'e1', action: 'unlock', durationMs: 500 });
  driver.command('lock2', { id: 'c2', event: 'e2', action: 'unlock', durationMs: 500 });
  await timers.until(() => board1.coils[0] === true && board2.coils[5] === true, 200);
  await timers.advance(600);
  t.same([board1.coils[0], board2.coils[5]], [false, false]);
  t.equal(driver.stats('lock1').frameErrors, 0);
});

t.test(
  'exception replies and bad echoes fail the write; the switch-off is retried until it lands',
  async (t) => {
    const { board1, sink, driver, timers } = setup(t, [{ unit: 1, coil: 20, timeoutMs: 100, retries: 0 }]);
    await driver.start();
    t.teardown(() => driver.stop());
    await timers.advance(200);
    t.equal(sink.online('lock1'), true, 'an exception reply still proves the board is there');
    driver.command('lock1', { id: 'c1', event: 'e1', action: 'unlock', durationMs: 200 });
    await timers.advance(100);
    t.equal(board1.history.length, 0, 'coil 20 does not exist on an 8-coil board');

    // A board that loses the off command: the driver keeps trying.
    const {
      board1: b,
      sink: s,
      driver: d,
      timers: tm,
    } = setup(t, [{ unit: 1, coil: 1, timeoutMs: 100, retries: 0 }]);
    await d.start();
    t.teardown(() => d.stop());
    await tm.until(() => s.online('lock1') === true);
    let lose = 3;
    b.behaviours.push((f) => (f.fn === 5 && f.data.readUInt16BE(2) === 0 && lose-- > 0 ? null : undefined));
    d.command('lock1', { id: 'c1', event: 'e1', action: 'unlock', durationMs: 200 });
    await tm.until(() => b.coils[1] === true, 100);
    await tm.until(() => b.coils[1] === false, 10_000);
    t.equal(lose, -1, 'three lost switch-offs, the fourth landed');
    t.equal(d.stats('lock1').timeouts, 3);
  },
);

t.test('stop() switches off a lock in the middle of its pulse', async (t) => {
  const { board1, sink, driver, timers } = setup(t, [{ unit: 1, coil: 0 }]);
  await driver.start();
  await timers.until(() => sink.online('lock1') === true);
  driver.command('lock1', { id: 'c1', event: 'e1', action: 'unlock', durationMs: 60_000 });
  await timers.until(() => board1.coils[0] === true, 100);
  const stopping = driver.stop();
  await timers.advance(100);
  await stopping;
  t.equal(board1.coils[0], false);
});

t.test('unplug: locks offline; replug: reopened and probed online', async (t) => {
  const { port, sink, driver, timers } = setup(t, [{ unit: 1, coil: 0 }]);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.online('lock1') === true);
  port.unplug();
  await timers.until(() => sink.online('lock1') === false, 100);
  port.replug();
  await timers.until(() => sink.online('lock1') === true, 60_000);
  t.equal(port.opens, 2);
  t.doesNotThrow(() => driver.command('nobody', { id: 'c', event: 'e', action: 'unlock' }));
});
