import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { photoPathProblem, readFacePhotos } from '../../gateway/roster/face-photo-refs.js';
import { importRoster } from '../../gateway/roster/face-photo-stage.js';
import { MIN_PHOTO_SIDE, normalisePhoto, OUT_MAX_BYTES } from '../../gateway/roster/face-photos.js';
import { parseRoster } from '../../gateway/roster/import.js';
import { openDb } from '../../gateway/store/db.js';
import { testJpeg } from '../../testkit/photos.js';
import { tmpDir } from '../../testkit/tmp.js';

// Issue 11: the roster carries a JPEG per face credential (JSON base64, CSV a file path),
// checked (decodable, size, face-sized), normalised (upright, no metadata, bounded), stored
// on the box only; a bad photo refuses the import with line, field and reason.

const KEY = 'cd'.repeat(32);

function roster(r1Credentials: string): string {
  return JSON.stringify({
    version: 'p-1',
    households: [
      {
        id: 'H1',
        building: 'B01',
        room: '0101',
        housingType: 'gongzu',
        residents: [
          { id: 'R1', role: 'leaseholder', name: '张伟', credentials: JSON.parse(r1Credentials) },
          { id: 'R2', role: 'co_resident', name: '李娜', credentials: { face: ['F-R2'] } },
        ],
      },
    ],
  });
}

function csv(cell: string): string {
  return [
    'household_id,building,room,housing_type,resident_id,role,name,face_ids,face_photos',
    `H1,B01,0101,gongzu,R1,leaseholder,张伟,F-R1,${cell}`,
    'H1,B01,0101,gongzu,R2,co_resident,李娜,F-R2,',
  ].join('\n');
}

t.test('normalisePhoto: upright, no metadata, bounded; bad photos said in words', async (t) => {
  const turned = await normalisePhoto(await testJpeg(400, 300, { orientation: 6 }));
  if (typeof turned === 'string') throw new Error(turned);
  t.same([turned.width, turned.height], [300, 400], 'EXIF orientation 6 applied: portrait');
  const meta = await sharp(turned.jpeg).metadata();
  t.equal(meta.exif, undefined, 'no EXIF left');
  t.equal(meta.orientation, undefined, 'no orientation tag left');
  t.match(turned.digest, /^[0-9a-f]{64}$/);

  const big = await normalisePhoto(await testJpeg(2400, 3200, { quality: 60 }));
  if (typeof big === 'string') throw new Error(big);
  t.ok(big.width <= 720 && big.height <= 960, `resized to ${big.width}×${big.height}`);
  t.ok(big.jpeg.length <= OUT_MAX_BYTES, `${big.jpeg.length} bytes`);

  const small = await testJpeg(80, 60);
  const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#888' } })
    .png()
    .toBuffer();
  const good = await testJpeg(300, 400);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /is empty/],
    ['a PNG', png, /is not a JPEG/],
    ['too small', small, new RegExp(`80×60 px; .*${MIN_PHOTO_SIDE} px`)],
    ['a banner', await testJpeg(1200, 200), /portrait or nearly square/],
    ['truncated', good.subarray(0, Math.floor(good.length / 3)), /cannot be decoded/],
    ['too large', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5 * 1024 * 1024)]), /at most/],
  ];
  for (const [what, bytes, reason] of cases) {
    const r = await normalisePhoto(bytes);
    t.match(r, reason, what);
  }
});

t.test('photo references: JSON base64 and CSV paths, syntax checked at parse', async (t) => {
  const photo = (await testJpeg(300, 400)).toString('base64');
  const j = parseRoster(
    roster(`{"face":["F-R1"],"facePhotos":{"F-R1":"${photo}","F-X9":"${photo}"}}`),
    'json',
    KEY,
  );
  t.same(j.errors, []);
  t.same(
    j.snapshot?.facePhotos?.map((p) => [p.key, p.residentId, p.data?.length]),
    [
      ['F-R1', 'R1', Buffer.from(photo, 'base64').length],
      ['F-X9', 'R1', Buffer.from(photo, 'base64').length],
    ],
  );
  t.ok(
    j.snapshot?.credentials.some((c) => c.kind === 'face' && c.key === 'F-X9' && c.residentId === 'R1'),
    'a photo’s face id is a face credential even when face_ids does not list it',
  );

  const c = parseRoster(csv('F-R1:photos/r1.jpg'), 'csv', KEY);
  t.same(c.errors, []);
  t.same(
    c.snapshot?.facePhotos?.map((p) => [p.key, p.file, p.line]),
    [['F-R1', 'photos/r1.jpg', 2]],
  );

  for (const [cell, reason] of [
    ['F-R1:../secrets.yaml', /inside the roster file/],
    ['F-R1:/etc/passwd', /relative/],
    ['F-R1:C:\\x.jpg', /relative/],
    ['F-R1:photos/../../x.jpg', /inside the roster file/],
    ['F-R1:', /names no file/],
    ['photos/r1.jpg', /face_id:relative/],
    ['F-R1:a.jpg;F-R1:b.jpg', /two photos/],
  ] as const) {
    const r = parseRoster(csv(cell), 'csv', KEY);
    t.equal(r.snapshot, null, `${cell}: refused`);
    t.match(r.errors, [{ line: 2, field: 'face_photos', reason }], cell);
  }
  const notB64 = parseRoster(roster('{"facePhotos":{"F-R1":"not*base64"}}'), 'json', KEY);
  t.match(notB64.errors, [{ field: 'credentials.facePhotos.F-R1', reason: /not base64/ }]);
  t.ok((notB64.errors[0]?.line ?? 0) > 0, 'the JSON line is located');
  t.match(readFacePhotos(['x'], 'json').problems, [{ reason: /must be an object/ }]);
  t.equal(photoPathProblem('photos/a.jpg'), null);
});

