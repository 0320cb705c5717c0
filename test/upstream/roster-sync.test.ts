import path from 'node:path';
import t, { type Test } from 'tap';
import { ManualClock } from '../../core/clock.js';
import {
  type RosterMessage,
  type RosterPayload,
  signDelta,
  signPointer,
  signSnapshot,
} from '../../core/roster-message.js';
import { signPayload } from '../../core/signing.js';
import type { AlertCandidate } from '../../gateway/alerts/per-entry.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { parseRoster } from '../../gateway/roster/import.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { RosterSync } from '../../gateway/roster/sync/roster-sync.js';
import { trustedKeys } from '../../gateway/roster/sync/trusted-keys.js';
import { Store } from '../../gateway/store/store.js';
import { districtKey, districtRoster } from '../../testkit/roster-sync.js';
import { tmpDir } from '../../testkit/tmp.js';

const ESTATE = 'SH-TEST';
const A = districtKey('district 2026');
const B = districtKey('district 2027');
const issuer = (key = A.key) => ({ estate: ESTATE, key, issuedAt: '2026-05-01T08:00:00.000Z' });

/** A verifier on a fresh store, trusting `keys`; what it raised and reloaded is kept. */
function setup(t: Test, keys = [A.config]) {
  const { dir, cleanup } = tmpDir('rsync-');
  const store = new Store(path.join(dir, 'gateway.db'));
  store.open();
  t.teardown(() => {
    store.close();
    cleanup();
  });
  const alerts: AlertCandidate[] = [];
  let reloads = 0;
  const metrics = createMetrics();
  const make = (k = keys) =>
    new RosterSync({
      store,
      estateId: ESTATE,
      keys: trustedKeys(k),
      idHashKey: () => 'ab'.repeat(32),
      maxBytes: 1024 * 1024,
      reload: () => {
        reloads++;
      },
      alarms: { raise: (c) => alerts.push(c) },
      metrics,
      log: silentLogger(),
      clock: new ManualClock(),
    });
  const sync = make();
  sync.load();
  const residents = () =>
    Object.fromEntries(
      (
        store.db.prepare('SELECT id, status FROM residents ORDER BY id').all() as Array<{
          id: string;
          status: string;
        }>
      ).map((r) => [r.id, r.status]),
    );
  const count = async (outcome: string) =>
    ((await metrics.rosterSync.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0) as number;
  return { store, sync, alerts, reloads: () => reloads, residents, make, count };
}

const send = (sync: RosterSync, m: RosterMessage | string | Buffer) =>
  sync.accept(typeof m === 'string' || Buffer.isBuffer(m) ? m : JSON.stringify(m), 'mqtt');

t.test('a snapshot, then deltas that chain: applied in order, the roster follows', async (t) => {
  const s = setup(t);
  t.same(send(s.sync, signSnapshot(issuer(), 1, districtRoster())), { result: 'applied', version: 1 });
  t.same(s.residents(), { R00001: 'active', R00002: 'active', R00003: 'active' });
  t.equal(s.sync.state?.keyId, A.keyId, 'the signer is kept');
  t.equal(
    s.store.db.prepare("SELECT value FROM meta WHERE key = 'roster_version'").pluck().get(),
    'upstream:1',
  );
  const hash = s.store.db
    .prepare("SELECT id_hash FROM residents WHERE id = 'R00001'")
    .pluck()
    .get() as string;
  t.match(hash, /^[0-9a-f]{64}$/, 'the ID number is kept as a keyed hash');
  t.notOk(JSON.stringify(s.store.db.prepare('SELECT * FROM residents').all()).includes('11010519491231002X'));

  t.same(send(s.sync, signDelta(issuer(), 2, { moveOut: ['R00002'] })), { result: 'applied', version: 2 });
  t.equal(s.residents().R00002, 'moved_out', 'the resident who left is moved_out');
  const newcomer = {
    households: [
      {
        id: 'H2',
        building: 'B02',
        room: '0201',
        housingType: 'baozu',
        residents: [{ id: 'R00009', role: 'co_resident', name: '赵敏', credentials: { face: ['F-R00009'] } }],
      },
    ],
  };
  t.same(send(s.sync, signDelta(issuer(), 3, { upsert: newcomer })), { result: 'applied', version: 3 });
  t.equal(s.residents().R00009, 'active', 'a new co-resident comes in by delta');
  t.equal(s.residents().R00003, 'active', 'a household upsert leaves residents it does not name alone');
  t.equal(s.reloads(), 3, 'every applied message reloads the index and the reader libraries');
  t.equal(s.alerts.length, 0);
});

t.test(
  'tampered, unsigned, unknown-key and wrong-estate messages are refused; the roster is kept',
  async (t) => {
    const s = setup(t);
    send(s.sync, signSnapshot(issuer(), 1, districtRoster()));
    const before = s.residents();

    const tampered = signDelta(issuer(), 2, { moveOut: ['R00003'] });
    (tampered.payload.changes as { moveOut: string[] }).moveOut = ['R00001'];
    t.match(send(s.sync, tampered), { result: 'refused', reason: 'bad_signature' }, 'an altered payload');

    const oneByte = JSON.stringify(signDelta(issuer(), 2, { moveOut: ['R00003'] })).replace(
      'R00003',
      'R00001',
    );
    t.match(send(s.sync, oneByte), { result: 'refused', reason: 'bad_signature' }, 'one changed id');

    const unsigned = { payload: signDelta(issuer(), 2, { moveOut: ['R00001'] }).payload };
    t.match(send(s.sync, JSON.stringify(unsigned)), { result: 'refused', reason: 'unsigned' });

    const stranger = districtKey('not ours');
    t.match(send(s.sync, signDelta(issuer(stranger.key), 2, { moveOut: ['R00001'] })), {
      result: 'refused',
      reason: 'unknown_key',
    });

    const elsewhere = signDelta({ ...issuer(), estate: 'SH-OTHER' }, 2, { moveOut: ['R00001'] });
    t.match(send(s.sync, elsewhere), { result: 'refused', reason: 'wrong_estate' });
    t.match(send(s.sync, 'not json at all'), { result: 'refused', reason: 'malformed' });
    t.match(send(s.sync, Buffer.alloc(2 * 1024 * 1024, 0x20)), { result: 'refused', reason: 'too_large' });

    t.same(s.residents(), before, 'the last good roster is kept');
    t.equal(s.sync.state?.version, 1);
    t.same(
      s.alerts.map((a) => [a.kind, a.subject]),
      [
        ['roster_refused', 'roster:bad_signature'],
        ['roster_refused', 'roster:bad_signature'],
        ['roster_refused', 'roster:unsigned'],
        ['roster_refused', 'roster:unknown_key'],
        ['roster_refused', 'roster:wrong_estate'],
        ['roster_refused', 'roster:malformed'],
        ['roster_refused', 'roster:too_large'],
      ],
      'each refusal raises an alert',
    );
    t.equal(await s.count('bad_signature'), 2, 'and is counted by reason');
    const log = s.sync.journal.recent(10).map((r) => r.reason);
    t.same(log.slice(0, 3), ['too_large', 'malformed', 'wrong_estate'], 'and kept in the sync log');
  },
);

t.test(
  'replays: a redelivery is quiet, an old message never applied here is refused and alerted',
  async (t) => {
    const s = setup(t);
    const snap = signSnapshot(issuer(), 1, districtRoster());
    const d2 = signDelta(issuer(), 2, { moveOut: ['R00002'] });
    send(s.sync, snap);
    send(s.sync, d2);
    send(s.sync, signDelta(issuer(), 3, { terminate: ['H2'] }));
    t.same(
      send(s.sync, d2),
      { result: 'duplicate', version: 2 },
      'the same delta again (QoS 1): taken quietly',
    );
    t.same(send(s.sync, snap), { result: 'duplicate', version: 1 }, 'the old snapshot again: quiet too');
    t.equal(s.alerts.length, 0);

    const forkedD2 = signDelta(issuer(), 2, { moveOut: ['R00001'] });
    t.match(send(s.sync, forkedD2), { result: 'refused', reason: 'replayed' }, 'another delta 2 is a replay');
    const oldSnap = signSnapshot(issuer(), 2, districtRoster());
    t.match(
      send(s.sync, oldSnap),
      { result: 'refused', reason: 'replayed' },
      'a snapshot older than the roster',
    );
    const oldPointer = signPointer(issuer(), 2, snap);
    t.match(
      send(s.sync, oldPointer),
      { result: 'refused', reason: 'replayed' },
      'a pointer behind the roster',
    );
    t.equal(s.residents().R00001, 'active', 'nothing of the replays was applied');
    t.equal(s.sync.state?.version, 3);
    t.equal(s.alerts.length, 3, 'each replay alerted');
  },
);

t.test(
  'a gap asks for what is missing and applies nothing; the chain resumes after a catch-up',
  async (t) => {
    const s = setup(t);
    send(s.sync, signSnapshot(issuer(), 1, districtRoster()));
    const d5 = signDelta(issuer(), 5, { moveOut: ['R00001'] });
    t.same(send(s.sync, d5), { result: 'behind', version: 5, since: 1, why: 'gap: roster at 1' });
    t.equal(s.residents().R00001, 'active', 'the delta after the gap is not applied');
    t.equal(s.alerts.length, 0, 'a gap is not an attack: no alert');
    t.equal(s.sync.since, 1, 'a catch-up starts after version 1');
    const pointer = signPointer(issuer(), 5, signSnapshot(issuer(), 1, districtRoster()));
    t.match(send(s.sync, pointer), { result: 'behind', since: 1 }, 'a newer pointer: behind');
    for (const v of [2, 3, 4]) send(s.sync, signDelta(issuer(), v, {}));
    t.same(send(s.sync, d5), { result: 'applied', version: 5 }, 'once 2–4 came, 5 chains');
    t.equal(s.residents().R00001, 'moved_out');
    t.match(send(s.sync, signPointer(issuer(), 5, signSnapshot(issuer(), 1, districtRoster()))), {
      result: 'current',
    });
  },
);

t.test('key rotation: two keys valid during the changeover, the old one refused once retired', async (t) => {
  const s = setup(t, [A.config, B.config]);
  t.match(send(s.sync, signSnapshot(issuer(A.key), 1, districtRoster())), { result: 'applied' });
  t.match(send(s.sync, signDelta(issuer(B.key), 2, { moveOut: ['R00002'] })), { result: 'applied' });
  t.equal(s.sync.state?.keyId, B.keyId, 'the new signer is shown');
  const retired = s.make([B.config]);
  retired.load();
  t.match(send(retired, signDelta(issuer(A.key), 3, { moveOut: ['R00003'] })), {
    result: 'refused',
    reason: 'unknown_key',
  });
  t.match(send(retired, signDelta(issuer(B.key), 3, { moveOut: ['R00003'] })), { result: 'applied' });
});

t.test('a delta that does not fit is refused whole: nothing of it is half-applied', async (t) => {
  const s = setup(t);
  send(s.sync, signSnapshot(issuer(), 1, districtRoster()));
  const before = s.residents();
  const half = signDelta(issuer(), 2, {
    upsert: {
      households: [
        {
          id: 'H3',
          building: 'B02',
          room: '0301',
          housingType: 'gongzu',
          residents: [
            { id: 'R00010', role: 'leaseholder', name: '钱七', credentials: { face: ['F-R00010'] } },
          ],
        },
      ],
    },
    moveOut: ['R99999'],
  });
  t.match(send(s.sync, half), { result: 'refused', reason: 'invalid_roster', kind: 'delta' });
  t.same(
    s.residents(),
    before,
    'the household and resident the delta upserted before its bad part are not there',
  );
  t.equal(s.store.db.prepare("SELECT count(*) FROM households WHERE id = 'H3'").pluck().get(), 0);
  t.equal(s.sync.state?.version, 1);

  const badRoster = districtRoster();
  (badRoster.households[0] as { residents: Array<{ idNumber?: string }> }).residents[0]!.idNumber =
    '110105194912310021';
  t.match(send(s.sync, signSnapshot(issuer(), 2, badRoster)), {
    result: 'refused',
    reason: 'invalid_roster',
    detail: /check digit/,
  });
  t.same(s.residents(), before, 'a snapshot with a bad row changes nothing');
  t.notMatch(JSON.stringify(s.sync.journal.recent(5)), /110105194912310021/, 'no ID number in the sync log');
});

t.test('a file import since the last sync: deltas wait for a snapshot, which then replaces it', async (t) => {
  const s = setup(t);
  send(s.sync, signSnapshot(issuer(), 1, districtRoster()));
  const parsed = parseRoster(JSON.stringify(districtRoster()), 'json', 'cd'.repeat(32));
  saveRoster(s.store.db, parsed.snapshot!, 'merge', Date.now(), 'local-file');
  t.match(send(s.sync, signDelta(issuer(), 2, { moveOut: ['R00002'] })), { result: 'behind', since: 0 });
  t.equal(s.sync.since, 0, 'a catch-up asks for a snapshot');
  t.match(
    send(s.sync, signSnapshot(issuer(), 1, districtRoster())),
    { result: 'duplicate' },
    'an applied one is no news',
  );
  t.match(send(s.sync, signSnapshot(issuer(), 2, districtRoster())), { result: 'applied', version: 2 });
  t.equal(s.sync.since, 2);
});

t.test('messages that are no roster message: bad framing is malformed, never a crash', async (t) => {
  const s = setup(t);
  const bad: Array<[string, unknown]> = [
    ['no payload', { signature: { alg: 'Ed25519', keyId: A.keyId, sig: 'AA==' } }],
    ['an array', []],
    ['a delta whose base is not version - 1', { ...signDelta(issuer(), 3, {}).payload, base: 1 }],
    [
      'a version that is no integer',
      { ...signSnapshot(issuer(), 1, districtRoster()).payload, version: 1.5 },
    ],
    ['a snapshot without households', { ...signSnapshot(issuer(), 1, districtRoster()).payload, roster: {} }],
    ['deep nesting', { ...signSnapshot(issuer(), 1, districtRoster()).payload, x: nest(200) }],
  ];
  for (const [what, v] of bad) {
    const msg = Array.isArray(v) || 'signature' in (v as object) ? v : signOrRaw(v as RosterPayload);
    const o = send(s.sync, JSON.stringify(msg));
    t.match(o, { result: 'refused', reason: 'malformed' }, what);
  }
  t.equal(s.sync.state, null, 'nothing applied');
});

function nest(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

/** Signs what it can; a payload the canonical form refuses goes out with a dummy signature. */
function signOrRaw(p: RosterPayload): unknown {
  try {
    return signPayload(p, A.key);
  } catch {
    return { payload: p, signature: { alg: 'Ed25519', keyId: A.keyId, sig: 'AA==' } };
  }
}
