import t from 'tap';
import { build } from '../../gateway/build.js';
import { silentLogger } from '../../gateway/log.js';
import { saveRoster } from '../../gateway/roster/repository.js';

import { SimWiegandConverter } from '../../sim/serial/wiegand-converter.js';
import { loaded } from '../../testkit/config.js';
import { TEST_ROSTER, until } from '../../testkit/gateway.js';
import { mockDevicePort } from '../../testkit/serial-devices.js';
import { tmpDir } from '../../testkit/tmp.js';

// Issue 3: the composition root passes a typed serial binding to the serial drivers
// (production passes none: the OS binding), so a whole gateway runs on binding-mock.

t.test('a gateway on binding-mock: the serialBinding dependency reaches the drivers', async (t) => {
  const { dir, cleanup } = tmpDir('mockbind-');
  t.teardown(cleanup);
  const converter = new SimWiegandConverter({ format: 'stx-etx', payload: 'uid' });
  const port = mockDevicePort(t, converter, '/dev/mock-wiegand');
  const gw = build(
    loaded(dir, {
      readers: [
        {
          id: 'W1',
          door: 'B01-U1',
          driver: 'wiegand',
          options: { path: '/dev/mock-wiegand', format: 'stx-etx', payload: 'uid' },
        },
      ],
    }),
    { log: silentLogger(), serialBinding: port.binding },
  );
  await gw.open();
  saveRoster(gw.db, TEST_ROSTER, 'merge', Date.now(), 'mock-1');
  await gw.start();
  t.teardown(() => gw.stop());
  await until(() => port.isOpen, 5000, 'mock port opened');
  port.inject(converter.swipe(0x04a1b2c3));
  const row = () =>
    gw.db
      .prepare('SELECT j.type, d.outcome, d.resident_id AS r FROM journal j JOIN decisions d USING (seq)')
      .get();
  await until(() => row() !== undefined, 5000, 'swipe recorded');
  t.same(row(), { type: 'card', outcome: 'granted', r: 'R00001' });
  t.equal(port.opens, 1);
});
