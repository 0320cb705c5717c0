import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import type { GatewayError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  EVIDENCE_ID,
  EvidenceFiles,
  evidencePath,
  UNATTACHED_TTL_MS,
} from '../../gateway/ledger/evidence-files.js';
import { checkPdf, encodePhoto, sniff } from '../../gateway/ledger/evidence-image.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { EVIDENCE_ID_PATTERN } from '../../gateway/web/schemas-workflow.js';
import { hugePng, readGps, simplePdf, withGps } from '../../testkit/photos.js';
import { tmpDir } from '../../testkit/tmp.js';

/**
 * Uploaded evidence (issue 16): judged by its bytes, photos re-encoded without EXIF (GPS
 * included) at a capped size with a thumbnail, PDFs checked, files named by their id only,
 * attached once, removed after their retention.
 */

const OPTS = { maxPx: 2048, thumbPx: 320, quality: 82, concurrent: 2 };
const T0 = Date.parse('2026-05-10T10:00:00+08:00');
/** Where the fixture photo says it was taken: a flat in Pudong. */
const HOME = { lat: 31.2304, lon: 121.4737 };

const photo = (w: number, h: number) =>
  sharp({
    create: {
      width: w,
      height: h,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 80 })
    .toBuffer();

t.test('sniffing by content: JPEG, PNG, PDF; anything else is nothing', async (t) => {
  t.equal(sniff(await photo(20, 20)), 'jpeg');
  t.equal(
    sniff(
      await sharp(await photo(20, 20))
        .png()
        .toBuffer(),
    ),
    'png',
  );
  t.equal(sniff(simplePdf()), 'pdf');
  for (const other of ['GIF89a......', '<svg xmlns="http://www.w3.org/2000/svg"/>', '', 'RIFF....WEBPVP8 '])
    t.equal(sniff(Buffer.from(other)), null, JSON.stringify(other));
  t.equal(EVIDENCE_ID.source, EVIDENCE_ID_PATTERN, 'the API schema takes the ids the store makes');
  t.match(newId('ev', T0), EVIDENCE_ID);
});

t.test('a phone photo: EXIF with the GPS position gone, capped, upright, with a thumbnail', async (t) => {
  const original = withGps(await photo(4000, 3000), HOME, 'Room 502 of the tenant');
  const gps = readGps(original);
  t.ok(
    gps && Math.abs(gps.lat - HOME.lat) < 1e-3 && Math.abs(gps.lon - HOME.lon) < 1e-3,
    'the fixture has the GPS position',
  );
  t.ok((await sharp(original).metadata()).exif, 'and sharp sees its EXIF');
  const out = await encodePhoto(original, 'jpeg', OPTS);
  t.equal(out.ext, 'jpg');
  t.same([out.width, out.height], [2048, 1536], 'the longest side capped');
  for (const [name, buf] of [
    ['full', out.full],
    ['thumb', out.thumb],
  ] as const) {
    const m = await sharp(buf).metadata();
    t.notOk(m.exif || m.xmp || m.iptc || m.icc, `${name}: no metadata block`);
    t.equal(readGps(buf), null, `${name}: no GPS position`);
    t.notOk(buf.includes(Buffer.from('Exif\0\0', 'latin1')), `${name}: no EXIF segment at all`);
    t.notOk(buf.includes(Buffer.from('Room 502')), `${name}: the description is gone`);
  }
  t.ok(Math.max((await sharp(out.thumb).metadata()).width ?? 0) <= 320, 'the thumbnail is small');
  const small = await encodePhoto(await photo(300, 200), 'jpeg', OPTS);
  t.same([small.width, small.height], [300, 200], 'never enlarged');
});

t.test('a screenshot stays PNG; a lie or a bomb is refused', async (t) => {
  const shot = await sharp(await photo(1200, 2400))
    .png()
    .toBuffer();
  const out = await encodePhoto(shot, 'png', OPTS);
  t.equal(out.ext, 'png');
  t.equal((await sharp(out.full).metadata()).format, 'png');
  t.same([out.width, out.height], [1024, 2048]);
  t.equal((await sharp(out.thumb).metadata()).format, 'jpeg', 'thumbnails are JPEG');
  const truncated = (await photo(200, 200)).subarray(0, 300);
  await t.rejects(encodePhoto(truncated, 'jpeg', OPTS), { code: 'BAD_IMAGE' }, 'a cut-off JPEG');
  const pngInside = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), shot]);
  await t.rejects(encodePhoto(pngInside, 'jpeg', OPTS), { code: 'BAD_IMAGE' }, 'JPEG magic, not a JPEG');
  await t.rejects(encodePhoto(hugePng(20000, 20000), 'png', OPTS), {
    code: 'BAD_IMAGE',
    message: /pixel limit/,
  });
});

t.test('PDF documents: header, end marker, no active content', async (t) => {
  t.doesNotThrow(() => checkPdf(simplePdf()));
  const problem = (b: Buffer) => {
    try {
      checkPdf(b);
      return null;
    } catch (err) {
      return (err as GatewayError).message;
    }
  };
  t.match(
    problem(simplePdf('/OpenAction << /S /JavaScript /JS (app.alert(1)) >>')),
    /active content \(\/JavaScript\)/,
  );
  t.match(problem(simplePdf('/AA << /O << /S /Launch /F (cmd.exe) >> >>')), /Launch/);
  t.match(problem(simplePdf().subarray(0, 60)), /cut short/);
  t.match(problem(Buffer.from('%PDF-x')), /not a PDF/);
});

