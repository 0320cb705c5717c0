import t from 'tap';
import { idNumberProblem } from '../../core/id-number.js';
import { parseRoster } from '../../gateway/roster/import.js';
import { cosine } from '../../sim/embedding.js';
import { generateEstate } from '../../sim/estate.js';
import { chineseName, mobileNumber, shanghaiIdNumber } from '../../sim/names.js';
import { Random } from '../../sim/random.js';
import { simTestConfig } from './layout.js';

const KEY = 'ab'.repeat(32);
const TODAY = '2026-05-01';
const config = simTestConfig();

/** Map.groupBy arrived in Node 21; the gateway runs on Node 20. */
function groupBy<T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

t.test('random: deterministic per seed, forks independent of draws', async (t) => {
  const a = new Random(42);
  const b = new Random(42);
  const xs = Array.from({ length: 50 }, () => a.next());
  t.same(
    Array.from({ length: 50 }, () => b.next()),
    xs,
  );
  t.ok(xs.every((x) => x >= 0 && x < 1));
  t.not(new Random(43).next(), xs[0]);
  const c = new Random(42);
  c.next();
  t.equal(c.fork('x').next(), new Random(42).fork('x').next(), 'a fork does not depend on the parent state');
  const r = new Random(1);
  for (let i = 0; i < 1000; i++) {
    const n = r.int(3, 5);
    if (n < 3 || n > 5 || !Number.isInteger(n)) t.fail(`int out of range: ${n}`);
  }
  const xs2 = Array.from({ length: 5000 }, () => r.normal(10, 2));
  const mean = xs2.reduce((s, x) => s + x, 0) / xs2.length;
  t.ok(Math.abs(mean - 10) < 0.2, `normal mean ${mean.toFixed(3)}`);
  t.same(r.shuffle([1, 2, 3, 4, 5]).sort(), [1, 2, 3, 4, 5]);
  t.throws(() => r.pick([]));
});

t.test('names, ID numbers and phones look right', async (t) => {
  const r = new Random(9);
  for (let i = 0; i < 500; i++) {
    const id = shanghaiIdNumber(r, '1988-02-29', i % 2 === 0 ? 'M' : 'F');
    if (idNumberProblem(id) !== null || !/^3101\d{2}19880229\d{3}[\dX]$/.test(id))
      t.fail(`bad ID number ${id}`);
    if (Number(id[16]) % 2 !== (i % 2 === 0 ? 1 : 0)) t.fail(`sex digit of ${id}`);
    const name = chineseName(r, 'F');
    if (!/^[\u4e00-\u9fff]{2,4}$/.test(name)) t.fail(`odd name ${name}`);
    if (!/^1[3-9]\d{9}$/.test(mobileNumber(r))) t.fail('odd phone');
  }
  t.pass('500 of each checked');
});

t.test('same seed, same estate; another seed, another estate', async (t) => {
  const a = generateEstate(config, { seed: 7, households: 120, today: TODAY });
  const b = generateEstate(config, { seed: 7, households: 120, today: TODAY });
  t.same(JSON.stringify(a.roster), JSON.stringify(b.roster));
  t.same(
    a.persons.map((p) => [p.id, p.name, p.card, p.homeDoors.join()]),
    b.persons.map((p) => [p.id, p.name, p.card, p.homeDoors.join()]),
  );
  t.ok(
    a.persons.every((p, i) => cosine(p.embedding, b.persons[i]?.embedding ?? new Float32Array(128)) === 1),
  );
  const c = generateEstate(config, { seed: 8, households: 120, today: TODAY });
  t.not(JSON.stringify(c.roster), JSON.stringify(a.roster));
});

