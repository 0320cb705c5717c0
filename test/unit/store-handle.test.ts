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

t.test('the database opens with the pragmas durability and memory depend on', (t) => {
  const dir = t.testdir({});
  const store = new Store(path.join(dir, 'gateway.db'));
  store.open();
  t.teardown(() => store.close());
  const db = store.db;
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL: a commit is fsynced before it returns');
  // 2 MB of page cache (issue 15, p-hot4): the commit's pages are B-tree tails; 4 MB cost
  // ~2 MB of RSS for no CPU measured.
  t.equal(db.pragma('cache_size', { simple: true }), -2000);
  t.end();
});
