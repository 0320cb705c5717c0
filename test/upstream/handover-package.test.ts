import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { readZip, writeZip } from '../../core/zip.js';
import { buildHandoverPackage, verifyHandoverPackage } from '../../gateway/ledger/handover-package.js';
import { silentLogger } from '../../gateway/log.js';
import { SimUpstream } from '../../sim/upstream.js';
import { startGateway } from '../../testkit/gateway.js';
import { tmpDir } from '../../testkit/tmp.js';

// The signed hand-over package for 城管 (issue 14): a manifest of every file with its SHA-256,
// signed with the gateway's Ed25519 key, the key's fingerprint on the cover page; it verifies,
// and fails after one changed byte. Thumbnail references are checked strictly: a case whose
// evidence names a path outside the thumbnails gets nothing of it into the archive.

const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const THUMB = 'thumbs/2026-05-01/0123456789abcdef0123.webp';
const key = () =>
  createPrivateKey(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));

async function pkg(t: Test, images = true) {
  const { dir, cleanup } = tmpDir('handover-');
  t.teardown(cleanup);
  mkdirSync(path.join(dir, 'thumbs', '2026-05-01'), { recursive: true });
  writeFileSync(path.join(dir, THUMB), Buffer.from('RIFF....WEBPVP8 fake thumbnail bytes'));
  writeFileSync(path.join(dir, 'secrets.yaml'), 'idHashKey: 00\n');
  const handoverJson = JSON.stringify({
    format: 'estate-gateway.handover/1',
    case: {
      id: 'case-1',
      evidence: { thumbs: [THUMB, 'thumbs/../secrets.yaml', '../../etc/passwd', '/etc/passwd'] },
    },
    thumbnails: [{ ref: THUMB }, { ref: 'thumbs/2026-05-01/ffffffffffffffffffff.webp' }],
  });
  const k = key();
  const built = await buildHandoverPackage({
    packageId: 'hp-test-1',
    caseId: 'case-1',
    caseLabel: '疑似转租',
    place: '1号楼 0101',
    handoverJson,
    images,
    dataDir: dir,
    key: k,
    estate: { id: 'SH-TEST', name: '测试小区' },
    gatewayId: 'gw-t',
    now: Date.parse('2026-05-02T09:00:00+08:00'),
    fallbackFont: null,
  });
  return { ...built, key: k, dir };
}

t.test('a package verifies; its manifest lists every file; only strict references get in', async (t) => {
  const p = await pkg(t);
  const v = verifyHandoverPackage(p.zip, [createPublicKey(p.key)]);
  t.same(v.problems, []);
  t.ok(v.ok);
  const z = readZip(p.zip);
  if (!z.ok) throw new Error(z.why);
  t.same(
    z.entries.map((e) => e.name),
    [
      'cover.pdf',
      'manifest.json',
      'manifest.sig',
      'README.txt',
      'gateway-key.pem',
      'case.json',
      'images/2026-05-01-0123456789abcdef0123.webp',
    ],
    'one image: the traversal references and the expired one are not there',
  );
  t.equal(p.missingImages, 1, 'the expired thumbnail is counted');
  t.notOk(
    z.entries.some((e) => e.data.includes('idHashKey')),
    'nothing outside thumbs/ was read',
  );
  t.equal(p.manifest.files.length, 5, 'every file but the manifest and its signature is listed');
  t.match(p.manifest.key.fingerprint, /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);

  const without = await pkg(t, false);
  t.notOk(
    readZip(without.zip).ok &&
      (readZip(without.zip) as { entries: Array<{ name: string }> }).entries.some((e) =>
        e.name.startsWith('images/'),
      ),
    'ledger.handoverImages off: references only',
  );
});

