import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { build } from '../../gateway/build.js';
import { silentLogger } from '../../gateway/log.js';
import { openDb } from '../../gateway/store/db.js';
import { loaded, testConfigObject } from '../../testkit/config.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { tmpDir } from '../../testkit/tmp.js';

const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

function configFile(dir: string): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, stringify({ ...testConfigObject(), dataDir: '.', secretsFile: './secrets.yaml' }));
  return file;
}

t.test('help and usage', async (t) => {
  const top = cli('--help');
  t.equal(top.status, 0);
  t.match(
    top.stdout,
    /Commands:[\s\S]*run[\s\S]*check-config[\s\S]*roster import[\s\S]*events[\s\S]*sim[\s\S]*demo/,
  );
  for (const cmd of ['run', 'check-config', 'roster', 'events', 'sim', 'demo']) {
    const h = cli(cmd, '--help');
    t.equal(h.status, 0, `${cmd} --help`);
    t.match(h.stdout, new RegExp(`Usage: estate-gateway ${cmd}`));
  }
  const bad = cli('fly');
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown command "fly"/);
  const badFlag = cli('events', '--nope');
  t.equal(badFlag.status, 2);
  t.match(badFlag.stderr, /Unknown option '--nope'[\s\S]*Usage: estate-gateway events/);
});

t.test('check-config', async (t) => {
  const ok = cli('check-config', path.join(ROOT, 'config/default.yaml'));
  t.equal(ok.status, 0);
  t.match(ok.stdout, /OK — estate SH-DEMO-001, 14 doors, 25 readers/);
  const bad = cli('check-config', path.join(ROOT, 'test/fixtures/config/bad.yaml'));
  t.equal(bad.status, 1);
  t.match(bad.stderr, /bad\.yaml:9 doors\[1\]\.id: duplicate door id "D1"/);
  t.match(bad.stderr, /11 problem\(s\)/);
  const run = cli('run', '--config', path.join(ROOT, 'test/fixtures/config/bad.yaml'));
  t.equal(run.status, 78, 'the daemon refuses a bad config with EX_CONFIG');
});

t.test('roster import: all or nothing', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.teardown(cleanup);
  const cfg = configFile(dir);
  const bad = cli('roster', 'import', path.join(ROOT, 'test/fixtures/roster/bad.csv'), '--config', cfg);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /bad\.csv:2 id_number: check digit does not match \(GB 11643\)/);
  t.match(bad.stderr, /8 bad row\(s\): nothing imported\./);
  const dry = cli(
    'roster',
    'import',
    path.join(ROOT, 'test/fixtures/roster/valid.csv'),
    '--config',
    cfg,
    '--dry-run',
  );
  t.equal(dry.status, 0);
  t.match(dry.stdout, /2 households, 5 residents, .* \(dry run, nothing imported\)/);
  const db0 = openDb(path.join(dir, 'gateway.db'));
  t.equal(
    db0.prepare('SELECT count(*) FROM residents').pluck().get(),
    0,
    'bad file and dry run imported nothing',
  );
  db0.close();
  const ok = cli('roster', 'import', path.join(ROOT, 'test/fixtures/roster/valid.json'), '--config', cfg);
  t.equal(ok.status, 0, ok.stderr);
  t.match(ok.stdout, /imported 2 households, 5 residents, 13 credentials \(merge\)/);
  const db = openDb(path.join(dir, 'gateway.db'));
  t.equal(db.prepare('SELECT count(*) FROM residents').pluck().get(), 5);
  t.notOk(
    JSON.stringify(db.prepare('SELECT * FROM residents').all()).includes('310115198001152014'),
    'no raw ID number stored',
  );
  db.close();
  const missing = cli('roster', 'import', path.join(dir, 'nope.csv'), '--config', cfg);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /cannot read: ENOENT/);
});

t.test('events export as jsonl and csv', async (t) => {
  const { dir, cleanup } = tmpDir();
  t.teardown(cleanup);
  const cfg = configFile(dir);
  const l = loaded(dir);
  const gw = build({ ...l, file: cfg }, { log: silentLogger() });
  await gw.start();
  const r = new LoadReader({ url: `mqtt://127.0.0.1:${gw.brokerPort}`, readerId: 'T-B01', personId: null });
  await r.start();
  await r.roundTrip();
  await r.roundTrip(5000, { type: 'card', face: undefined, card: { uid: '04a1b2c3' } });
  await r.stop();
  await gw.stop();
  const since = new Date(Date.now() - 3600_000).toISOString();
  const j = cli('events', '--since', since, '--config', cfg);
  t.equal(j.status, 0, j.stderr);
  const rows = j.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.equal(rows.length, 2);
  t.match(rows[0], {
    readerId: 'T-B01',
    doorId: 'B01-U1',
    type: 'face',
    outcome: 'denied',
    reasons: 'stranger',
  });
  t.match(rows[1], { type: 'card', outcome: 'denied', reasons: 'unknown_card' });
  t.notOk(j.stdout.includes('04A1B2C3'), 'credential keys are not exported');
  const c = cli('events', '--since', since, '--format', 'csv', '--config', cfg);
  t.equal(c.status, 0);
  const lines = c.stdout.trim().split('\n');
  t.equal(
    lines[0],
    'seq,time,readerId,doorId,direction,type,outcome,answer,reasons,residentId,householdId,offline,stale',
  );
  t.equal(lines.length, 3);
  const future = cli('events', '--since', new Date(Date.now() + 3600_000).toISOString(), '--config', cfg);
  t.equal(future.stdout, '');
  const badTime = cli('events', '--since', 'yesterday', '--config', cfg);
  t.equal(badTime.status, 2);
  const noSuchDay = cli('events', '--since', '2026-02-30T00:00:00+08:00', '--config', cfg);
  t.equal(noSuchDay.status, 2, 'a day that does not exist is an error, not 2 March');
  t.match(noSuchDay.stderr, /--since is not an ISO time with a zone that exists/);
});
