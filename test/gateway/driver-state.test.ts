import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ManualClock } from '../../core/clock.js';
import { Cursor } from '../../drivers/http/cursor.js';
import { loadSecrets } from '../../gateway/config/secrets.js';
import { StoreDriverState } from '../../gateway/store/driver-state.js';
import { Store } from '../../gateway/store/store.js';
import { tmpDir } from '../../testkit/tmp.js';

// Issue 11: the drivers' per-reader values in the store (migration 008) survive a restart;
// terminal logins in the secrets file are checked at load, by path, never by value.

t.test('a terminal cursor survives a restart of the store', async (t) => {
  const { dir, cleanup } = tmpDir('state-');
  t.teardown(cleanup);
  const file = path.join(dir, 'gateway.db');
  const clock = new ManualClock();
  const a = new Store(file);
  a.open();
  const c = new Cursor(new StoreDriverState(a, clock), 'T1', 'acs.cursor');
  t.equal(c.value, null, 'a new terminal has no cursor');
  c.set({ n: 41, t: 1000 });
  c.set({ n: 40, t: 2000 });
  t.same(c.value, { n: 41, t: 1000 }, 'forward only');
  a.close();
  const b = new Store(file);
  b.open();
  t.teardown(() => b.close());
  const state = new StoreDriverState(b, clock);
  t.same(new Cursor(state, 'T1', 'acs.cursor').value, { n: 41, t: 1000 }, 'read back after reopening');
  t.equal(state.get('T2', 'acs.cursor'), null, 'per reader');
  state.set('T1', 'acs.cursor', 'not json');
  t.equal(new Cursor(state, 'T1', 'acs.cursor').value, null, 'a damaged value is no cursor');
});

t.test('terminals in the secrets file: a password each, said by path', async (t) => {
  const { dir, cleanup } = tmpDir('secrets-');
  t.teardown(cleanup);
  const file = path.join(dir, 'secrets.yaml');
  const key = 'a'.repeat(64);
  writeFileSync(
    file,
    `idHashKey: ${key}\nterminals:\n  T1: { username: admin, password: s3cret }\n  T2: { password: x }\n`,
  );
  const { secrets, generated } = loadSecrets(file, ['T1', 'T2']);
  t.same(secrets.terminals?.T1, { username: 'admin', password: 's3cret' });
  t.notOk(
    generated.some((g) => g.startsWith('terminals')),
    'terminal logins are never generated',
  );
  writeFileSync(file, `idHashKey: ${key}\nterminals:\n  T1: { username: admin }\n`);
  t.throws(() => loadSecrets(file, []), {
    code: 'SECRETS_INVALID',
    message: /terminals\.T1\.password must be a non-empty string/,
  });
  writeFileSync(file, `idHashKey: ${key}\nterminals: [1]\n`);
  t.throws(() => loadSecrets(file, []), { code: 'SECRETS_INVALID' });
});