t.test(
  'import: photos staged one at a time, stored, kept without a new one, dropped with the face id',
  async (t) => {
    const { dir, cleanup } = tmpDir('photos-');
    t.teardown(cleanup);
    const db = openDb(path.join(dir, 'gateway.db'));
    t.teardown(() => db.close());
    mkdirSync(path.join(dir, 'roster', 'photos'), { recursive: true });
    writeFileSync(path.join(dir, 'roster', 'photos', 'r1.jpg'), await testJpeg(600, 800, { orientation: 3 }));
    writeFileSync(path.join(dir, 'outside.jpg'), await testJpeg(600, 800));
    symlinkSync(path.join(dir, 'outside.jpg'), path.join(dir, 'roster', 'photos', 'link.jpg'));
    const base = path.join(dir, 'roster');
    const now = Date.now();

    const dry = parseRoster(csv('F-R1:photos/r1.jpg'), 'csv', KEY).snapshot;
    if (!dry) throw new Error('parse failed');
    const checked = await importRoster(db, dry, { mode: 'merge', now, baseDir: base, dryRun: true });
    t.match(checked, { ok: true, stats: { photos: 1 } });
    t.equal(db.prepare('SELECT count(*) FROM face_photos').pluck().get(), 0, 'a dry run stores nothing');

    const snap = parseRoster(csv('F-R1:photos/r1.jpg'), 'csv', KEY).snapshot;
    if (!snap) throw new Error('parse failed');
    const done = await importRoster(db, snap, { mode: 'merge', now, baseDir: base });
    t.match(done, { ok: true, stats: { photos: 1, residents: 2 } });
    const row = db.prepare('SELECT face_id, resident_id, photo, width, height FROM face_photos').get() as {
      face_id: string;
      resident_id: string;
      photo: Buffer;
      width: number;
      height: number;
    };
    t.same([row.face_id, row.resident_id, row.width, row.height], ['F-R1', 'R1', 600, 800]);
    t.equal((await sharp(row.photo).metadata()).orientation, undefined, 'stored without EXIF');
    t.equal(db.prepare('SELECT count(*) FROM face_photo_staging').pluck().get(), 0, 'staging emptied');

    const escaped = parseRoster(csv('F-R1:photos/link.jpg'), 'csv', KEY).snapshot;
    if (!escaped) throw new Error('parse failed');
    const refused = await importRoster(db, escaped, { mode: 'merge', now, baseDir: base });
    t.match(refused, {
      ok: false,
      errors: [{ line: 2, field: 'face_photos', reason: /outside the roster file/ }],
    });
    const missing = parseRoster(csv('F-R1:photos/none.jpg'), 'csv', KEY).snapshot;
    if (!missing) throw new Error('parse failed');
    t.match(await importRoster(db, missing, { mode: 'merge', now, baseDir: base }), {
      ok: false,
      errors: [{ reason: /resident R1: photo of face F-R1 file photos\/none.jpg cannot be read \(ENOENT\)/ }],
    });

    const without = parseRoster(csv(''), 'csv', KEY).snapshot;
    if (!without) throw new Error('parse failed');
    await importRoster(db, without, { mode: 'merge', now: now + 1, baseDir: base });
    t.equal(
      db.prepare('SELECT count(*) FROM face_photos').pluck().get(),
      1,
      'a roster without photos keeps them',
    );

    const gone = parseRoster(csv('').replace(',F-R1,', ',F-R1b,'), 'csv', KEY).snapshot;
    if (!gone) throw new Error('parse failed');
    await importRoster(db, gone, { mode: 'merge', now: now + 2, baseDir: base });
    t.equal(
      db.prepare('SELECT count(*) FROM face_photos').pluck().get(),
      0,
      'the photo leaves with its face id',
    );
  },
);
