import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { hashIdNumber } from '../../core/id-number.js';
import { parseRoster } from '../../gateway/roster/import.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';
import { openDb } from '../../gateway/store/db.js';

const KEY = 'ab'.repeat(32);
const fixture = (f: string) =>
  readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'roster', f), 'utf8');

t.test('JSON and CSV forms of the same roster give the same snapshot', async (t) => {
  const j = parseRoster(fixture('valid.json'), 'json', KEY);
  const c = parseRoster(fixture('valid.csv'), 'csv', KEY);
  t.same(j.errors, []);
  t.same(c.errors, []);
  t.ok(j.snapshot && c.snapshot);
  t.same(c.snapshot?.residents, j.snapshot?.residents);
  t.same(
    [...(c.snapshot?.credentials ?? [])].sort((a, b) =>
      `${a.kind}${a.key}`.localeCompare(`${b.kind}${b.key}`),
    ),
    [...(j.snapshot?.credentials ?? [])].sort((a, b) =>
      `${a.kind}${a.key}`.localeCompare(`${b.kind}${b.key}`),
    ),
  );
  t.equal(j.version, '2026-05-01');
  const s = j.snapshot!;
  t.equal(s.households.length, 2);
  t.equal(
    s.households.find((h) => h.id === 'B02-0502')?.housingType,
    'lianzu',
    'Chinese housing type mapped',
  );
  const r1 = s.residents.find((r) => r.id === 'R0001')!;
  t.equal(r1.idMasked, '310***********2014');
  t.equal(r1.idHash, hashIdNumber(KEY, '310115198001152014'));
  t.equal(r1.phoneMasked, '138****5678');
  t.equal(s.residents.find((r) => r.id === 'R0004')?.role, 'leaseholder', '承租人 mapped');
  t.ok(
    s.credentials.some((c) => c.kind === 'card' && c.key === '7F3E219A'),
    'card UID normalized',
  );
  t.notOk(JSON.stringify(s).includes('310115198001152014'), 'no raw ID number in the snapshot');
  t.equal(s.buildings.find((b) => b.id === 'B01')?.name, '1号楼');
});

t.test('a file with bad rows imports nothing and lists line, field and reason', async (t) => {
  const r = parseRoster(fixture('bad.csv'), 'csv', KEY);
  t.equal(r.snapshot, null);
  const got = r.errors.map((e) => `${e.line} ${e.field}: ${e.reason}`);
  t.match(got, [
    /^2 id_number: check digit/,
    /^3 role: household B01-0301 already has an active leaseholder/,
    /^3 card_uids: card 04A1B2C3 is already given to resident R0001/,
    /^4 housing_type: must be one of/,
    /^4 lease_end: must be a date/,
    /^4 name: required/,
    /^5 resident_id: duplicate resident id R0001/,
    /^5 card_uids: card UID must be/,
  ]);
  t.equal(got.length, 8);
});

t.test('JSON errors carry the line of the offending object', async (t) => {
  const bad = fixture('valid.json')
    .replace('"310107197503103218"', '"310107197503103219"')
    .replace('"role": "co_resident",\n          "name": "赵敏"', '"role": "boss",\n          "name": "赵敏"');
  const r = parseRoster(bad, 'json', KEY);
  t.equal(r.snapshot, null);
  t.same(
    r.errors.map((e) => [e.line, e.field]),
    [
      [60, 'idNumber'],
      [66, 'role'],
    ],
  );
  const notJson = parseRoster('{"households": [\n{ "id": }', 'json', KEY);
  t.equal(notJson.errors.length, 1);
  t.match(notJson.errors[0]?.reason, /not valid JSON/);
  t.equal(notJson.errors[0]?.line, 2);
});

t.test('merge and replace into SQLite, then the in-memory index', async (t) => {
  const db = openDb(':memory:');
  t.teardown(() => db.close());
  const s = parseRoster(fixture('valid.json'), 'json', KEY).snapshot!;
  const st = saveRoster(db, s, 'merge', 1, 'v1');
  t.match(st, { households: 2, residents: 5, movedOut: 0 });
  const idx = RosterIndex.load(db);
  t.equal(idx.lookup('face', 'F-R0001')?.id, 'R0001');
  t.equal(idx.lookup('card', '04A1B2C3')?.householdId, 'B01-0301');
  t.equal(idx.lookup('idcard', hashIdNumber(KEY, '310107197503103218'))?.id, 'R0004');
  t.equal(idx.lookup('fingerprint', '17')?.id, 'R0003');
  t.equal(idx.members('B01-0301').length, 3);

  // Replace with a roster that lost household B02-0502 and resident R0003.
  const smaller = {
    ...s,
    households: s.households.filter((h) => h.id !== 'B02-0502'),
    residents: s.residents.filter((r) => r.householdId !== 'B02-0502' && r.id !== 'R0003'),
    credentials: s.credentials.filter((c) => !['R0003', 'R0004', 'R0005'].includes(c.residentId)),
  };
  const st2 = saveRoster(db, smaller, 'replace', 2, 'v2');
  t.equal(st2.movedOut, 2, 'R0003 and R0004 become moved_out (R0005 already was)');
  t.equal(st2.terminated, 1);
  const idx2 = RosterIndex.load(db);
  const r4 = idx2.lookup('face', 'F-R0004');
  t.equal(r4?.status, 'moved_out', 'a moved-out tenant is still recognised, as inactive');
  t.equal(idx2.households.get('B02-0502')?.status, 'terminated');
});
