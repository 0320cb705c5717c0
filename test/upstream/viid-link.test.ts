import path from 'node:path';
import t from 'tap';
import { systemClock } from '../../core/clock.js';
import { parseViidDeviceId } from '../../core/viid-id.js';
import { faceId, imageId, parseViidReply, viidTime } from '../../core/viid-wire.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { Store } from '../../gateway/store/store.js';
import { ViidClient } from '../../gateway/upstream/viid/viid-client.js';
import { ViidFaces } from '../../gateway/upstream/viid/viid-faces.js';
import { ViidLink } from '../../gateway/upstream/viid/viid-link.js';
import { ViidQueue } from '../../gateway/upstream/viid/viid-queue.js';
import { SimViidPlatform } from '../../sim/viid-platform.js';
import { tmpDir } from '../../testkit/tmp.js';
import { waitFor, waitForEvent } from '../../testkit/wait.js';

const DEVICE = '31010400001320000001';

t.test('keepalive keeps the registration past its lifetime; an expired one is taken again', async (t) => {
  const platform = new SimViidPlatform({ devices: { [DEVICE]: 'pw' }, registrationTtlMs: 600 });
  await platform.start();
  t.teardown(() => platform.stop());
  const { dir, cleanup } = tmpDir('viid-');
  const store = new Store(path.join(dir, 'gateway.db'));
  store.open();
  t.teardown(() => {
    store.close();
    cleanup();
  });
  const link = new ViidLink({
    client: new ViidClient({
      url: platform.url,
      deviceId: DEVICE,
      username: DEVICE,
      password: () => 'pw',
      timeoutMs: 5000,
    }),
    queue: new ViidQueue(store),
    faces: new ViidFaces(dir, () => DEVICE),
    deviceId: DEVICE,
    keepaliveMs: 150,
    batch: 8,
    maxQueue: 100,
    resources: [],
    retry: { minMs: 50, maxMs: 200 },
    metrics: createMetrics(),
    log: silentLogger(),
    clock: systemClock,
  });
  const first = waitForEvent(platform, 'register');
  link.start();
  await first;
  await waitFor(
    () => platform.stats().keepalives >= 8,
    10_000,
    'eight keepalives (1.2 s, twice the lifetime)',
  );
  t.equal(platform.stats().registers, 1, 'kept alive: never registered again');
  t.ok(platform.registered(DEVICE));
  const again = waitForEvent(platform, 'register');
  platform.expire(DEVICE);
  await again;
  t.equal(platform.stats().registers, 2, 'a keepalive told 未注册 registers again');
  // The platform counts the registration before its answer reaches the gateway.
  await waitFor(() => link.status().state === 'registered', 5000, 'the link to take the answer');
  const gone = waitForEvent(platform, 'unregister');
  await link.stop();
  await gone;
  t.equal(link.status().state, 'stopped');
});

t.test('the wire: ids, times, replies; device ids checked field by field', async (t) => {
  const ts = Date.parse('2026-05-01T07:30:12+08:00');
  t.equal(viidTime(ts), '20260501073012', 'Beijing time, yyyyMMddHHmmss');
  const img = imageId(DEVICE, ts, 123456);
  t.equal(img.length, 41);
  t.equal(img, `${DEVICE}022026050107301223456`);
  t.equal(faceId(img, 7).length, 48);
  t.same(parseViidReply('{"ResponseStatusObject":{"StatusCode":"0","RequestURL":"/VIID/System/Register"}}'), [
    { requestUrl: '/VIID/System/Register', statusCode: 0, statusString: null, id: null },
  ]);
  t.equal(
    parseViidReply(
      '{"ResponseStatusListObject":{"ResponseStatusObject":[{"StatusCode":0},{"StatusCode":8}]}}',
    )?.[1]?.statusCode,
    8,
  );
  for (const junk of ['', 'null', '[]', '{}', '{"ResponseStatusObject":{"StatusCode":"x"}}', '<html>'])
    t.equal(parseViidReply(junk), null, `junk reply ${JSON.stringify(junk)} is no status`);
  t.match(parseViidDeviceId(DEVICE), {
    ok: true,
    id: { region: '31010400', industry: '00', type: '1320', sequence: '000001' },
  });
  t.match(parseViidDeviceId('3101040000132000001'), { ok: false, why: /20 digits/ });
  t.match(parseViidDeviceId('99010400001320000001'), { ok: false, why: /province/ });
  t.match(parseViidDeviceId('31010400001320000000'), { ok: false, why: /sequence/ });
});
