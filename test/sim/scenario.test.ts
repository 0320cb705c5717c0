import t from 'tap';
import { DAY_MS, shanghaiMidnight } from '../../sim/dates.js';
import { layoutOf, planDay } from '../../sim/day-plan.js';
import { cosine, decodeEmbedding } from '../../sim/embedding.js';
import { generateEstate } from '../../sim/estate.js';
import { credentialOf } from '../../sim/presentation.js';
import { Random } from '../../sim/random.js';
import { EstateSimulation } from '../../sim/scenario.js';
import { until } from '../../testkit/gateway.js';
import { simTestConfig } from './layout.js';
import { startResponder } from './responder.js';

const config = simTestConfig();
const estate = generateEstate(config, { seed: 5, households: 100, today: '2026-05-01' });
const layout = layoutOf(config);
const MAY_1 = Date.parse('2026-05-01T00:00:00+08:00');
const readerDoor = new Map(config.readers.map((r) => [r.id, r]));

t.test('a planned day: about three reads per resident, through their own doors', async (t) => {
  t.equal(shanghaiMidnight(MAY_1 + 13 * 3600_000), MAY_1);
  const days = [0, 1, 2, 3].map((d) => planDay(estate.persons, layout, 5, MAY_1 + d * DAY_MS));
  t.same(planDay(estate.persons, layout, 5, MAY_1), days[0], 'deterministic');
  const residents = estate.persons.filter((p) => p.kind === 'resident').length;
  const perDay = days.map(
    (moves) => moves.filter((m) => estate.persons[m.person]?.kind === 'resident').length / residents,
  );
  const mean = perDay.reduce((a, b) => a + b, 0) / perDay.length;
  t.ok(mean > 2.5 && mean < 3.5, `reads per resident per day: ${mean.toFixed(2)}`);
  for (const moves of days) {
    for (const m of moves) {
      const p = estate.persons[m.person];
      const r = readerDoor.get(m.readerId);
      if (!p || !r || !p.homeDoors.includes(r.door)) t.fail(`move at a foreign door: ${m.readerId}`);
      if (p && p.kind !== 'resident' && r?.direction !== 'in') t.fail('visitors only come in');
    }
    t.ok(
      moves.every((m, i) => i === 0 || (moves[i - 1]?.at ?? 0) <= m.at),
      'sorted',
    );
  }
  const all = days.flat();
  const hours = all.map((m) => new Date(m.at + 8 * 3600_000).getUTCHours());
  const share = (from: number, to: number) => hours.filter((h) => h >= from && h < to).length / hours.length;
  t.ok(share(6, 10) > 0.2 && share(16, 21) > 0.25, 'morning and evening peaks');
  t.ok(share(0, 5) < 0.01, 'the night is quiet');
  const strangerVisits = all.filter((m) => estate.persons[m.person]?.kind === 'stranger');
  t.ok(strangerVisits.length > 0, `strangers come by (${strangerVisits.length} in 4 days)`);
  const regulars = new Set(strangerVisits.map((m) => m.person));
  t.ok(strangerVisits.length > regulars.size, 'some strangers come back');
  t.ok(all.some((m) => m.cred === 'card') && all.some((m) => m.cred === 'face'), 'faces and cards');
  t.ok(all.filter((m) => m.cred === 'face').length > all.length * 0.7, 'mostly faces');
});

t.test('the simulation plays against a broker: opening act, valid events, commands by kind', async (t) => {
  const r = await startResponder();
  const sim = new EstateSimulation({
    estate,
    config,
    brokerUrl: r.url,
    speed: 3600,
    seed: 5,
    startTime: MAY_1 + 7 * 3600_000,
    maxReadsPerSecond: 200,
  });
  t.teardown(async () => {
    await sim.stop();
    await r.broker.stop();
  });
  const started = Date.now();
  await sim.start();
  t.equal(sim.stats().terminals.connected, config.readers.length, 'one terminal per mqtt-v1 reader');

  // Opening act: a stranger at a gate, a moved-out tenant at the old door, within seconds.
  await until(
    () => r.reads.some((x) => x.credential.type === 'face' && x.credential.personId === null),
    20_000,
    'stranger',
  );
  const first = r.reads.find((x) => x.credential.type === 'face' && x.credential.personId === null);
  t.ok(first?.readerId.startsWith('T-GATE'), `stranger at a gate (${first?.readerId})`);
  t.ok(first?.credential.type === 'face' && first.credential.embedding?.length === 128, 'with an embedding');
  t.ok(first?.image, 'and a snapshot');
  const movedOut = new Set(estate.persons.filter((p) => p.kind === 'moved_out').map((p) => p.facePersonId));
  await until(
    () => r.reads.some((x) => x.credential.type === 'face' && movedOut.has(x.credential.personId)),
    20_000,
    'moved-out tenant',
  );
  t.ok(Date.now() - started < 20_000, `both within the first seconds (${Date.now() - started} ms)`);

  // Let the day run on until enough has happened (not a fixed time: a busy machine gives
  // the simulated clock fewer turns).
  await until(
    () => sim.stats().presented > 20 && sim.stats().simTime > MAY_1 + 9 * 3600_000,
    30_000,
    'the morning',
  );
  await sim.stop();
  const s = sim.stats();
  t.same(r.rejects, [], 'every event parses');
  t.ok(s.presented > 20, `presented ${s.presented}`);
  t.equal(r.reads.length, s.presented, 'every presentation reached the broker');
  t.ok(
    s.byKind.resident.presented > 0 && s.byKind.stranger.presented >= 1 && s.byKind.moved_out.presented >= 1,
  );
  t.equal(s.commands.unlock + s.commands.deny, s.presented, 'every live read answered');
  t.equal(s.byKind.stranger.unlock, 0, 'strangers are denied');
  t.ok(s.byKind.resident.unlock > 0);
  t.ok(s.latencyMs !== null && s.latencyMs.p99 < 1000, `latency p50 ${s.latencyMs?.p50.toFixed(2)} ms`);
  t.ok(s.simTime > MAY_1 + 9 * 3600_000, 'simulated time ran at speed');
  const ids = r.reads.map((x) => `${x.readerId}/${x.recordId}`);
  t.equal(new Set(ids).size, ids.length, 'record ids unique per reader');
});

