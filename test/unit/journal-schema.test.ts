import path from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { countsSince, iterateEntries, listEntries } from '../../gateway/pipeline/journal.js';
import { openDb } from '../../gateway/store/db.js';
import { MIGRATIONS } from '../../gateway/store/migrations/index.js';
import { tmpDir } from '../../testkit/tmp.js';

// Issue 15: the journal's indexes are the ones its queries use; every other index is a
// B-tree insert (and its WAL pages) on each read's commit for nothing.

/** A database as the gateway left it at schema `version`, with `n` entries and decisions. */
function atVersion(file: string, version: number, n: number): void {
  const db = new Database(file);
  for (let v = 0; v < version; v++) {
    db.exec(MIGRATIONS[v] as string);
    db.pragma(`user_version = ${v + 1}`);
  }
  const insJ = db.prepare(
    `INSERT INTO journal(reader_id, record_id, door_id, direction, ts, reader_ts, received_at, type, credential,
       score, liveness, offline, stale, thumb, extra) VALUES (?, ?, 'GATE', ?, ?, ?, ?, 'face', ?, 0.9, 1, 0, 0, NULL, NULL)`,
  );
  const insD = db.prepare(
    'INSERT INTO decisions(seq, resident_id, household_id, outcome, answer, policy, reasons) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const stranger = i % 7 === 0;
      const h = `H${i % 13}`;
      const seq = insJ.run(
        `L${i % 3}`,
        `r${i}`,
        i % 2 ? 'in' : 'out',
        1000 + i,
        1000 + i,
        1001 + i,
        `F-${i}`,
      ).lastInsertRowid;
      insD.run(
        seq,
        stranger ? null : `${h}-R1`,
        stranger ? null : h,
        stranger ? 'denied' : 'granted',
        stranger ? 'deny' : 'unlock',
        'enforce',
        stranger ? 'stranger' : 'ok',
      );
    }
  })();
  db.close();
}

const indexesOf = (db: Database.Database, table: string) =>
  db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .pluck()
    .all(table) as string[];

const plan = (db: Database.Database, sql: string, ...params: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
    .map((r) => r.detail)
    .join('; ');

t.test(
  'migrations 014 and 015 keep every entry and every answer; only the slice index is left',
  async (t) => {
    const { dir, cleanup } = tmpDir();
    t.teardown(cleanup);
    const file = path.join(dir, 'g.db');
    atVersion(file, 13, 200);
    const old = new Database(file, { readonly: true });
    t.ok(indexesOf(old, 'decisions').includes('decisions_resident'), 'schema 13 had the index');
    const before = {
      all: listEntries(old, {}, 1000),
      household: listEntries(old, { householdId: 'H5' }, 20),
      denied: listEntries(old, { outcome: 'denied' }, 1000),
      exported: [...iterateEntries(old, { since: 1050, until: 1150 })],
      counts: countsSince(old, 1100),
      decisions: old.prepare('SELECT * FROM decisions ORDER BY seq').all(),
    };
    old.close();

    const db = openDb(file);
    t.teardown(() => db.close());
    t.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    t.same(
      indexesOf(db, 'decisions'),
      ['decisions_household_slice'],
      'by resident: no query; by household: through the slices',
    );
    t.equal(before.all.length, 200);
    t.equal(before.household.length, 13, 'H5 has entries to page through');
    t.same(listEntries(db, {}, 1000), before.all, 'every entry with its decision, as before');
    t.same(listEntries(db, { householdId: 'H5' }, 20), before.household);
    t.same(listEntries(db, { outcome: 'denied' }, 1000), before.denied);
    t.same([...iterateEntries(db, { since: 1050, until: 1150 })], before.exported);
    t.same(countsSince(db, 1100), before.counts);
    t.same(db.prepare('SELECT * FROM decisions ORDER BY seq').all(), before.decisions, 'the rows themselves');
  },
);

t.test('the journal queries still find their rows by an index, never by a scan of decisions', async (t) => {
  const db = openDb(':memory:');
  t.teardown(() => db.close());
  const slice = plan(
    db,
    `SELECT j.seq FROM journal j JOIN decisions d ON d.seq = j.seq
      WHERE d.household_id = ? AND (d.seq >> 12) = ? ORDER BY d.seq DESC LIMIT 20`,
    'H1',
    3,
  );
  t.match(slice, /decisions_household_slice/, "a household's slice is one index seek");
  t.notMatch(slice, /SCAN d\b/);
  const joined = plan(db, 'SELECT j.seq FROM journal j JOIN decisions d ON d.seq = j.seq WHERE j.ts >= ?', 0);
  t.match(joined, /SEARCH d USING INTEGER PRIMARY KEY/, 'decisions are joined by seq');
});

t.test(
  "a household's entries through the slices: the same as a scan of the journal, every filter",
  async (t) => {
    const { dir, cleanup } = tmpDir();
    t.teardown(cleanup);
    const file = path.join(dir, 'g.db');
    // 5,000 entries: five slices. H0…H12 as atVersion spreads them; then an idle household.
    atVersion(file, MIGRATIONS.length, 5000);
    const db = openDb(file);
    t.teardown(() => db.close());
    db.prepare("UPDATE decisions SET household_id = 'IDLE' WHERE seq IN (3, 700, 4500)").run();
    db.prepare('DELETE FROM journal WHERE seq < 100').run();
    db.prepare('DELETE FROM decisions WHERE seq < 100').run();
    // The reference: the plain query, decisions scanned in seq order, no index involved.
    const scan = db.prepare(
      `SELECT d.seq FROM decisions d NOT INDEXED JOIN journal j ON j.seq = d.seq
      WHERE d.household_id = @h AND (@before IS NULL OR d.seq < @before) AND (@after IS NULL OR d.seq > @after)
        AND (@outcome IS NULL OR d.outcome = @outcome) AND (@reader IS NULL OR j.reader_id = @reader)
      ORDER BY d.seq DESC LIMIT @n`,
    );
    let cases = 0;
    for (const h of ['H0', 'H5', 'H12', 'IDLE', 'NOBODY'])
      for (const before of [undefined, 1, 100, 4096, 4097, 8192, 8193, 9001, 99999])
        for (const after of [undefined, 0, 700, 4095, 8191])
          for (const outcome of [undefined, 'granted', 'denied'] as const)
            for (const readerId of [undefined, 'L1'])
              for (const n of [1, 20, 1000]) {
                const want = scan.pluck().all({
                  h,
                  before: before ?? null,
                  after: after ?? null,
                  outcome: outcome ?? null,
                  reader: readerId ?? null,
                  n,
                });
                const got = listEntries(db, { householdId: h, before, after, outcome, readerId }, n).map(
                  (e) => e.seq,
                );
                if (JSON.stringify(got) !== JSON.stringify(want))
                  t.fail(
                    `${h} before ${before} after ${after} ${outcome} ${readerId} n ${n}: ${got} != ${want}`,
                  );
                cases++;
              }
    t.equal(cases, 5 * 9 * 5 * 3 * 2 * 3);
    t.same(
      listEntries(db, { householdId: 'IDLE' }, 20).map((e) => e.seq),
      [4500, 700],
      'an idle household: its entries in old slices are found, the purged one is not',
    );
    const all = [...iterateEntries(db, {})].reverse();
    t.same(
      listEntries(db, { householdId: 'H5' }, 1000),
      all.filter((e) => e.householdId === 'H5'),
      'the rows themselves, not only the seqs',
    );
  },
);
