import { Cam } from 'onvif';
import t, { type Test } from 'tap';
import type { Snapshot } from '../../../core/contracts.js';
import { createOnvifDriver } from '../../../drivers/onvif/driver.js';
import { SimOnvifCamera } from '../../../sim/onvif/camera.js';
import { passwordDigest, usernameToken } from '../../../sim/onvif/soap.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { waitFor } from '../../../testkit/wait.js';

// Issue 13: the production ONVIF driver (npm onvif 0.8 for the SOAP, our Digest for the
// JPEG) against the simulated camera, which checks WS-Security against its own clock and
// Digest on the snapshot — and misbehaves the ways cameras in the field do.

const PASSWORD = 'cam-pass-1';
const REQ = { timeoutMs: 3000, maxBytes: 4 * 1024 * 1024 };

async function rig(t: Test, o: { options?: Record<string, unknown>; password?: string; skew?: number } = {}) {
  const cam = new SimOnvifCamera({ password: PASSWORD, clockSkewMs: o.skew ?? 0 });
  await cam.start();
  t.teardown(() => cam.stop());
  const { ctx, sink, logLines } = makeContext([
    { id: 'CAM1', door: 'D1', options: { url: cam.deviceUrl, ...o.options } },
  ]);
  ctx.secrets = {
    terminalLogin: () => undefined,
    readerPassword: () => undefined,
    cameraLogin: (id) =>
      id === 'CAM1' ? { username: 'admin', password: o.password ?? PASSWORD } : undefined,
  };
  const driver = createOnvifDriver(ctx);
  await driver.start();
  t.teardown(() => driver.stop());
  // The first probe (GetSystemDateAndTime) runs at start; counts below start after it.
  await waitFor(
    () => (cam.counts.calls.GetSystemDateAndTime ?? 0) >= 1 && sink.statuses.length >= 1,
    5000,
    'first probe',
  );
  return { cam, driver, sink, logLines };
}

const isJpeg = (s: Snapshot) => s.data[0] === 0xff && s.data[1] === 0xd8 && s.data.at(-1) === 0xd9;

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'resolved';
}

t.test(
  'snapshot: date and time, capabilities, profiles, snapshot URI, then the JPEG over Digest',
  async (t) => {
    const { cam, driver, sink, logLines } = await rig(t);
    const s = await driver.snapshot('CAM1', REQ);
    t.ok(isJpeg(s), 'a whole JPEG');
    t.equal(s.mime, 'image/jpeg');
    t.match(cam.counts.calls, {
      GetSystemDateAndTime: 2,
      GetCapabilities: 1,
      GetProfiles: 1,
      GetSnapshotUri: 1,
    });
    t.equal(cam.counts.digestChallenges, 1, 'one challenge, then the Digest answer');
    t.equal(cam.counts.refused, 0);
    await driver.snapshot('CAM1', REQ);
    t.equal(cam.counts.calls.GetSnapshotUri, 1, 'the session is kept: no SOAP for the second');
    t.equal(cam.counts.digestChallenges, 1, 'and the nonce serves again');
    t.equal(cam.counts.snapshots, 2);
    t.notOk(cam.counts.calls.CreatePullPointSubscription, 'no pull-point subscription is ever asked for');
    await waitFor(() => sink.online('CAM1') === true, 5000, 'online');
    t.match(driver.stats('CAM1'), { snapshots: 2, sessions: 1 });
    t.notOk(logLines.join('').includes(PASSWORD), 'the password is never logged');
  },
);

t.test('a camera whose clock is an hour off: the driver takes its time, the login works', async (t) => {
  for (const skew of [3600_000, -3 * 3600_000]) {
    const { cam, driver, sink } = await rig(t, { skew });
    t.ok(isJpeg(await driver.snapshot('CAM1', REQ)), `skew ${skew / 3600_000} h`);
    t.equal(cam.counts.refused, 0);
    const reported = sink.statuses.find((x) => x.ts !== undefined);
    t.ok(
      reported?.ts !== undefined && Math.abs(reported.ts - Date.now() - skew) < 3000,
      'the camera clock is reported with its status (the devices page shows the offset)',
    );
  }
});

t.test(
  'the simulated camera refuses a login made on the wrong clock (it checks what real ones do)',
  async (t) => {
    const cam = new SimOnvifCamera({ password: PASSWORD, clockSkewMs: 600_000 });
    await cam.start();
    t.teardown(() => cam.stop());
    const u = new URL(cam.deviceUrl);
    const naive = new Cam({
      hostname: u.hostname,
      port: Number(u.port),
      username: 'admin',
      password: PASSWORD,
      autoconnect: false,
    });
    const err = await new Promise<Error | null>((resolve) => naive.getCapabilities((e) => resolve(e)));
    t.match(err?.message, /Sender not authorized/);
    t.equal(cam.counts.refused, 1);
    // And the digest it checks is WS-Security's: SHA-1 of nonce, Created and password.
    const body =
      '<Username>admin</Username><Password>x</Password><Nonce>AAAA</Nonce><Created>2026-05-01T00:00:00Z</Created>';
    t.match(usernameToken(body), { username: 'admin', nonce: 'AAAA' });
    t.equal(passwordDigest('AAAA', '2026-05-01T00:00:00Z', 'p').length, 28);
  },
);

