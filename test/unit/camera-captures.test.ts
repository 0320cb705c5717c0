import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import t, { type Test } from 'tap';
import { systemClock } from '../../core/clock.js';
import type { Snapshot } from '../../core/contracts.js';
import { CameraCaptures } from '../../gateway/cameras/captures.js';
import { HttpEmbeddingService } from '../../gateway/cameras/embedding.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { Thumbnailer } from '../../gateway/pipeline/thumbnails.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { testConfig } from '../../testkit/config.js';
import { tmpDir } from '../../testkit/tmp.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 13: the capture seam — the embedding service makes a camera capture matchable (the
// vector is kept with the capture, on the box), a failing service costs the evidence
// nothing, and a camera with too many snapshots waiting drops the next one, counted.

function unitVector(n = 128): string {
  const b = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) b.writeFloatLE(1 / Math.sqrt(n), i * 4);
  return b.toString('base64');
}

async function embeddingServer(t: Test, answer: () => string) {
  const seen: number[] = [];
  const server = http.createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
    });
    req.on('end', () => {
      seen.push(n);
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/embed`, seen };
}

async function rig(t: Test, snapshot: () => Promise<Snapshot>, embedUrl: string | null) {
  const { dir, cleanup } = tmpDir();
  const db = openDb(path.join(dir, 'g.db'));
  t.teardown(() => {
    db.close();
    cleanup();
  });
  const config = testConfig({
    doors: [
      { id: 'GATE', name: '大门', camera: 'CAM' },
      { id: 'B01-U1', name: '1号楼1单元', building: 'B01' },
      { id: 'B02-U1', name: '2号楼1单元', building: 'B02' },
    ],
    readers: [
      { id: 'T-GATE', door: 'GATE' },
      {
        id: 'CAM',
        door: 'GATE',
        driver: 'onvif',
        options: { url: 'http://127.0.0.1:1/onvif/device_service' },
      },
    ],
    cameras: { maxPending: 2 },
  });
  const metrics = createMetrics();
  const log = silentLogger();
  const captures = new CameraCaptures({
    config,
    store: Store.of(db),
    cameras: { snapshot },
    thumbnails: new Thumbnailer(dir, config.thumbnails, log, metrics),
    embedding: embedUrl ? new HttpEmbeddingService(embedUrl, 2000) : null,
    metrics,
    clock: systemClock,
    log,
  });
  const rows = () =>
    db
      .prepare('SELECT outcome, length(embedding) AS bytes, detail FROM camera_captures ORDER BY id')
      .all() as Array<{
      outcome: string;
      bytes: number | null;
      detail: string | null;
    }>;
  return { captures, rows, metrics };
}

const jpeg = () =>
  sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
    .jpeg()
    .toBuffer();

t.test(
  'with an embedding service the capture keeps its vector; a failing service keeps the capture',
  async (t) => {
    let answer = () => JSON.stringify({ embedding: unitVector() });
    const svc = await embeddingServer(t, () => answer());
    const image = await jpeg();
    const { captures, rows, metrics } = await rig(
      t,
      async () => ({ mime: 'image/jpeg', data: image, takenAt: Date.now() }),
      svc.url,
    );
    t.match(captures.alarm('GATE', 'door_forced', Date.now()), /^thumbs\//);
    await waitFor(() => rows().length === 1, 5000, 'the first capture');
    t.same(rows()[0], { outcome: 'ok', bytes: 512, detail: null });
    t.same(svc.seen, [image.length], 'the JPEG went to the service on this box');
    answer = () => '{"embedding":"not base64!"}';
    captures.alarm('GATE', 'door_forced', Date.now() + 1);
    await waitFor(() => rows().length === 2, 5000, 'the second capture');
    t.same(rows()[1], { outcome: 'ok', bytes: null, detail: null });
    const results = (await metrics.cameraEmbeddings.get()).values
      .map((v) => [v.labels.result, v.value])
      .sort();
    t.same(results, [
      ['failed', 1],
      ['ok', 1],
    ]);
    t.equal(captures.alarm('B01-U1', 'door_forced', Date.now()), null, 'no camera at that door');
  },
);

t.test('a camera with too many snapshots waiting: the next is dropped and counted', async (t) => {
  const waiting: Array<(s: Snapshot) => void> = [];
  const image = await jpeg();
  const { captures, rows, metrics } = await rig(
    t,
    () => new Promise<Snapshot>((resolve) => waiting.push(resolve)),
    null,
  );
  for (let i = 0; i < 3; i++) captures.alarm('GATE', 'door_forced', Date.now() + i);
  t.same(rows(), [{ outcome: 'dropped', bytes: null, detail: 'too many snapshots waiting for this camera' }]);
  for (const w of waiting) w({ mime: 'image/jpeg', data: image, takenAt: Date.now() });
  await waitFor(() => rows().length === 3, 5000, 'the two that waited');
  const results = (await metrics.cameraSnapshots.get()).values.map((v) => [v.labels.result, v.value]).sort();
  t.same(results, [
    ['dropped', 1],
    ['ok', 2],
  ]);
  t.equal(captures.sweep(30, Date.now() + 31 * 86_400_000), 3, 'retention forgets them with the thumbnails');
});

t.test('the embedding client reads a bounded answer: too much, a bad status, no face', async (t) => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
  // A service that answers without end (a wrong URL pointing at a stream): cut off, not buffered.
  let sent = 0;
  const streaming = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const more = () => {
      for (;;) {
        if (sent >= 64 * 1024 * 1024) return void res.end();
        sent += chunk.length;
        if (!res.write(chunk)) break;
      }
      if (!res.destroyed) res.once('drain', more);
    };
    res.on('close', () => res.removeAllListeners('drain'));
    more();
  });
  await new Promise<void>((r) => streaming.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    streaming.closeAllConnections();
    return new Promise<void>((r) => streaming.close(() => r()));
  });
  const url = `http://127.0.0.1:${(streaming.address() as AddressInfo).port}/embed`;
  await t.rejects(new HttpEmbeddingService(url, 5000).embed(jpeg), /answer too large/);
  t.ok(sent < 8 * 1024 * 1024, `the stream was cut off after ${Math.round(sent / 1024)} KiB`);

  const declared = await embeddingServer(t, () => ' '.repeat(70 * 1024));
  await t.rejects(new HttpEmbeddingService(declared.url, 2000).embed(jpeg), /answer too large/);

  const failing = http.createServer((_req, res) => res.writeHead(503).end('busy'));
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => failing.close(() => r())));
  const failUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/embed`;
  await t.rejects(new HttpEmbeddingService(failUrl, 2000).embed(jpeg), /HTTP 503/);

  const noFace = await embeddingServer(t, () => '{"embedding":null}');
  t.equal(await new HttpEmbeddingService(noFace.url, 2000).embed(jpeg), null, 'no face: null');
  const face = await embeddingServer(t, () => JSON.stringify({ embedding: unitVector() }));
  const v = await new HttpEmbeddingService(face.url, 2000).embed(jpeg);
  t.equal(v?.length, 128, 'a face: its vector');
});
