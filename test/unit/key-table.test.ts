import Database from 'better-sqlite3';
import t from 'tap';
import { KEY_BYTES_SQL, KeyTable, keyBytes } from '../../gateway/roster/key-table.js';

// The packed credential-key table (issue 15, RSS): it must answer exactly as a Map would.

t.test('answers as a Map over many keys, through growth, replacement and trimming', async (t) => {
  const table = new KeyTable<number>();
  const map = new Map<string, number>();
  const keys: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    keys.push(`F-R${String(i).padStart(5, '0')}`);
    keys.push((0x10000000 + i).toString(16).toUpperCase());
    if (i % 50 === 0) keys.push(`${i}`.repeat(13)); // long keys, as ID-number HMACs are
  }
  keys.push('', 'é-latin1-ü', 'x');
  keys.forEach((k, i) => {
    table.set(k, i);
    map.set(k, i);
  });
  // Replacing a value keeps one entry, as Map.set does.
  for (let i = 0; i < keys.length; i += 7) {
    table.set(keys[i] as string, -i);
    map.set(keys[i] as string, -i);
  }
  t.equal(table.size, map.size);
  const check = () => {
    let wrong = 0;
    for (const [k, v] of map) if (table.get(k) !== v) wrong++;
    return wrong;
  };
  t.equal(check(), 0, 'every key gives its value');
  table.trim();
  t.equal(check(), 0, 'the same after trim()');
  for (const absent of ['F-R99999', 'F-R0000', 'F-R000001', '1000000', 'y', 'F-R0000\u0000'])
    t.equal(table.get(absent), undefined, `absent ${JSON.stringify(absent)}`);
  table.set('after-trim', 1);
  t.equal(table.get('after-trim'), 1, 'still takes keys after trim()');
  t.equal(check(), 0);
});

t.test('keys with characters beyond Latin-1 are kept too', async (t) => {
  const table = new KeyTable<string>();
  table.set('人脸-001', 'a');
  table.set('人脸-002', 'b');
  table.set('\u0101', 'c'); // same low byte as 'A' (0x01 + 0x100): must not collide with it
  table.set('\u0001', 'd');
  table.set('人脸-001', 'e');
  t.equal(table.get('人脸-001'), 'e');
  t.equal(table.get('人脸-002'), 'b');
  t.equal(table.get('\u0101'), 'c');
  t.equal(table.get('\u0001'), 'd');
  t.equal(table.get('人脸-003'), undefined);
  t.equal(table.size, 4);
});

t.test('a table made for more or fewer keys than come answers the same', async (t) => {
  for (const expect of [
    { keys: 0, chars: 0 },
    { keys: 10, chars: 50 },
    { keys: 5_000, chars: 100_000 },
  ]) {
    const table = new KeyTable<number>(expect);
    for (let i = 0; i < 1_000; i++) table.set(`K${i}`, i);
    table.trim();
    let wrong = 0;
    for (let i = 0; i < 1_000; i++) if (table.get(`K${i}`) !== i) wrong++;
    t.equal(wrong, 0, `expected ${expect.keys} keys`);
    t.equal(table.size, 1_000);
    t.equal(table.get('K1000'), undefined);
  }
});

t.test('hex keys kept as pairs stay distinct from every other spelling', async (t) => {
  const keys = [
    'ab12', // lower hex: two bytes
    'AB12', // upper hex: the same bytes, another key
    'aB12', // mixed case: kept as characters
    '\u00ab\u0012', // characters whose bytes are the packed 'ab12'
    'ab1', // odd length
    '1234', // digits only
    '12', // the same digits, shorter
    'f'.repeat(64),
    'F'.repeat(64),
    '0'.repeat(64),
    'abcdefgh', // not hex past 'f'
  ];
  const table = new KeyTable<number>({ keys: 2, chars: 4 });
  for (const [i, k] of keys.entries()) table.set(k, i);
  table.trim();
  for (const [i, k] of keys.entries()) t.equal(table.get(k), i, JSON.stringify(k));
  for (const absent of ['Ab12', 'ab13', 'AB1', '123', '1234 ', 'f'.repeat(63), 'f'.repeat(66)])
    t.equal(table.get(absent), undefined, `absent ${JSON.stringify(absent)}`);
  t.equal(table.size, keys.length);
});

t.test(
  'SQLite counts the bytes of a key as keyBytes() does (the roster sizes its tables by it)',
  async (t) => {
    const db = new Database(':memory:');
    t.teardown(() => db.close());
    db.exec('CREATE TABLE credentials (key TEXT)');
    const keys = [
      'ab12',
      'AB12',
      'aB12',
      'ab1',
      '1234',
      '',
      'F-R00001',
      '1000000A',
      'f'.repeat(64),
      '人脸-01',
      'abcg',
    ];
    const ins = db.prepare('INSERT INTO credentials (key) VALUES (?)');
    for (const k of keys) ins.run(k);
    const rows = db.prepare(`SELECT key, ${KEY_BYTES_SQL} AS bytes FROM credentials`).all() as Array<{
      key: string;
      bytes: number;
    }>;
    for (const r of rows) t.equal(r.bytes, keyBytes(r.key), JSON.stringify(r.key));
    t.equal(keyBytes('f'.repeat(64)), 32);
    t.equal(keyBytes('F-R00001'), 8);
  },
);
