import t from 'tap';
import { createFingerprintDriver } from '../../../drivers/fingerprint/driver.js';
import { SimFingerprintModule } from '../../../sim/serial/fingerprint-module.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { deviceOnPty, deviceOnTcp } from '../../../testkit/drivers/pty.js';
import { waitFor } from '../../../testkit/wait.js';

// Layer (d): the production driver on the real serialport binding, the simulator on the
// other end of a socat pty pair; then the same over tcp:// as through a ser2net box.

for (const transport of ['pty', 'tcp'] as const) {
  t.test(`fingerprint module over ${transport}: probe, read, enrol`, async (t) => {
    const module = new SimFingerprintModule({ capacity: 200 });
    module.library.set(12, Buffer.alloc(512, 12));
    const { path } = transport === 'pty' ? await deviceOnPty(t, module) : await deviceOnTcp(t, module);
    const { ctx, sink } = makeContext([{ id: 'fp-e2e', door: 'd1', options: { path, pollMs: 20 } }]);
    const driver = createFingerprintDriver(ctx);
    await driver.start();
    t.teardown(() => driver.stop());

    await waitFor(() => sink.online('fp-e2e') === true);
    module.placeFinger(Buffer.alloc(512, 12));
    await waitFor(() => sink.reads.length === 1);
    t.same(sink.reads[0]?.credential, { type: 'fingerprint', templateId: '12', score: 180 });

    await driver.enroll('fp-e2e', 40, Buffer.alloc(512, 40));
    t.same(module.library.get(40), Buffer.alloc(512, 40), 'a template crosses the line in data packets');
    t.same(await driver.drift('fp-e2e', [12]), { orphans: [40], missing: [] });
    t.equal(driver.stats('fp-e2e').frameErrors, 0);
  });
}
