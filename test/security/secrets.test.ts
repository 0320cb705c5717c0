import { chmodSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { initCommand } from '../../cli/init.js';
import { loadSecrets, MIN_TOKEN_LENGTH } from '../../gateway/config/secrets.js';
import { SecretsFile } from '../../gateway/config/secrets-file.js';
import { createLogger } from '../../gateway/log.js';
import { testConfigObject } from '../../testkit/config.js';
import { tmpDir } from '../../testkit/tmp.js';

/** Issue 9 item 11: the secrets file's mode, its atomic rewrite, API token length; `init`. */

const KEY = 'ab'.repeat(32);

t.test('a secrets file readable by others gets mode 0600 and a warning', async (t) => {
  const { dir, cleanup } = tmpDir('sec-');
  t.teardown(cleanup);
  const file = path.join(dir, 'secrets.yaml');
  writeFileSync(file, stringify({ idHashKey: KEY, readers: { R1: 'pw-1' } }));
  chmodSync(file, 0o644);
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  const s = new SecretsFile(file, ['R1'], createLogger({ level: 'info', destination: sink }));
  s.load();
  t.equal(statSync(file).mode & 0o777, 0o600, 'mode fixed');
  t.match(lines, [{ level: 40, was: '0644', msg: /readable by group or others: mode set to 0600/ }]);
  t.notOk(JSON.stringify(lines).includes('pw-1'), 'no secret in the log');
});

t.test('the file is replaced atomically, never rewritten in place', async (t) => {
  const { dir, cleanup } = tmpDir('sec-');
  t.teardown(cleanup);
  const file = path.join(dir, 'secrets.yaml');
  const before = stringify({ idHashKey: KEY, readers: {} });
  writeFileSync(file, before, { mode: 0o600 });
  const inode = statSync(file).ino;
  const old = openSync(file, 'r'); // what a reader of the old file still sees
  const { generated } = loadSecrets(file, ['R1', 'R2']);
  t.same(generated, ['upstream.hmacKey', 'signingKey', 'readers.R1', 'readers.R2']);
  t.not(statSync(file).ino, inode, 'a new file was renamed over the old one');
  const buf = Buffer.alloc(before.length);
  readSync(old, buf, 0, buf.length, 0);
  t.equal(buf.toString(), before, 'the old file was never truncated (a crash keeps the ID-hash key)');
  t.equal(parse(readFileSync(file, 'utf8')).idHashKey, KEY, 'the key is kept');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.same(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file is left',
  );
});

t.test('API tokens shorter than the minimum, or two alike, are refused', async (t) => {
  const { dir, cleanup } = tmpDir('sec-');
  t.teardown(cleanup);
  const file = path.join(dir, 'secrets.yaml');
  const write = (tokens: unknown[]) =>
    writeFileSync(file, stringify({ idHashKey: KEY, readers: {}, api: { tokens } }), { mode: 0o600 });
  write([{ name: 'scada', token: 'x'.repeat(MIN_TOKEN_LENGTH - 1), role: 'viewer' }]);
  t.throws(() => loadSecrets(file, []), {
    code: 'SECRETS_INVALID',
    message: /"scada" must have at least 32/,
  });
  const good = 'y'.repeat(MIN_TOKEN_LENGTH);
  write([
    { name: 'a', token: good, role: 'viewer' },
    { name: 'b', token: good, role: 'admin' },
  ]);
  t.throws(() => loadSecrets(file, []), { code: 'SECRETS_INVALID', message: /two api tokens are the same/ });
  write([{ name: 'a', token: good, role: 'viewer' }]);
  t.doesNotThrow(() => loadSecrets(file, []));
});

t.test('estate-gateway init creates the secrets file and completes it later', async (t) => {
  const { dir, cleanup } = tmpDir('init-');
  t.teardown(cleanup);
  const config = path.join(dir, 'config.yaml');
  writeFileSync(
    config,
    stringify({ ...testConfigObject(), dataDir: './data', secretsFile: './etc/secrets.yaml' }),
  );
  const out: string[] = [];
  const log = console.log;
  console.log = (m: string) => out.push(m);
  t.teardown(() => {
    console.log = log;
  });
  t.equal(initCommand(['--config', config]), 0);
  const file = path.join(dir, 'etc/secrets.yaml');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.ok(statSync(path.join(dir, 'data')).isDirectory(), 'the data directory');
  const s = parse(readFileSync(file, 'utf8'));
  t.match(s, { idHashKey: /^[0-9a-f]{64}$/, readers: { 'T-GATE': /.{20,}/ } });
  t.match(out.join('\n'), /generated idHashKey, upstream\.hmacKey, signingKey, readers\.T-GATE/);
  t.notOk(out.join('\n').includes(s.idHashKey), 'values are never printed');
  t.equal(initCommand(['--config', config]), 0);
  t.match(out.at(-1), /complete, nothing to add/);
  t.equal(parse(readFileSync(file, 'utf8')).idHashKey, s.idHashKey, 'a second run keeps every value');
});
