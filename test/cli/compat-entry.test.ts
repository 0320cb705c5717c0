import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';

// Issue 8 moved the command line from gateway/cli to cli/. Units already installed and
// outside tools start dist/gateway/cli/main.js: that path must keep working.
const ROOT = path.join(import.meta.dirname, '..', '..');

t.test('the old entry path runs the same command line', async (t) => {
  const run = (rel: string) =>
    spawnSync(process.execPath, [path.join(ROOT, rel), '--version'], { encoding: 'utf8' });
  const now = run('dist/cli/main.js');
  const old = run('dist/gateway/cli/main.js');
  t.equal(now.status, 0, now.stderr);
  t.equal(old.status, 0, old.stderr);
  t.equal(old.stdout, now.stdout);
  t.match(old.stdout, /^\d+\.\d+\.\d+/);
});