t.test('the store: files named by id, attached once by their uploader, swept by retention', async (t) => {
  const { dir, cleanup } = tmpDir('ev-');
  t.teardown(cleanup);
  const db = openDb(':memory:');
  t.teardown(() => db.close());
  const metrics = createMetrics();
  const files = new EvidenceFiles(Store.of(db), dir, OPTS, silentLogger(), metrics.registry);
  const a = await files.ingest(withGps(await photo(800, 600), HOME), 'li', T0);
  t.match(a, { kind: 'photo', ext: 'jpg', width: 800, height: 600, createdBy: 'li', ownerKind: null });
  const stored = readFileSync(path.join(dir, 'evidence', `${a.id}.jpg`));
  t.equal(readGps(stored), null, 'the stored photo has no position');
  t.ok(existsSync(path.join(dir, 'evidence', `${a.id}.thumb.jpg`)), 'and a thumbnail beside it');
  const doc = await files.ingest(simplePdf(), 'li', T0);
  t.match(doc, { kind: 'document', ext: 'pdf', width: null });
  await t.rejects(files.ingest(Buffer.from('GIF89a'), 'li', T0), { code: 'BAD_TYPE' });
  t.match(
    await metrics.registry.getSingleMetricAsString('estate_gateway_evidence_uploads_total'),
    /result="refused"} 1/,
  );

  for (const bad of ['../secrets.yaml', 'ev-../../etc/passwd', `${a.id}/..`, 'thumbs/2026-05-01/x.jpg', ''])
    t.throws(() => evidencePath(dir, bad, 'jpg'), { code: 'BAD_REFERENCE' }, `refused: ${bad}`);
  t.throws(() => evidencePath(dir, a.id, '../../x'), { code: 'BAD_REFERENCE' });
  t.equal(files.get('../secrets.yaml'), undefined);

  const attach = (ids: string[], actor = 'li', kinds: Array<'photo' | 'document'> = ['photo']) => {
    try {
      db.transaction(() =>
        files.attach(ids, { kind: 'patrol', id: 'pt-1', caseId: null }, actor, kinds, T0),
      )();
      return null;
    } catch (err) {
      return (err as GatewayError).message;
    }
  };
  t.match(attach([doc.id]), /is a document, not a photo/);
  t.match(attach([a.id], 'wang'), /another account/);
  t.match(attach(['ev-0000000000aaaaaaaaaa']), /no uploaded file/);
  t.equal(attach([a.id]), null);
  t.match(attach([a.id]), /already evidence of patrol pt-1/);
  t.same(
    files.of('patrol', 'pt-1').map((f) => f.id),
    [a.id],
  );

  // Retention: an upload never attached goes after a day; the patrol's photo (no case) after
  // evidenceDays; a photo of an open case stays.
  const c = await files.ingest(await photo(100, 100), 'li', T0);
  db.prepare(
    "INSERT INTO cases(id, kind, source, state, summary, evidence, detected_ts, last_ts, created_at, updated_at) VALUES ('cs-1', 'other', 'patrol', 'open', 's', '{}', ?, ?, ?, ?)",
  ).run(T0, T0, T0, T0);
  db.transaction(() =>
    files.attach([c.id], { kind: 'visit', id: 'cv-1', caseId: 'cs-1' }, 'li', ['photo'], T0),
  )();
  t.equal(await files.sweep(180, T0 + UNATTACHED_TTL_MS - 1), 0, 'nothing is due yet');
  t.equal(await files.sweep(180, T0 + UNATTACHED_TTL_MS + 1), 1, 'the unattached document goes after a day');
  t.notOk(existsSync(path.join(dir, 'evidence', `${doc.id}.pdf`)));
  t.equal(await files.sweep(180, T0 + 181 * 86_400_000), 1, 'the patrol photo after 180 days');
  t.ok(files.get(c.id), 'the open case keeps its photo');
  db.prepare("UPDATE cases SET state = 'closed', updated_at = ? WHERE id = 'cs-1'").run(
    T0 + 200 * 86_400_000,
  );
  t.equal(await files.sweep(180, T0 + 300 * 86_400_000), 0, 'closed 100 days ago: kept');
  t.equal(await files.sweep(180, T0 + 381 * 86_400_000), 1, 'closed 181 days ago: removed');
  t.notOk(existsSync(path.join(dir, 'evidence', `${c.id}.thumb.jpg`)));
});

t.test('upload slots: taken synchronously, never more than configured, released once', async (t) => {
  const db = openDb(':memory:');
  t.teardown(() => db.close());
  const files = new EvidenceFiles(
    Store.of(db),
    '/nonexistent',
    OPTS,
    silentLogger(),
    createMetrics().registry,
  );
  const a = files.reserve();
  const b = files.reserve();
  t.ok(a && b);
  t.equal(files.reserve(), null, 'the third is refused');
  a?.();
  a?.();
  const c = files.reserve();
  t.ok(c, 'one freed');
  t.equal(files.reserve(), null, 'releasing twice frees one slot, not two');
});
