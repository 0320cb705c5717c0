import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { testConfigObject } from '../../testkit/config.js';
import { districtRoster } from '../../testkit/roster-sync.js';
import { tmpDir } from '../../testkit/tmp.js';

// `roster keygen`, `roster sign` and `roster verify` (issue 14) on the built CLI.

const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

t.test('keygen, sign a snapshot and a delta, verify them; one changed byte is refused', async (t) => {
  const { dir, cleanup } = tmpDir('rsign-');
  t.teardown(cleanup);
  const keyFile = path.join(dir, 'district.key');
  const gen = cli('roster', 'keygen', '--out', keyFile);
  t.equal(gen.status, 0, gen.stderr);
  const pub = /key: (\S+)/.exec(gen.stdout)?.[1] ?? '';
  t.match(pub, /^[A-Za-z0-9+/]{43}=$/, 'the public key is printed for the config');
  t.match(gen.stdout, /fingerprint {2}([0-9A-F]{4} ){15}[0-9A-F]{4}/);
  t.equal(cli('roster', 'keygen', '--out', keyFile).status, 1, 'an existing key is not overwritten');

  const rosterFile = path.join(dir, 'roster.json');
  writeFileSync(rosterFile, JSON.stringify(districtRoster()));
  const snapFile = path.join(dir, 'snapshot-1.json');
  const s = cli(
    'roster',
    'sign',
    '--key',
    keyFile,
    '--estate',
    'SH-TEST',
    '--version',
    '1',
    '--snapshot',
    rosterFile,
    '--out',
    snapFile,
  );
  t.equal(s.status, 0, s.stderr);
  const ok = cli('roster', 'verify', snapFile, '--pubkey', pub);
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /OK — snapshot version 1 for estate SH-TEST, 2 households; signed by [0-9a-f]{16}/);

  const changes = path.join(dir, 'changes.json');
  writeFileSync(changes, JSON.stringify({ moveOut: ['R00002'] }));
  const d = cli(
    'roster',
    'sign',
    '--key',
    keyFile,
    '--estate',
    'SH-TEST',
    '--version',
    '2',
    '--delta',
    changes,
  );
  t.equal(d.status, 0, d.stderr);
  const deltaFile = path.join(dir, 'delta-2.json');
  writeFileSync(deltaFile, d.stdout);
  t.match(
    cli('roster', 'verify', deltaFile, '--pubkey', pub).stdout,
    /delta version 2 \(after 1\).*1 residents moved out/,
  );

  const text = readFileSync(snapFile, 'utf8');
  const altered = text.replace('"0101"', '"0102"');
  t.not(altered, text);
  writeFileSync(path.join(dir, 'altered.json'), altered);
  const bad = cli('roster', 'verify', path.join(dir, 'altered.json'), '--pubkey', pub);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /REFUSED \(bad_signature\)/);

  // Verified against the gateway's configured keys: another estate's roster is refused.
  const cfg = path.join(dir, 'config.yaml');
  writeFileSync(
    cfg,
    stringify({
      ...testConfigObject({ estate: { id: 'SH-OTHER', name: '别的小区' } }),
      rosterSync: { publicKeys: [{ key: pub, label: '区平台' }] },
    }),
  );
  const wrong = cli('roster', 'verify', snapFile, '--config', cfg);
  t.equal(wrong.status, 1);
  t.match(wrong.stderr, /REFUSED \(wrong_estate\)/);

  const badRows = districtRoster();
  (badRows.households[0] as { residents: Array<{ idNumber?: string }> }).residents[0]!.idNumber =
    '110105194912310021';
  writeFileSync(rosterFile, JSON.stringify(badRows));
  const refused = cli(
    'roster',
    'sign',
    '--key',
    keyFile,
    '--estate',
    'SH-TEST',
    '--version',
    '3',
    '--snapshot',
    rosterFile,
  );
  t.equal(refused.status, 1, 'a roster with a bad row is not signed');
  t.match(refused.stderr, /check digit/);
  t.notMatch(refused.stderr, /110105194912310021/, 'the ID number is not echoed');
});