t.test(
  'a clock that jumps mid-session ("Unauthorized", 401): the driver reads it again and goes on',
  async (t) => {
    const { cam, driver } = await rig(t);
    cam.authFault = { text: 'Unauthorized', status: 401 };
    cam.onCall = (action) => {
      if (action === 'GetCapabilities' && cam.clockSkewMs === 0) cam.clockSkewMs = 10 * 60_000;
    };
    t.ok(isJpeg(await driver.snapshot('CAM1', REQ)));
    t.equal(cam.counts.refused, 1, 'refused once for the stale clock');
    t.equal(cam.counts.calls.GetSystemDateAndTime, 3, 'the probe, the session, and the clock read again');
  },
);

t.test('a wrong password: CAMERA_AUTH, and the camera is left alone for a while', async (t) => {
  const { cam, driver } = await rig(t, { password: 'wrong' });
  t.equal(await failure(driver.snapshot('CAM1', REQ)), 'CAMERA_AUTH');
  const calls = Object.values(cam.counts.calls).reduce((a, b) => a + b, 0);
  t.equal(await failure(driver.snapshot('CAM1', REQ)), 'CAMERA_AUTH');
  t.equal(
    Object.values(cam.counts.calls).reduce((a, b) => a + b, 0),
    calls,
    'no second login attempt (cameras lock accounts)',
  );
  t.equal(driver.stats('CAM1').failed_auth, 1, 'one refusal from the camera');
});

t.test('a camera that takes only HTTP Digest on SOAP', async (t) => {
  const { cam, driver } = await rig(t, { options: { wsSecurity: false } });
  cam.soapDigest = true;
  t.ok(isJpeg(await driver.snapshot('CAM1', REQ)));
});

t.test('timeouts: a hung web server, a slow snapshot; the camera goes offline', async (t) => {
  const { cam, driver, sink } = await rig(t);
  await waitFor(() => sink.online('CAM1') === true, 5000, 'online first');
  cam.hang = true;
  const t0 = Date.now();
  t.equal(await failure(driver.snapshot('CAM1', { ...REQ, timeoutMs: 400 })), 'CAMERA_TIMEOUT');
  t.ok(Date.now() - t0 < 1500, `gave up in ${Date.now() - t0} ms`);
  t.equal(sink.online('CAM1'), false, 'reported offline');
  cam.hang = false;
  cam.snapshotDelayMs = 2000;
  t.equal(await failure(driver.snapshot('CAM1', { ...REQ, timeoutMs: 500 })), 'CAMERA_TIMEOUT');
  cam.snapshotDelayMs = 0;
  t.ok(isJpeg(await driver.snapshot('CAM1', REQ)), 'and recovers');
  t.equal(sink.online('CAM1'), true, 'online again');
  t.ok((driver.stats('CAM1').failed_timeout ?? 0) >= 2, 'timeouts counted');
});

t.test('a camera that dies mid-snapshot, then comes back', async (t) => {
  const { cam, driver } = await rig(t);
  await driver.snapshot('CAM1', REQ);
  cam.dieMidSnapshot = true;
  t.equal(await failure(driver.snapshot('CAM1', REQ)), 'CAMERA_UNREACHABLE');
  cam.dieMidSnapshot = false;
  t.ok(isJpeg(await driver.snapshot('CAM1', REQ)), 'a whole image next time');
  t.equal(driver.stats('CAM1').sessions, 2, 'the session was built again');
  await cam.stop();
  t.equal(await failure(driver.snapshot('CAM1', REQ)), 'CAMERA_UNREACHABLE', 'powered off');
  await cam.start();
  t.ok(isJpeg(await driver.snapshot('CAM1', REQ)), 'powered on again');
});

t.test('what a camera must not do: point elsewhere, send too much, answer nonsense', async (t) => {
  const { cam, driver } = await rig(t);
  cam.snapshotHost = 'localhost';
  t.equal(
    await failure(driver.snapshot('CAM1', REQ)),
    'CAMERA_PROTOCOL',
    'a snapshot URI off the camera is not followed',
  );
  t.equal(cam.counts.digestChallenges, 0, 'not even asked: the login never left');
  cam.snapshotHost = null;
  t.equal(await failure(driver.snapshot('CAM1', { ...REQ, maxBytes: 1000 })), 'CAMERA_TOO_LARGE');
  const { cam: cam2, driver: d2 } = await rig(t);
  cam2.brokenProfiles = true;
  t.equal(
    await failure(d2.snapshot('CAM1', REQ)),
    'CAMERA_PROTOCOL',
    'the library choking on a reply is an error, not a crash',
  );
});

t.test('snapshots of one camera are taken one at a time', async (t) => {
  const { cam, driver } = await rig(t);
  cam.snapshotDelayMs = 50;
  const shots = await Promise.all([1, 2, 3].map(() => driver.snapshot('CAM1', REQ)));
  t.equal(shots.filter(isJpeg).length, 3);
  t.equal(cam.counts.maxConcurrent, 1);
});

t.test('check-config: a camera needs a URL', async (t) => {
  const check = createOnvifDriver.checkOptions;
  if (!check) throw new Error('the driver checks its options');
  t.same(check({ url: 'http://192.168.1.64/onvif/device_service', probeSeconds: 60 }), []);
  t.match(check({}), [{ field: 'url' }]);
  t.match(check({ url: 'rtsp://cam/stream', wsSecurity: 'no', snapshotUrl: 'x' }), [
    { field: 'url', message: /http/ },
    { field: 'snapshotUrl', message: /http/ },
    { field: 'wsSecurity', message: /true or false/ },
  ]);
});
