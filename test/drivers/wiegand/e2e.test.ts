import t from 'tap';
import { createWiegandDriver } from '../../../drivers/wiegand/driver.js';
import { SimWiegandConverter } from '../../../sim/serial/wiegand-converter.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { deviceOnPty } from '../../../testkit/drivers/pty.js';
import { waitFor } from '../../../testkit/wait.js';

// Layer (d): the production driver on the real serialport binding, a converter on the far
// end of a socat pty pair sending CR LF lines, some split mid-line.
t.test('Wiegand converter over a pty pair', async (t) => {
  const converter = new SimWiegandConverter({ format: 'decimal-crlf', payload: 34 });
  const { path, device } = await deviceOnPty(t, converter);
  const { ctx, sink } = makeContext([
    { id: 'w-e2e', door: 'd1', options: { path, format: 'decimal-crlf', payload: 'wiegand34', repeatMs: 0 } },
  ]);
  const driver = createWiegandDriver(ctx);
  await driver.start();
  t.teardown(() => driver.stop());
  await waitFor(() => sink.online('w-e2e') === true);
  // The first line and the start of the second in one write; the rest of the second only
  // once the driver has read the first, so the second line reaches it split mid-line.
  const split = converter.swipe(0x0badcafe);
  device.inject(Buffer.concat([converter.swipe(0x12345678), split.subarray(0, 5)]));
  await waitFor(() => sink.reads.length === 1, 5000, 'the first line read');
  device.inject(split.subarray(5));
  await waitFor(() => sink.reads.length === 2);
  t.same(
    sink.reads.map((r) => r.credential),
    [
      { type: 'card', uid: '12345678' },
      { type: 'card', uid: '0BADCAFE' },
    ],
  );
});