t.test('the real rate stays bounded', async (t) => {
  const r = await startResponder();
  const sim = new EstateSimulation({
    estate,
    config,
    brokerUrl: r.url,
    speed: 86_400,
    seed: 5,
    startTime: MAY_1,
    maxReadsPerSecond: 10,
    openingAct: false,
    images: false,
  });
  t.teardown(async () => {
    await sim.stop();
    await r.broker.stop();
  });
  await sim.start();
  const t0 = Date.now();
  // Until the limit has been at work for a while: 20 reads at 10/s take over a second,
  // while far more than 100 are due (a simulated day runs in a real second).
  await until(
    () => {
      const s = sim.stats();
      return s.presented >= 20 && s.backlog + s.skipped > 100;
    },
    10_000,
    '20 reads presented and the rest held back',
  );
  await sim.stop();
  const elapsed = (Date.now() - t0) / 1000;
  const s = sim.stats();
  t.ok(s.presented <= 10 * elapsed + 10 + 1, `${s.presented} reads in ${elapsed.toFixed(1)} s`);
  t.ok(s.backlog + s.skipped > 100, `the rest held back (${s.backlog}) or dropped (${s.skipped})`);
  t.ok(
    r.reads.every((x) => !x.image),
    'no images when disabled',
  );
});

t.test('credentials as terminals report them', async (t) => {
  const rng = new Random(1);
  const resident = estate.persons.find((p) => p.kind === 'resident' && p.card);
  const stranger = estate.persons.find((p) => p.kind === 'stranger');
  if (!resident || !stranger) throw new Error('estate lacks people');
  const face = credentialOf(resident, 'face', rng);
  t.ok(
    face.type === 'face' &&
      face.face.personId === resident.facePersonId &&
      face.face.score >= 0.85 &&
      face.face.score < 0.99,
  );
  t.same(credentialOf(resident, 'card', rng), { type: 'card', card: { uid: resident.card } });
  const id = credentialOf(resident, 'idcard', rng);
  t.ok(
    id.type === 'idcard' &&
      id.idcard.number === resident.idNumber &&
      /^\d{4}-06-30$/.test(id.idcard.validUntil ?? ''),
  );
  const s = credentialOf(stranger, 'card', rng);
  t.ok(
    s.type === 'face' && s.face.personId === null && s.face.score < 0.8,
    'no card: a stranger shows a face',
  );
  t.ok(
    s.type === 'face' &&
      s.face.embedding &&
      cosine(decodeEmbedding(s.face.embedding), stranger.embedding) > 0.9,
    'near their own vector',
  );
});

t.test('presentNow puts one person at one reader', async (t) => {
  const r = await startResponder();
  const sim = new EstateSimulation({
    estate,
    config,
    brokerUrl: r.url,
    speed: 1,
    seed: 5,
    startTime: MAY_1,
    openingAct: false,
  });
  t.teardown(async () => {
    await sim.stop();
    await r.broker.stop();
  });
  t.equal(sim.presentNow('S0001', 'T-B2'), null, 'not before start');
  await sim.start();
  const stranger = estate.persons.find((p) => p.kind === 'stranger');
  const id = sim.presentNow(stranger?.id ?? '', 'T-B2');
  t.ok(id);
  t.equal(sim.presentNow('nobody', 'T-B2'), null);
  await until(() => sim.stats().commands.deny === 1, 5000, 'answer');
  t.equal(sim.terminal('T-B2')?.commandCount(id ?? ''), 1);
  t.equal(sim.stats().byKind.stranger.deny, 1);
});
