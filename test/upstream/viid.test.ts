import t, { type Test } from 'tap';
import { type ReceivedFace, SimViidPlatform } from '../../sim/viid-platform.js';
import { startGateway } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { waitFor, waitForEvent } from '../../testkit/wait.js';

// GA/T 1400 to the simulated police platform (issue 14): Digest registration, faces of the
// reads the config selects, an expired registration, a platform restart, a platform that is
// down while the doors keep answering, UnRegister on stop, a wrong password refused.

const GATEWAY_ID = '31010400001320000001';
const READER_ID = '31010400001320000017';
const PASSWORD = 'viid-secret-1';
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHR0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AVN//2Q==',
  'base64',
);
const image = { mime: 'image/jpeg', data: JPEG.toString('base64') };
const stranger = () => ({ face: { personId: null, score: 0.3 }, image });
const resident = () => ({ face: { personId: 'F-R00001', score: 0.95, liveness: true }, image });

async function setup(t: Test, password = PASSWORD) {
  const good = password === PASSWORD;
  const platform = new SimViidPlatform({
    devices: { [GATEWAY_ID]: PASSWORD },
    communityResources: ['/VIID/Community/AccessRecords'],
  });
  await platform.start();
  t.teardown(() => platform.stop());
  // Listening before the gateway starts, so the registration is not missed.
  const registered = good ? waitForEvent(platform, 'register', () => true, 15_000, 'the registration') : null;
  const g = await startGateway(
    t,
    {
      viid: {
        enabled: true,
        url: platform.url,
        deviceId: GATEWAY_ID,
        readerDeviceIds: { 'T-B01': READER_ID },
        resources: ['/VIID/Community/AccessRecords'],
        retry: { minMs: 100, maxMs: 500 },
      },
    },
    undefined,
    {},
    { viid: { password } },
  );
  const reader = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01' });
  await reader.start();
  t.teardown(() => reader.stop());
  return { platform, g, reader, registered };
}

const nextFace = (p: SimViidPlatform) =>
  waitForEvent<[ReceivedFace]>(p, 'face', () => true, 15_000, 'a face at the platform');

t.test(
  'register with Digest, then only the selected faces go up, as FaceListObjects with JPEGs',
  async (t) => {
    const { platform, g, reader, registered } = await setup(t);
    await registered;
    const s = platform.stats();
    t.ok(s.challenges >= 1, 'the first POST got 401 and a challenge');
    t.equal(s.registers, 1, 'then registered');
    await waitFor(() => g.gw.viid?.status().state === 'registered', 5000, 'the link to say registered');

    t.ok(await reader.roundTrip(5000, resident()), 'a resident is answered');
    const face = nextFace(platform);
    t.ok(await reader.roundTrip(5000, stranger()), 'a stranger is answered');
    const [f] = await face;
    t.equal(f.faceId.length, 48, 'a 48-character FaceID');
    t.equal(f.deviceId, READER_ID, "the reader's own device id");
    t.same([f.jpeg[0], f.jpeg[1]], [0xff, 0xd8], 'a JPEG');
    t.match(f.shotTime, /^20\d{12}$/, 'ShotTime yyyyMMddHHmmss');
    t.equal(
      platform.faces.length,
      1,
      "the resident's face stayed on the box (default: strangers and alerts)",
    );
    await waitFor(() => platform.community.length === 1, 5000, 'the community record');
    await waitFor(() => g.gw.viid?.status().queue === 0, 5000, 'the queue to empty');
    t.equal(g.gw.viid?.status().uploaded, 1);
    // The details of /healthz need a token (issue 9: a stranger gets the status only).
    const health = (await (await g.api('/healthz')).json()) as { viid: { state: string } };
    t.equal(health.viid.state, 'registered', '/healthz shows the link');
  },
);

t.test('an expired registration and a platform restart: registered again, nothing lost', async (t) => {
  const { platform, reader, registered } = await setup(t);
  await registered;
  platform.expire(GATEWAY_ID);
  let face = nextFace(platform);
  t.ok(await reader.roundTrip(5000, stranger()));
  await face;
  t.equal(platform.stats().registers, 2, 'the upload was told 未注册 and the gateway registered again');
  t.ok(platform.stats().unregisteredCalls >= 1);

  await platform.restart();
  face = nextFace(platform);
  t.ok(await reader.roundTrip(5000, stranger()));
  await face;
  t.equal(platform.stats().registers, 3, 'the restart forgot the registration: registered again');
  t.equal(platform.faces.length, 2, 'the face sent after the restart arrived');
});

t.test('the platform down: doors answer at once, the faces wait and go up when it is back', async (t) => {
  const { platform, g, reader, registered } = await setup(t);
  await registered;
  await platform.stop();
  const t0 = performance.now();
  t.ok(await reader.roundTrip(5000, stranger()), 'answered while the police link is down');
  t.ok(await reader.roundTrip(5000, stranger()));
  t.ok(performance.now() - t0 < 3000, 'without waiting for the platform');
  await waitFor(() => g.gw.viid?.status().queue === 2, 5000, 'two faces queued');
  const both = waitForEvent(platform, 'face', () => platform.faces.length === 2, 20_000, 'both faces');
  await platform.start();
  await both;
  t.equal(platform.faces.length, 2);
});

t.test('stop unregisters; a wrong password is refused and retried, never registered', async (t) => {
  const { platform, g, registered } = await setup(t);
  await registered;
  const gone = waitForEvent(platform, 'unregister', () => true, 10_000, 'the UnRegister');
  await g.gw.stop();
  await gone;
  t.notOk(platform.registered(GATEWAY_ID));

  const wrong = await setup(t, 'not-the-password');
  await waitFor(
    () => wrong.platform.stats().badDigest >= 2,
    10_000,
    'refused twice (a fresh challenge, then backoff)',
  );
  t.equal(wrong.platform.stats().registers, 0);
  // Between its retries the link is down; during one it is registering again: never registered.
  t.match(wrong.g.gw.viid?.status().state, /^(down|registering)$/, 'not registered');
  t.ok(await wrong.reader.roundTrip(5000), 'the doors do not care');
});
