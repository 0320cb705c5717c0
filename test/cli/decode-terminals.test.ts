import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadCaptures } from '../../testkit/drivers/capture-fixtures.js';
import { tmpDir } from '../../testkit/tmp.js';

// Issue 11: `estate-gateway decode hikvision-isapi|dahua FILE` — an installer checks a
// terminal's output before wiring it in: one JSON line per event, card numbers masked,
// exit code 1 when something in the capture would be refused.

const MAIN = path.join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const cli = (args: string[], input?: Buffer) =>
  spawnSync(process.execPath, [MAIN, 'decode', ...args], { encoding: 'utf8', input, timeout: 30_000 });

t.test('a pushed Hikvision body from a file, and one from stdin', async (t) => {
  const { dir, cleanup } = tmpDir('decode-');
  t.teardown(cleanup);
  const c = loadCaptures('hikvision').find((x) => x.name === 'push-face-pass.txt');
  if (!c) throw new Error('fixture missing');
  const file = path.join(dir, 'push.bin');
  writeFileSync(file, c.bytes);
  const r = cli(['hikvision-isapi', file]);
  t.equal(r.status, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { type: 'face', personId: '00012', offline: false, image: { bytes: 2000 } });
  t.notMatch(r.stdout, /"name"/, 'no name');
  const s = cli(['hikvision-isapi', '--content-type', c.contentType ?? ''], c.bytes);
  t.equal(s.stdout, r.stdout, 'stdin and a file decode alike');
});

t.test('a Dahua capture with bad input: the errors printed, exit 1; cards unmasked on request', async (t) => {
  const { dir, cleanup } = tmpDir('decode-');
  t.teardown(cleanup);
  const c = loadCaptures('dahua').find((x) => x.name === 'attach-bad.txt');
  if (!c) throw new Error('fixture missing');
  const file = path.join(dir, 'attach.bin');
  writeFileSync(file, c.bytes);
  const r = cli(['dahua', file]);
  t.equal(r.status, 1, 'something would be refused');
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.equal(lines.filter((l) => l.error).length, 3);
  t.match(lines.at(-1), { type: 'card', uid: '04A1****' });
  const u = cli(['dahua', '--unmasked', file]);
  t.match(JSON.parse(u.stdout.trim().split('\n').at(-1) ?? '{}'), { uid: '04A1B2C3' });
  const bad = cli(['dahua', '--card-format', 'octal', file]);
  t.equal(bad.status, 2, 'a bad option is a usage error');
});
