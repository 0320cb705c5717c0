import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { isThumbRef, readThumb, thumbRefsOfEvidence } from '../../gateway/ledger/evidence-refs.js';
import { openDb } from '../../gateway/store/db.js';
import securityPrivacy from '../../gateway/store/migrations/009-security-privacy.js';
import { MIGRATIONS } from '../../gateway/store/migrations/index.js';
import { startGateway } from '../../testkit/gateway.js';
import { tmpDir } from '../../testkit/tmp.js';

/** Issue 9 item 1: the hand-over package must never read a file outside dataDir/thumbs. */

const GOOD = 'thumbs/2026-05-01/0123456789abcdef0123.webp';
const LINK = 'thumbs/2026-05-01/aaaaaaaaaaaaaaaaaaaa.webp';

t.test('a crafted patrol cannot put secrets.yaml or /etc/hostname into the hand-over package', async (t) => {
  const g = await startGateway(t, { ledger: { handoverImages: true } });
  const secret = readFileSync(path.join(g.dir, 'secrets.yaml'), 'utf8');
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
  // A real thumbnail, and one in the id format that is a symbolic link out of the folder.
  mkdirSync(path.join(g.dir, 'thumbs/2026-05-01'), { recursive: true });
  writeFileSync(path.join(g.dir, GOOD), Buffer.from('RIFF-face-webp'));
  symlinkSync(path.join(g.dir, 'secrets.yaml'), path.join(g.dir, LINK));
  const post = (p: string, body: unknown) =>
    g.api(p, {
      as: 'operator',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  // The attack of the review: photo and note pointing out of the thumbnail folder.
  const patrol = {
    date: '2026-05-01',
    inspector: '李巡查',
    householdId: 'H1',
    result: 'violation_found',
    note: 'thumbs/../../../../etc/hostname',
  };
  const refused = await post('/api/patrols', { ...patrol, photo: 'thumbs/../secrets.yaml' });
  t.equal(refused.status, 400, 'a photo that is a path is refused');
  t.match(((await refused.json()) as { message: string }).message, /photo/);
  t.equal(g.gw.db.prepare('SELECT count(*) FROM patrols').pluck().get(), 0, 'nothing stored');
  for (const photo of ['../secrets.yaml', '/etc/hostname', '.hidden', 'a/b.jpg', 'x..jpg'])
    t.equal((await post('/api/patrols', { ...patrol, photo })).status, 400, `photo ${photo} refused`);

  // Accepted: a camera photo number in the photo, the path in the free-text note.
  const ok = await post('/api/patrols', { ...patrol, photo: 'IMG_0231.jpg' });
  t.equal(ok.status, 201);
  const caseId = ((await ok.json()) as { caseId: string }).caseId;
  // The case's evidence also names a real thumbnail and the symlink (as a detector chain would).
  g.gw.db
    .prepare("UPDATE cases SET evidence = json_set(evidence, '$.thumbs', json(?)) WHERE id = ?")
    .run(JSON.stringify([GOOD, LINK, 'thumbs/../secrets.yaml']), caseId);
  const move = async (to: string, extra: Record<string, unknown> = {}) =>
    (await post(`/api/cases/${caseId}/transitions`, { to, note: to, ...extra })).status;
  t.equal(await move('acknowledged'), 200);
  t.equal(
    await move('rectification_ordered', { deadline: new Date(Date.now() + 86_400_000).toISOString() }),
    200,
  );
  t.equal(await move('handed_over'), 200);

  const stored = g.gw.db.prepare('SELECT handover FROM cases WHERE id = ?').pluck().get(caseId) as string;
  t.notOk(stored.includes('"data"'), 'the stored package holds references, no image');
  t.same(
    JSON.parse(stored).thumbnails,
    [{ ref: GOOD }, { ref: LINK }],
    'only thumbnail ids, none from the note',
  );

  for (const as of ['viewer', 'operator'] as const) {
    const res = await g.api(`/api/cases/${caseId}/handover`, { as });
    t.equal(res.status, 200);
    t.equal(res.headers.get('cache-control'), 'no-store');
    const text = await res.text();
    t.notOk(text.includes(b64(secret)), `${as}: secrets.yaml is not in the package`);
    t.notOk(text.includes('idHashKey'), `${as}: nor any part of it`);
    const hostname = (() => {
      try {
        return readFileSync('/etc/hostname');
      } catch {
        return null;
      }
    })();
    if (hostname) t.notOk(text.includes(b64(hostname)), `${as}: /etc/hostname is not in the package`);
    const pkg = JSON.parse(text) as {
      thumbnails: Array<{ ref: string; data: string | null; missing?: string }>;
    };
    t.same(
      pkg.thumbnails,
      [
        { ref: GOOD, data: b64('RIFF-face-webp') },
        { ref: LINK, data: null, missing: 'not a thumbnail reference: not read' },
      ],
      `${as}: the real thumbnail is embedded at download; the link out of the folder is refused`,
    );
  }
});

t.test('evidence references: the id format, from the fields that carry them only', async (t) => {
  t.ok(isThumbRef(GOOD));
  for (const bad of [
    'thumbs/../secrets.yaml',
    'thumbs/2026-05-01/../../secrets.yaml',
    'thumbs/2026-05-01/0123456789abcdef0123.webp/..',
    '/thumbs/2026-05-01/0123456789abcdef0123.webp',
    'thumbs/2026-05-01/0123456789ABCDEF0123.webp',
    'thumbs/2026-05-01/0123456789abcdef0123.png',
    42,
  ])
    t.notOk(isThumbRef(bad), `not a reference: ${String(bad)}`);
  t.same(
    thumbRefsOfEvidence({
      note: GOOD,
      content: GOOD.replace('0123', '9999'),
      summary: 'x',
      photo: 'thumbs/2026-05-02/0123456789abcdef0123.jpg',
      thumbs: [GOOD, 'thumbs/../etc'],
      persons: [{ thumbs: ['thumbs/2026-05-03/0123456789abcdef0123.webp'] }],
      entries: [{ thumb: 'thumbs/2026-05-04/0123456789abcdef0123.webp' }],
    }).sort(),
    [
      GOOD,
      'thumbs/2026-05-02/0123456789abcdef0123.jpg',
      'thumbs/2026-05-03/0123456789abcdef0123.webp',
      'thumbs/2026-05-04/0123456789abcdef0123.webp',
    ],
    'note and content are never scanned',
  );
  const { dir, cleanup } = tmpDir('refs-');
  t.teardown(cleanup);
  t.same(await readThumb(dir, GOOD), { data: null, why: 'missing' }, 'no thumbs folder: missing');
  mkdirSync(path.join(dir, 'thumbs/2026-05-01'), { recursive: true });
  writeFileSync(path.join(dir, 'outside.txt'), 'secret');
  symlinkSync(path.join(dir, 'outside.txt'), path.join(dir, GOOD));
  t.same(await readThumb(dir, GOOD), { data: null, why: 'refused' }, 'a link out of the folder is refused');
  t.same(await readThumb(dir, 'thumbs/../outside.txt'), { data: null, why: 'refused' });
});

t.test('migration 008 drops the images stored in hand-over packages', async (t) => {
  const { dir, cleanup } = tmpDir('mig-');
  t.teardown(cleanup);
  const file = path.join(dir, 'gateway.db');
  const old = new Database(file);
  // The database as it was just before this migration, wherever it sits in the list.
  const before = MIGRATIONS.indexOf(securityPrivacy);
  t.ok(before > 0, 'migration 008 is in the list');
  for (const sql of MIGRATIONS.slice(0, before)) old.exec(sql);
  old.pragma(`user_version = ${before}`);
  const pkg = {
    format: 'estate-gateway.handover/1',
    thumbnails: [
      { ref: GOOD, data: 'RkFDRQ==' },
      { ref: 'thumbs/../secrets.yaml', data: 'aWRIYXNoS2V5' },
      { ref: 'thumbs/2026-05-01/bbbbbbbbbbbbbbbbbbbb.jpg', data: null, missing: 'expired' },
    ],
  };
  old
    .prepare(
      `INSERT INTO cases(id, kind, source, state, detected_ts, last_ts, summary, evidence, handover, created_at, updated_at)
       VALUES ('c1', 'overcrowding', 'patrol', 'handed_over', 1, 1, 's', '{}', ?, 1, 1)`,
    )
    .run(JSON.stringify(pkg));
  old
    .prepare(
      `INSERT INTO residents(id, household_id, role, name, status, updated_at) VALUES ('R1', 'H1', 'leaseholder', '张伟', 'moved_out', 1234)`,
    )
    .run();
  old.close();
  const db = openDb(file);
  t.teardown(() => db.close());
  const after = JSON.parse(db.prepare("SELECT handover FROM cases WHERE id = 'c1'").pluck().get() as string);
  t.same(after.thumbnails, [{ ref: GOOD }, { ref: 'thumbs/2026-05-01/bbbbbbbbbbbbbbbbbbbb.jpg' }]);
  t.equal(after.format, 'estate-gateway.handover/1', 'the rest of the package is kept');
  t.equal(db.prepare("SELECT moved_out_at FROM residents WHERE id = 'R1'").pluck().get(), 1234);
});
