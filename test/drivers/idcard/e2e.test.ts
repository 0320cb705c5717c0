import t from 'tap';
import { createIdCardDriver } from '../../../drivers/idcard/driver.js';
import { SimIdCardReader } from '../../../sim/serial/idcard-reader.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { LI, ZHANG } from '../../../testkit/drivers/id-cards.js';
import { deviceOnPty } from '../../../testkit/drivers/pty.js';
import { waitFor } from '../../../testkit/wait.js';

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
  await new Promise((r) => setTimeout(r, 300));
  t.equal(sink.reads.length, 1, 'one read for one presentation');
  reader.remove();
  await new Promise((r) => setTimeout(r, 200));
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
