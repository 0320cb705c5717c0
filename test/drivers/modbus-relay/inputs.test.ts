import t, { type Test } from 'tap';
import { FN_READ_DISCRETE_INPUTS, FN_READ_HOLDING } from '../../../drivers/modbus-relay/constants.js';
import { describeModbus } from '../../../drivers/modbus-relay/describe.js';
import { createModbusRelayDriver } from '../../../drivers/modbus-relay/driver.js';
import {
  decodeFrame,
  encodeReadDiscreteInputs,
  encodeReadHolding,
  parseBits,
  parseRegisters,
} from '../../../drivers/modbus-relay/frame.js';
import { SimRelayBoard } from '../../../sim/serial/modbus-relay-board.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { FakeTimers } from '../../../testkit/drivers/fake-timers.js';
import { mockDevicePort } from '../../../testkit/serial-devices.js';

// Issue 13: the inputs of Modbus IO boards — door contact, exit button, fire relay, tamper —
// polled (function 02, or bits of a holding register with function 03) and reported as door
// signals. The simulated board answers the same bytes a real one does.

t.test('read discrete inputs and read holding registers, byte for byte', async (t) => {
  // MODBUS Application Protocol §6.2/§6.3 requests; the CRCs are those every Modbus tool shows.
  t.equal(encodeReadDiscreteInputs(1, 0, 8).toString('hex'), '010200000008' + '79cc');
  t.equal(encodeReadHolding(1, 0, 1).toString('hex'), '010300000001' + '840a');
  const bits = decodeFrame(Buffer.from('0102010561' + '8b', 'hex'));
  t.same(parseBits(bits, FN_READ_DISCRETE_INPUTS, 4), [true, false, true, false]);
  t.match(describeModbus(bits, 'reply'), {
    functionName: 'read discrete inputs',
    inputs: [true, false, true],
  });
  const regs = decodeFrame(Buffer.from('0103020005' + '7847', 'hex'));
  t.same(parseRegisters(regs, 1), [5]);
  t.match(describeModbus(regs, 'reply'), { functionName: 'read holding registers', registers: [5] });
  t.throws(() => parseRegisters(regs, 2), { code: 'FRAME_LENGTH' });
  t.throws(() => parseBits(regs, FN_READ_DISCRETE_INPUTS, 1), { code: 'FRAME_LENGTH' });
});

let n = 0;
function setup(t: Test, options: Record<string, unknown>, board = new SimRelayBoard({ unit: 1 })) {
  const path = `/dev/io-test-${++n}`;
  const { ctx, sink, clock } = makeContext([
    { id: 'L1', door: 'D1', options: { path, unit: 1, coil: 0, ...options } },
  ]);
  const port = mockDevicePort(t, board, path);
  const timers = new FakeTimers(clock);
  const driver = createModbusRelayDriver(ctx, { binding: port.binding, timers });
  const kinds = () => sink.doors.map((s) => s.kind);
  return { board, port, sink, driver, timers, clock, kinds };
}

t.test('a door contact, an exit button, a fire relay and a tamper loop on discrete inputs', async (t) => {
  const board = new SimRelayBoard({ unit: 1 });
  board.setInput(0, true); // the door is closed: its normally-closed contact reads on
  const { sink, driver, timers, kinds, clock } = setup(
    t,
    { contactInput: 0, exitInput: 1, fireInput: 2, tamperInput: 3 },
    board,
  );
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.doors.length === 1);
  t.same(kinds(), ['contact_closed'], 'the first poll tells the contact; nothing else is news');
  t.match(sink.doors[0], { readerId: 'L1', input: 0, receivedAt: clock.now() });

  board.setInput(0, false);
  await timers.until(() => sink.doors.length === 2);
  board.setInput(1, true); // pressed…
  await timers.until(() => sink.doors.length === 3);
  board.setInput(1, false); // …and let go: no signal
  board.setInput(2, true);
  await timers.until(() => sink.doors.length === 4);
  board.setInput(2, false);
  board.setInput(3, true);
  await timers.until(() => sink.doors.length === 6);
  board.setInput(0, true);
  await timers.until(() => sink.doors.length === 7);
  await timers.advance(1000);
  t.same(kinds(), [
    'contact_closed',
    'contact_open',
    'exit_button',
    'fire_alarm_on',
    'fire_alarm_off',
    'tamper',
    'contact_closed',
  ]);
  t.equal(driver.stats('L1').inputPollFailures, 0);
});

t.test('a board reporting its inputs as bits of a holding register; an inverted contact', async (t) => {
  const board = new SimRelayBoard({ unit: 1, inputs: 32, inputRegister: 0x10 });
  const { sink, driver, timers, kinds } = setup(
    t,
    { contactInput: 17, exitInput: 2, inputs: 'holding', inputRegister: 0x10, invertInputs: ['contact'] },
    board,
  );
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.doors.length === 1);
  t.same(kinds(), ['contact_closed'], 'a normally-open contact that reads off: closed');
  board.setInput(17, true);
  board.setInput(2, true);
  await timers.until(() => sink.doors.length === 3);
  t.same(kinds().slice(1).sort(), ['contact_open', 'exit_button']);
  t.ok(
    board.received.some((f) => f.fn === FN_READ_HOLDING) &&
      !board.received.some((f) => f.fn === FN_READ_DISCRETE_INPUTS),
    'asked with function 03 only',
  );
});

t.test('after the line drops, every input is reported again', async (t) => {
  const board = new SimRelayBoard({ unit: 1 });
  board.setInput(0, true);
  const { sink, driver, timers, kinds, port } = setup(t, { contactInput: 0 }, board);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => sink.doors.length === 1);
  port.unplug();
  await timers.until(() => sink.online('L1') === false, 1000);
  board.setInput(0, false); // opened while nobody could see
  port.replug();
  await timers.until(() => sink.doors.length === 2, 60_000);
  t.same(kinds(), ['contact_closed', 'contact_open']);
});

t.test('a board that does not answer: polls counted as failed, no signals, no crash', async (t) => {
  const board = new SimRelayBoard({ unit: 1 });
  board.behaviours.push((f) => (f.fn === FN_READ_DISCRETE_INPUTS ? null : undefined));
  const { sink, driver, timers } = setup(t, { contactInput: 0, timeoutMs: 50, retries: 0 }, board);
  await driver.start();
  t.teardown(() => driver.stop());
  await timers.until(() => driver.stats('L1').inputPollFailures >= 3, 5000);
  t.equal(sink.doors.length, 0);
  t.equal(sink.online('L1'), true, 'the lock itself still answers its probe');
});

t.test('check-config names bad input options', async (t) => {
  const check = createModbusRelayDriver.checkOptions;
  if (!check) throw new Error('the driver checks its options');
  t.same(
    check({
      path: '/dev/ttyUSB0',
      contactInput: 0,
      exitInput: 1,
      inputs: 'holding',
      invertInputs: ['contact'],
    }),
    [],
  );
  t.match(check({ path: '/dev/ttyUSB0', contactInput: -1, inputs: 'coils', invertInputs: ['door'] }), [
    { field: 'contactInput', message: /integer from 0/ },
    { field: 'inputs', message: /discrete, holding/ },
    { field: 'invertInputs', message: /contact, exit, fire, tamper/ },
  ]);
});
