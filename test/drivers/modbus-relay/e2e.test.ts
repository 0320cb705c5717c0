import t from 'tap';
import { createModbusRelayDriver } from '../../../drivers/modbus-relay/driver.js';
import { SimRelayBoard } from '../../../sim/serial/modbus-relay-board.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { deviceOnPty } from '../../../testkit/drivers/pty.js';
import { waitFor } from '../../../testkit/wait.js';

// Layer (d): the production driver on the real serialport binding, a relay board on the
// far end of a socat pty pair, real time.
t.test('Modbus relay board over a pty pair: an unlock is a pulse of the right length', async (t) => {
  const board = new SimRelayBoard({ unit: 3 });
  const { path } = await deviceOnPty(t, board);
  const { ctx, sink } = makeContext([
    { id: 'lock-e2e', door: 'd1', options: { path, unit: 3, coil: 1, unlockMs: 300 } },
  ]);
  const driver = createModbusRelayDriver(ctx);
  await driver.start();
  t.teardown(() => driver.stop());
  await waitFor(() => sink.online('lock-e2e') === true);
  driver.command('lock-e2e', { id: 'c1', event: 'e1', action: 'unlock' });
  await waitFor(() => board.history.length === 2, 3000);
  const [on, off] = board.history;
  t.same([on?.on, off?.on, on?.coil], [true, false, 1]);
  const held = (off?.at ?? 0) - (on?.at ?? 0);
  t.ok(held >= 290 && held < 2000, `held ${held} ms for a 300 ms pulse`);
});
