import Database from 'better-sqlite3';
import t from 'tap';
import { replayDone } from '../../bench/replay-done.js';

const journal = () => {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE journal (seq INTEGER PRIMARY KEY, reader_id TEXT, record_id TEXT, UNIQUE (reader_id, record_id))',
  );
  const ins = db.prepare('INSERT INTO journal (reader_id, record_id) VALUES (?, ?)');
  return {
    db,
    add: (reader: string, from: number, to: number) => {
      for (let i = from; i <= to; i++) ins.run(reader, `${reader}-${i}`);
    },
  };
};

t.test('done once every record is in, not before the last one is', async (t) => {
  const { db, add } = journal();
  const done = replayDone(db, 'REPLAY', 1000);
  t.equal(done(), false, 'nothing yet');
  add('REPLAY', 1, 999);
  add('L00', 1, 5000);
  t.equal(done(), false, 'the last record is missing');
  add('REPLAY', 1000, 1000);
  t.equal(done(), true);
  t.equal(done(), true, 'stays done');
});

t.test('the last record in but some missing: counted again only after a while', async (t) => {
  const { db, add } = journal();
  let now = 0;
  const done = replayDone(db, 'REPLAY', 10, () => now);
  add('REPLAY', 1, 4);
  add('REPLAY', 6, 10);
  t.equal(done(), false, 'record 5 is missing');
  add('REPLAY', 5, 5);
  now = 50;
  t.equal(done(), false, 'not counted again within 100 ms');
  now = 100;
  t.equal(done(), true, 'counted again: all ten are in');
});
