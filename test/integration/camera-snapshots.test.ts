import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import type { CredentialRead } from '../../core/contracts.js';
import { SimOnvifCamera } from '../../sim/onvif/camera.js';
import { startGateway } from '../../testkit/gateway.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 13: a camera at a card door. Every live read there gets the camera's snapshot as its
// thumbnail — after the door has been answered, through the sharp path (re-encoded, metadata
// gone, size-capped) — and a camera that is slow, hung or dead costs a counter and a log
// line with its id, never a late door. A door alarm carries the camera's snapshot too.

const PASSWORD = 'cam-secret-9';

/** A camera JPEG with EXIF a camera would write (make, model, where): none of it may survive. */
async function jpegWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 1280, height: 720, channels: 3, background: '#7a8a9a' } })
    .withExif({ IFD0: { Make: 'SimCam', Model: 'IPC-9000', Copyright: 'estate' } })
    .jpeg()
    .toBuffer();
}

let n = 0;
const cardRead = (over: Partial<CredentialRead> = {}): CredentialRead => ({
  readerId: 'T-B01',
  recordId: `card-${++n}`,
  ts: Date.now() - 50,
  receivedAt: Date.now(),
  credential: { type: 'card', uid: '04A1B2C3' },
  offline: false,
  ...over,
});

async function rig(t: Test) {
  const image = await jpegWithExif();
  const cam = new SimOnvifCamera({ password: PASSWORD, image: async () => image });
  await cam.start();
  t.teardown(() => cam.stop());
  const tg = await startGateway(
    t,
    {
      doors: [
        { id: 'GATE', name: '大门' },
        {
          id: 'B01-U1',
          name: '1号楼1单元',
          building: 'B01',
          entrance: 'B01-U1',
          camera: 'CAM-B01',
          contact: true,
          contactDebounceMs: 0,
        },
        { id: 'B02-U1', name: '2号楼1单元', building: 'B02', entrance: 'B02-U1' },
      ],
      readers: [
        { id: 'T-GATE', door: 'GATE' },
        { id: 'T-B01', door: 'B01-U1' },
        { id: 'T-B02', door: 'B02-U1' },
        { id: 'CAM-B01', door: 'B01-U1', driver: 'onvif', options: { url: cam.deviceUrl } },
      ],
      cameras: { snapshotTimeoutMs: 2500 },
    },
    undefined,
    {},
    { cameras: { 'CAM-B01': { username: 'admin', password: PASSWORD } } },
  );
  const capture = (recordId: string) =>
    tg.gw.db
      .prepare('SELECT outcome, thumb, detail, camera_id AS camera FROM camera_captures WHERE record_id = ?')
      .get(recordId) as
      | { outcome: string; thumb: string | null; detail: string | null; camera: string }
      | undefined;
  const thumbOf = (recordId: string) =>
    tg.gw.db.prepare('SELECT thumb FROM journal WHERE record_id = ?').pluck().get(recordId) as string | null;
  return { tg, cam, capture, thumbOf };
}

t.test(
  "a card read's thumbnail is the camera's snapshot, stripped and capped; the door did not wait",
  async (t) => {
    const { tg, cam, capture, thumbOf } = await rig(t);
    cam.snapshotDelayMs = 600; // a slow camera
    const read = cardRead();
    const t0 = Date.now();
    await tg.gw.pipeline.submit(read);
    const answered = Date.now() - t0;
    t.ok(answered < 500, `recorded and answered in ${answered} ms, the camera takes 600`);
    const thumb = thumbOf(read.recordId);
    t.match(thumb, /^thumbs\/\d{4}-\d\d-\d\d\/[0-9a-f]{20}\.webp$/);
    await waitFor(() => capture(read.recordId)?.outcome === 'ok', 10_000, 'the capture');
    const file = path.join(tg.dir, thumb ?? '');
    await waitFor(() => existsSync(file), 5000, 'the thumbnail file');
    const meta = await sharp(file).metadata();
    t.equal(meta.format, 'webp');
    t.ok(Math.max(meta.width ?? 0, meta.height ?? 0) <= 320, `${meta.width}×${meta.height}`);
    t.equal(meta.exif, undefined, "the camera's EXIF is gone");
    const res = await tg.api(`/api/${thumb}`);
    t.equal(res.status, 200);
    t.equal(res.headers.get('content-type'), 'image/webp');
    // Read the body: the file served is the one written (and an unread body would keep the
    // connection busy, so the HTTP server could not close at teardown).
    const served = Buffer.from(await res.arrayBuffer());
    t.equal((await sharp(served).metadata()).format, 'webp', 'the dashboard is served the webp');
    const counted = (await tg.gw.metrics.cameraSnapshots.get()).values.find((v) => v.labels.result === 'ok');
    t.equal(counted?.value, 1);
  },
);