t.test(
  'one changed byte anywhere in a file, a file added, a manifest re-signed by another key: refused',
  async (t) => {
    const p = await pkg(t);
    const z = readZip(p.zip);
    if (!z.ok) throw new Error(z.why);
    for (const e of z.entries) {
      const changed = z.entries.map((x) => {
        if (x !== e) return x;
        const data = Buffer.from(x.data);
        const at = Math.floor(data.length / 2);
        data[at] = (data[at] ?? 0) ^ 0x01;
        return { name: x.name, data };
      });
      const v = verifyHandoverPackage(writeZip(changed));
      t.notOk(v.ok, `one bit of ${e.name} changed: refused (${v.problems[0]})`);
    }
    // A raw byte of the archive flipped: the CRC or the SHA-256 catches it, in every file's data.
    let caught = 0;
    const positions = 64;
    for (let i = 0; i < positions; i++) {
      const raw = Buffer.from(p.zip);
      const at = Math.floor(((i + 0.5) / positions) * (raw.length - 200)) + 100;
      raw[at] = (raw[at] ?? 0) ^ 0xff;
      if (!verifyHandoverPackage(raw).ok) caught++;
    }
    t.ok(caught >= positions - 2, `${caught}/${positions} raw byte flips refused (zip header padding aside)`);

    const added = writeZip([...z.entries, { name: 'images/extra.jpg', data: randomBytes(10) }]);
    t.match(verifyHandoverPackage(added).problems, [/images\/extra\.jpg: not in the manifest/]);

    const other = key();
    t.notOk(verifyHandoverPackage(p.zip, [createPublicKey(other)]).ok, 'not the expected key');
    t.match(verifyHandoverPackage(Buffer.from('not a zip')).problems, [/not a ZIP/]);
  },
);

t.test(
  'through the gateway: signed at hand-over, announced upstream, downloaded as signed, verified by the CLI',
  async (t) => {
    const hmacKey = randomBytes(32).toString('hex');
    const up = new SimUpstream({ hmacKey, port: 0, log: silentLogger() });
    await up.start();
    t.teardown(() => up.stop());
    const g = await startGateway(
      t,
      {
        upstream: { enabled: true, url: up.url, reconnect: { minMs: 100, maxMs: 500 } },
        reports: { handoverUpstream: true, monthlyUpstream: false },
      },
      undefined,
      {},
      { upstream: { hmacKey } },
    );
    const call = async (method: string, url: string, body?: unknown) => {
      const res = await g.api(url, {
        method,
        as: 'operator',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return res;
    };
    const tip = (await (
      await call('POST', '/api/tips', { channel: 'phone', householdId: 'H2', content: '疑似转租' })
    ).json()) as {
      caseId: string;
    };
    const id = tip.caseId;
    t.equal(
      (await call('GET', `/api/cases/${id}/handover.zip`)).status,
      409,
      'no package before the hand-over',
    );
    for (const step of [
      { to: 'acknowledged', note: '上门核实' },
      {
        to: 'rectification_ordered',
        note: '限期整改',
        deadline: new Date(Date.now() + 86_400_000).toISOString(),
      },
      { to: 'handed_over', note: '移交城管' },
    ])
      t.equal((await call('POST', `/api/cases/${id}/transitions`, step)).status, 200, step.to);
    const ev = await up.waitFor((e) => e.type === 'estate.handover.package', 15_000);
    const data = ev.data as { packageId: string; caseId: string; sha256: string };
    t.equal(data.caseId, id);
    t.equal(ev.subject, 'H2');

    const res = await call('GET', `/api/cases/${id}/handover.zip`);
    t.equal(res.status, 200);
    t.match(res.headers.get('content-type'), /^application\/zip/);
    const zip = Buffer.from(await res.arrayBuffer());
    const again = Buffer.from(await (await call('GET', `/api/cases/${id}/handover.zip`)).arrayBuffer());
    t.ok(zip.equals(again), 'served as signed: the same bytes every time');
    const v = verifyHandoverPackage(zip);
    t.ok(v.ok, v.problems.join('; '));
    t.equal(v.manifest?.packageId, data.packageId, 'the package announced upstream is the one downloaded');
    t.equal(
      (await g.api(`/api/cases/${id}/handover.zip`, { as: 'viewer' })).status,
      403,
      'viewers get the masked JSON only',
    );

    const { dir, cleanup } = tmpDir('hcli-');
    t.teardown(cleanup);
    const file = path.join(dir, 'package.zip');
    writeFileSync(file, zip);
    const ok = spawnSync(process.execPath, [MAIN, 'handover', 'verify', file], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    t.equal(ok.status, 0, ok.stderr);
    t.match(ok.stdout, new RegExp(`OK — package ${data.packageId}, case ${id}`));
    t.match(ok.stdout, /fingerprint {2}([0-9A-F]{4} ){15}[0-9A-F]{4}/);
    const z = readZip(zip);
    if (!z.ok) throw new Error(z.why);
    const tampered = writeZip(
      z.entries.map((e) =>
        e.name === 'case.json'
          ? { name: e.name, data: Buffer.from(e.data.toString().replace('H2', 'H1')) }
          : e,
      ),
    );
    writeFileSync(file, tampered);
    const bad = spawnSync(process.execPath, [MAIN, 'handover', 'verify', file], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    t.equal(bad.status, 1);
    t.match(bad.stderr, /case\.json: SHA-256 does not match/);
  },
);
