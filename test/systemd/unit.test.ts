import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { testConfigObject } from '../../testkit/config.js';
import { writeConfig } from '../../testkit/daemon.js';
import { freePort } from '../../testkit/ports.js';
import { tmpDir } from '../../testkit/tmp.js';
import { waitFor } from '../../testkit/wait.js';

/**
 * Issue 9 item 12: the unit file is hardened to an exposure of 2.0 or lower, verifies, and
 * keeps /etc/estate-gateway read-only; the daemon tells systemd READY only when it is up
 * and pings the watchdog. .ci/run installs systemd (systemd-analyze, systemd-notify).
 */

const ROOT = path.join(import.meta.dirname, '..', '..');
const UNIT = path.join(ROOT, 'systemd', 'estate-gateway.service');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

t.test('systemd-analyze: the unit verifies and its exposure is at most 2.0', async (t) => {
  const verify = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
  t.equal(verify.status, 0, 'systemd-analyze verify exits 0');
  t.equal(verify.stderr.trim(), '', `no complaint: ${verify.stderr}`);
  const sec = spawnSync('systemd-analyze', ['security', '--offline=true', UNIT], { encoding: 'utf8' });
  const m = /Overall exposure level for estate-gateway\.service: ([\d.]+)/.exec(sec.stdout);
  t.ok(m, 'an overall exposure level');
  const score = Number(m?.[1]);
  t.ok(score <= 2.0, `exposure ${score} ≤ 2.0`);
  t.comment(`systemd-analyze security --offline=true: ${score}`);
});

t.test('the unit: notify with a watchdog, /etc read-only, no JIT-breaking setting', async (t) => {
  const unit = readFileSync(UNIT, 'utf8');
  const lines = unit.split('\n').filter((l) => !l.startsWith('#'));
  const has = (re: RegExp) => lines.some((l) => re.test(l));
  t.ok(has(/^Type=notify$/), 'Type=notify');
  t.ok(has(/^NotifyAccess=all$/), 'systemd-notify may speak for the service');
  t.ok(has(/^WatchdogSec=\d+$/), 'WatchdogSec');
  t.ok(has(/^ReadOnlyPaths=\/etc\/estate-gateway$/), '/etc/estate-gateway read-only');
  t.notOk(has(/^ReadWritePaths=.*\/etc/), 'nothing under /etc writable');
  t.notOk(has(/^MemoryDenyWriteExecute=yes/), 'V8 needs writable executable memory');
  t.notOk(has(/^ExecStartPost=/), 'readiness comes from the daemon, not a poller');
});

t.test('the daemon says READY=1 after HTTP is up, pings the watchdog, says STOPPING=1', async (t) => {
  t.ok(existsSync(MAIN), 'dist is built (npm test builds it)');
  const { dir, cleanup } = tmpDir('sdn-');
  t.teardown(cleanup);
  const port = await freePort();
  const log = path.join(dir, 'notify.log');
  // A stand-in for systemd-notify that records its arguments and whether HTTP answered then.
  const fake = path.join(dir, 'systemd-notify');
  writeFileSync(
    fake,
    `#!/bin/bash\nif (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null; then s=up; else s=down; fi\necho "http=$s $*" >> ${log}\n`,
  );
  chmodSync(fake, 0o755);
  const config = writeConfig(dir, {
    ...testConfigObject(),
    http: { host: '127.0.0.1', port },
  });
  const child = spawn(process.execPath, [MAIN, 'run', '--config', config], {
    env: {
      ...process.env,
      PATH: `${dir}:${process.env.PATH}`,
      NOTIFY_SOCKET: '/run/systemd/notify-test',
      WATCHDOG_USEC: '300000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const read = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  await waitFor(() => read().some((l) => l.includes('READY=1')), 30_000, 'READY=1');
  const ready = read().find((l) => l.includes('READY=1'));
  t.match(
    ready,
    /^http=up READY=1 STATUS=serving 4 readers at http:\/\/127\.0\.0\.1:\d+$/,
    'sent once HTTP answers',
  );
  t.equal(read().filter((l) => l.includes('READY=1')).length, 1, 'once');
  await waitFor(
    () => read().filter((l) => l.endsWith('WATCHDOG=1')).length >= 3,
    10_000,
    'three watchdog pings',
  );
  t.pass('the watchdog is pinged every WatchdogSec/2');
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'a clean stop');
  t.ok(
    read().some((l) => l.endsWith('STOPPING=1')),
    'STOPPING=1 on the way down',
  );
});

t.test('outside systemd nothing is sent; a wrong WATCHDOG_PID is not ours', async (t) => {
  const { SdNotify } = await import('../../gateway/sd-notify.js');
  const { silentLogger } = await import('../../gateway/log.js');
  const none = new SdNotify({ log: silentLogger(), env: {}, command: '/nonexistent/systemd-notify' });
  t.notOk(none.enabled);
  await none.ready('x'); // would fail loudly if it ran the command
  t.equal(none.watchdogMs, 0);
  const other = new SdNotify({
    log: silentLogger(),
    env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' },
    pid: 4242,
  });
  t.equal(other.watchdogMs, 0, 'the watchdog of another process is left alone');
  const ours = new SdNotify({
    log: silentLogger(),
    env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '4242' },
    pid: 4242,
  });
  t.equal(ours.watchdogMs, 30_000);
});
