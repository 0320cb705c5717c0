import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Store } from '../../gateway/store/store.js';

t.test('a Store does no I/O until opened, refuses use before and after, prepares once', (t) => {
  const dir = t.testdir({});
  const file = path.join(dir, 'sub', 'gateway.db');
  const store = new Store(file);
  t.notOk(existsSync(file), 'constructing it creates no file');
  t.notOk(store.isOpen);
  t.throws(() => store.db, { code: 'STORE_CLOSED' });
  store.open();
  t.ok(existsSync(file), 'open() creates and migrates the database');
  t.ok(store.isOpen);
  const a = store.statement('SELECT count(*) AS n FROM journal');
  t.equal(
    store.statement('SELECT count(*) AS n FROM journal'),
    a,
    'the same SQL gives the same prepared statement',
  );
  t.same(a.get(), { n: 0 });
  store.close();
  store.close();
  t.notOk(store.isOpen, 'close() is idempotent');
  t.throws(() => store.statement('SELECT 1'), { code: 'STORE_CLOSED' });
  t.end();
});
