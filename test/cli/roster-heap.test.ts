import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { testConfigObject } from '../../testkit/config.js';
import { DAEMON_NODE_FLAGS } from '../../testkit/daemon.js';
import { syntheticRoster } from '../../testkit/roster-gen.js';
import { tmpDir } from '../../testkit/tmp.js';

const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
/** Under the daemon's heap cap, as `replay --roster` and the unit's ExecStartPre run it. */
const capped = (...args: string[]) =>
  spawnSync(process.execPath, [...DAEMON_NODE_FLAGS, MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });

// Issue 10: a 14,287-resident roster with one bad row needed 412 MB to say where the row
// was (a YAML document of the whole file) and died of OOM under 256 MB; the same file
// without the bad row imports at 155 MB. The error path must not cost more than the import.
t.test('one bad row in a large roster is reported under the daemon heap cap', async (t) => {
  const { dir, cleanup } = tmpDir('roster-heap-');
  t.teardown(cleanup);
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, stringify({ ...testConfigObject(), dataDir: '.', secretsFile: './secrets.yaml' }));
  const roster = syntheticRoster(14_500) as { households: Array<{ residents: Array<{ idNumber: string }> }> };
  const victim = roster.households[3000]?.residents[0] as { idNumber: string };
  const last = victim.idNumber.slice(-1);
  victim.idNumber = victim.idNumber.slice(0, 17) + (last === '1' ? '2' : '1');

  const pretty = path.join(dir, 'roster.json');
  const text = JSON.stringify(roster, null, 2);
  writeFileSync(pretty, text);
  const want = text.slice(0, text.indexOf(`"${victim.idNumber}"`)).split('\n').length;
  const r = capped('roster', 'import', pretty, '--config', config, '--dry-run');
  t.equal(r.signal, null, 'not killed');
  t.equal(r.status, 1, 'refused, not crashed');
  t.notMatch(r.stderr, /heap out of memory/);
  t.match(
    r.stderr,
    new RegExp(`roster\\.json:${want} households\\[3000\\]\\.residents\\[0\\]\\.idNumber: check digit`),
    'the line and the path of the bad field',
  );
  t.match(r.stderr, /^1 bad row\(s\): nothing imported\.$/m);

  // A one-line file: the line says little, the path says where.
  const flat = path.join(dir, 'flat.json');
  writeFileSync(flat, JSON.stringify(roster));
  const f = capped('roster', 'import', flat, '--config', config, '--dry-run');
  t.equal(f.status, 1);
  t.match(f.stderr, /flat\.json:1 households\[3000\]\.residents\[0\]\.idNumber: check digit/);

  // replay --roster goes through the same reader and prints the same rows.
  const reads = path.join(dir, 'reads.jsonl');
  writeFileSync(reads, '');
  const p = capped('replay', reads, '--config', config, '--data', path.join(dir, 'data'), '--roster', flat);
  t.equal(p.signal, null);
  t.equal(p.status, 1);
  t.match(p.stderr, /households\[3000\]\.residents\[0\]\.idNumber: check digit/);
});
