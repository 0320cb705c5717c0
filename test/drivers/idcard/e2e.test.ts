import t from 'tap';
import { CMD_FIND } from '../../../drivers/idcard/constants.js';
import { createIdCardDriver } from '../../../drivers/idcard/driver.js';
import { SimIdCardReader, samCommand } from '../../../sim/serial/idcard-reader.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { LI, ZHANG } from '../../../testkit/drivers/id-cards.js';
import { deviceOnPty } from '../../../testkit/drivers/pty.js';
import { nth, waitFor } from '../../../testkit/wait.js';

// Layer (d): the production driver on the real serialport binding at 115200, the SAM
// simulator on the far end of a socat pty pair; 1,295-byte replies cross the pty.
t.test('ID-card reader over a pty pair', async (t) => {
  const reader = new SimIdCardReader();
  const { path } = await deviceOnPty(t, reader);
  const { ctx, sink } = makeContext([{ id: 'id-e2e', door: 'd1', options: { path, pollMs: 30 } }]);
  const driver = createIdCardDriver(ctx);
  await driver.start();
  t.teardown(() => driver.stop());

  await waitFor(() => sink.online('id-e2e') === true);
  reader.place(ZHANG);
  await waitFor(() => sink.reads.length === 1);
  // The card rests: three more polls find it, and none reads it again.
  await reader.expect(nth(3, samCommand(CMD_FIND)), 5000, 'three finds of the resting card');
  t.equal(sink.reads.length, 1, 'one read for one presentation');
  t.equal(reader.reads, 1, 'the SAM was asked to read once');
  reader.remove();
  // Two "no card" answers in a row (removeAfterPolls) end the presentation.
  await reader.expect(nth(2, samCommand(CMD_FIND)), 5000, 'the card missed');
  reader.place(LI);
  await waitFor(() => sink.reads.length === 2);
  t.same(
    sink.reads.map((r) => r.credential),
    [
      { type: 'idcard', number: '310101199003071230', name: '张三', validUntil: '2035-01-01' },
      { type: 'idcard', number: '11010519491231002X', name: '李秀英', validUntil: null },
    ],
  );
  t.equal(driver.stats('id-e2e').frameErrors, 0);
  t.equal(driver.stats('id-e2e').discardedBytes, 0);
});