t.test(
  'a hung, then a dead camera: answered at once, counted, logged with the camera id, offline',
  async (t) => {
    const { tg, cam, capture } = await rig(t);
    cam.hang = true;
    const hung = cardRead();
    const t0 = Date.now();
    await tg.gw.pipeline.submit(hung);
    t.ok(Date.now() - t0 < 500, 'answered at once');
    await waitFor(() => capture(hung.recordId) !== undefined, 10_000, 'the capture given up');
    t.match(capture(hung.recordId), { outcome: 'timeout', thumb: null, detail: 'CAMERA_TIMEOUT' });
    cam.hang = false;
    await cam.stop();
    const dead = cardRead();
    await tg.gw.pipeline.submit(dead);
    await waitFor(() => capture(dead.recordId) !== undefined, 10_000, 'the capture failed');
    t.match(capture(dead.recordId), { outcome: 'failed', detail: 'CAMERA_UNREACHABLE' });
    t.ok(
      tg.logs.some((l) => l.msg === 'camera snapshot not taken' && l.camera === 'CAM-B01'),
      'a log line with the camera id',
    );
    await waitFor(
      () => tg.gw.devices.list().find((d) => d.id === 'CAM-B01')?.online === false,
      5000,
      'the camera offline on the devices page',
    );
    const results = (await tg.gw.metrics.cameraSnapshots.get()).values.map((v) => v.labels.result).sort();
    t.same(results, ['camera_unreachable', 'timeout']);
  },
);

t.test('no snapshot for a replayed read; an alarm at the door carries one', async (t) => {
  const { tg, capture, thumbOf } = await rig(t);
  const replay = cardRead({ offline: true, ts: Date.now() - 3600_000 });
  await tg.gw.pipeline.submit(replay);
  t.equal(thumbOf(replay.recordId), null, 'a replay is history: the camera did not see it');
  t.equal(capture(replay.recordId), undefined);
  const now = Date.now();
  tg.gw.pipeline.door({ readerId: 'T-B01', kind: 'contact_closed', ts: now, receivedAt: now });
  tg.gw.pipeline.door({ readerId: 'T-B01', kind: 'contact_open', ts: now + 5, receivedAt: now + 5 });
  await waitFor(
    () => tg.gw.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'door_forced'").pluck().get() === 1,
    5000,
    'the forced alarm',
  );
  const ev = JSON.parse(
    tg.gw.db.prepare("SELECT evidence FROM alerts WHERE kind = 'door_forced'").pluck().get() as string,
  ) as { chain: { thumbs: string[] } };
  const thumb = ev.chain.thumbs[0] ?? '';
  t.match(thumb, /^thumbs\//);
  await waitFor(() => existsSync(path.join(tg.dir, thumb)), 10_000, 'the alarm snapshot written');
  const api = (await (await tg.api(`/api/alerts?kind=door_forced`)).json()) as {
    items: Array<{ details?: unknown }>;
  };
  t.match(api.items[0]?.details, { doorId: 'B01-U1', thumbs: [thumb] });
});