t.test('the roster imports with no errors and has the described shape', async (t) => {
  const estate = generateEstate(config, { seed: 1, households: 400, today: TODAY });
  const res = parseRoster(JSON.stringify(estate.roster), 'json', KEY);
  t.same(res.errors, [], 'no import errors');
  const snap = res.snapshot;
  if (!snap) throw new Error('no snapshot');
  t.equal(res.version, estate.roster.version);
  t.equal(snap.households.length, 400);
  t.same(snap.buildings.map((b) => [b.id, b.name]).sort(), [
    ['B1', '1号楼'],
    ['B2', '2号楼'],
  ]);
  t.same(snap.entrances.map((e) => e.id).sort(), ['B1-U1', 'B1-U2']);
  t.same(
    new Set(snap.households.map((h) => h.housingType)),
    new Set(['lianzu', 'gongzu', 'baozu', 'gongyou']),
  );
  t.ok(
    snap.households.every((h) => /^\d{4}$/.test(h.room)),
    'rooms like 0301',
  );
  const terminated = snap.households.filter((h) => h.status === 'terminated');
  t.ok(
    terminated.length >= 2 && terminated.length <= 4,
    `a couple of households terminated (${terminated.length})`,
  );
  t.ok(terminated.every((h) => h.leaseEnd !== null && h.leaseEnd < TODAY));
  t.ok(
    snap.households
      .filter((h) => h.status === 'active')
      .every((h) => h.leaseEnd === null || h.leaseEnd > TODAY),
    'active leases are current',
  );

  // Residents: 1–5 per household, exactly one active leaseholder in each active one.
  const byHousehold = groupBy(snap.residents, (r) => r.householdId);
  for (const h of snap.households) {
    const rs = byHousehold.get(h.id) ?? [];
    if (rs.length < 1 || rs.length > 5) t.fail(`${h.id} has ${rs.length} residents`);
    const lh = rs.filter((r) => r.role === 'leaseholder' && r.status === 'active').length;
    if (h.status === 'active' && lh !== 1) t.fail(`${h.id} has ${lh} active leaseholders`);
  }
  const n = snap.residents.length;
  const movedOut = snap.residents.filter((r) => r.status === 'moved_out').length;
  t.ok(Math.abs(movedOut / n - 0.03) < 0.005, `~3% moved out (${movedOut}/${n})`);
  t.ok(snap.residents.every((r) => r.idHash && r.idMasked?.startsWith('310') && r.phoneMasked));
  const creds = groupBy(snap.credentials, (c) => c.kind);
  t.equal(creds.get('face')?.length, n, 'everyone has a face');
  t.equal(creds.get('idcard')?.length, n, 'everyone has an ID number (unique)');
  const cards = creds.get('card')?.length ?? 0;
  t.ok(Math.abs(cards / n - 0.6) < 0.06, `~60% carry a card (${cards}/${n})`);
  t.ok(creds.get('card')?.every((c) => /^[0-9A-F]{8}$/.test(c.key)));
  t.ok(
    estate.roster.households.flatMap((h) => h.residents).every((r) => idNumberProblem(r.idNumber) === null),
  );
});

t.test('persons: kinds, credentials, doors, embeddings', async (t) => {
  const estate = generateEstate(config, { seed: 3, households: 300, today: TODAY });
  const residents = estate.persons.filter((p) => p.kind !== 'stranger');
  const strangers = estate.persons.filter((p) => p.kind === 'stranger');
  t.ok(Math.abs(strangers.length / residents.length - 0.02) < 0.005, `~2% strangers (${strangers.length})`);
  t.ok(strangers.every((p) => p.facePersonId === null && p.strangerId === p.id && !p.residentId));
  t.equal(new Set(strangers.map((p) => p.strangerId)).size, strangers.length, 'stable distinct stranger ids');
  t.ok(residents.every((p) => p.facePersonId === `F-${p.residentId}`));
  t.equal(
    estate.persons.filter((p) => p.kind === 'moved_out').length,
    estate.roster.households.flatMap((h) => h.residents).filter((r) => r.status === 'moved_out').length,
  );
  for (const p of estate.persons) {
    let norm = 0;
    for (const x of p.embedding) norm += x * x;
    if (p.embedding.length !== 128 || Math.abs(Math.sqrt(norm) - 1) > 1e-5)
      t.fail(`${p.id} embedding not unit 128-dim`);
    const gates = p.homeDoors.filter((d) => d.startsWith('GATE-'));
    if (gates.join() !== 'GATE-N,GATE-S') t.fail(`${p.id} gates ${gates.join()}`);
  }
  const inB1U2 = residents.find((p) => p.entranceId === 'B1-U2');
  t.same(
    inB1U2?.homeDoors,
    ['B1-U2', 'GATE-N', 'GATE-S'],
    'an entrance resident uses their entrance and the gates',
  );
  const inB2 = residents.find((p) => p.buildingId === 'B2');
  t.same(inB2?.homeDoors, ['B2', 'GATE-N', 'GATE-S']);
  t.equal(inB2?.entranceId, undefined, 'B2 has no entrances');
});

t.test('an estate with only gates still has homes', async (t) => {
  const e = generateEstate({ doors: [{ id: 'G' }] }, { seed: 1, households: 5, today: TODAY });
  t.same(parseRoster(JSON.stringify(e.roster), 'json', KEY).errors, []);
  t.ok(e.persons.every((p) => p.homeDoors.join() === 'G'));
});
