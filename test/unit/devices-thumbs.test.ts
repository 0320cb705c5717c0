import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { ManualClock } from '../../core/clock.js';
import { DeviceRegistry } from '../../gateway/devices.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { Thumbnailer, thumbPath } from '../../gateway/pipeline/thumbnails.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { testConfig } from '../../testkit/config.js';
import { tmpDir } from '../../testkit/tmp.js';

t.test('device_offline after the grace period, once per outage; state persisted', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.teardown(cleanup);
  const db = openDb(path.join(dir, 'g.db'));
  t.teardown(() => db.close());
  const clock = new ManualClock();
  const raised: string[] = [];
  const cfg = testConfig();
  const store = Store.of(db);
  const opts = { clock, graceMs: 120_000, log: silentLogger() };
  const d = new DeviceRegistry(store, cfg.readers, opts);
  d.load();
  const sweep = () => raised.push(...d.sweep().map((o) => o.readerId));
  d.status('T-B01', { online: true, ts: clock.now() - 60_000 }, clock.now());
  t.equal(d.offset('T-B01')?.value, 60_000, 'a live status teaches the reader clock offset');
  for (const r of ['T-GATE', 'T-GATE-OUT', 'T-B02']) d.seen(r, clock.now());
  clock.advance(60_000);
  d.status('T-B01', { online: false }, clock.now());
  clock.advance(100_000);
  sweep();
  t.same(raised, [], 'not before the grace period');
  clock.advance(30_000);
  sweep();
  sweep();
  t.same(raised, ['T-B01'], 'once');
  d.status('T-B01', { online: true }, clock.now());
  d.status('T-B01', { online: false }, clock.now());
  clock.advance(121_000);
  sweep();
  t.same(raised, ['T-B01', 'T-B01'], 'a new outage raises again');
  d.count('T-B01', 'rejected_not_json');
  d.stop();
  const row = db.prepare('SELECT online, clock_offset_ms, counters FROM devices WHERE id = ?').get('T-B01');
  t.same(row, { online: 0, clock_offset_ms: 60_000, counters: '{"rejected_not_json":1}' });
  const again = new DeviceRegistry(store, cfg.readers, opts);
  t.equal(again.offset('T-B01')?.value, 0, 'nothing is read before load()');
  again.load();
  t.equal(again.offset('T-B01')?.value, 60_000, 'the offset survives a restart');
  t.match(
    again.list().find((r) => r.id === 'T-B01'),
    { counters: { rejected_not_json: 1 } },
  );
});

t.test('a reader that never reports is offline after the grace period too', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.teardown(cleanup);
  const db = openDb(path.join(dir, 'g.db'));
  t.teardown(() => db.close());
  const clock = new ManualClock();
  const d = new DeviceRegistry(Store.of(db), testConfig().readers, {
    clock,
    graceMs: 120_000,
    log: silentLogger(),
  });
  d.seen('T-GATE', clock.now());
  clock.advance(121_000);
  t.same(
    d.sweep().sort((a, b) => a.readerId.localeCompare(b.readerId)),
    [
      { readerId: 'T-B01', doorId: 'B01-U1', since: clock.now() - 121_000 },
      { readerId: 'T-B02', doorId: 'B02-U1', since: clock.now() - 121_000 },
      { readerId: 'T-GATE-OUT', doorId: 'GATE', since: clock.now() - 121_000 },
    ],
  );
});

t.test('thumbnails: at most 320 px, re-encoded without metadata, deleted after retention', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.teardown(cleanup);
  const big = await sharp({ create: { width: 1280, height: 960, channels: 3, background: '#c0a080' } })
    .jpeg()
    .withMetadata({ exif: { IFD0: { Copyright: 'camera 7', Artist: 'gate' } } })
    .toBuffer();
  t.ok((await sharp(big).metadata()).exif, 'the input carries EXIF');
  const th = new Thumbnailer(
    dir,
    { maxPx: 320, format: 'webp', quality: 70, queue: 1 },
    silentLogger(),
    createMetrics(),
  );
  const now = Date.parse('2026-05-01T08:00:00+08:00');
  const rel = thumbPath('T1', 'rec-1', now, 'webp');
  t.equal(rel.startsWith('thumbs/2026-05-01/'), true);
  t.ok(th.enqueue(rel, big));
  t.ok(th.enqueue(thumbPath('T1', 'rec-2', now, 'webp'), Buffer.from('not an image')));
  t.notOk(
    th.enqueue(thumbPath('T1', 'rec-3', now, 'webp'), big),
    'past the queue bound new images are dropped',
  );
  await th.drain();
  const meta = await sharp(path.join(dir, rel)).metadata();
  t.match(meta, { format: 'webp', width: 320, height: 240 });
  t.notOk(meta.exif, 'no EXIF in the thumbnail');
  t.notOk(existsSync(path.join(dir, thumbPath('T1', 'rec-2', now, 'webp'))), 'a broken image makes no file');
  mkdirSync(path.join(dir, 'thumbs', '2026-03-01'), { recursive: true });
  writeFileSync(path.join(dir, 'thumbs', '2026-03-01', 'x.webp'), 'old');
  t.equal(await th.sweep(30, now), 1);
  t.notOk(existsSync(path.join(dir, 'thumbs', '2026-03-01')));
  t.ok(existsSync(path.join(dir, rel)), 'recent ones stay');
});
