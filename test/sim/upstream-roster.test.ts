import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { keyId, publicTextOf } from '../../core/signing.js';
import { demoDistrictKey } from '../../sim/district-key.js';
import { SimRosterIssuer } from '../../sim/upstream-roster.js';
import { districtKey, districtRoster } from '../../testkit/roster-sync.js';

const ROOT = path.join(import.meta.dirname, '..', '..');

t.test('the demo config trusts the simulated district system’s demo key', async (t) => {
  const cfg = parse(readFileSync(path.join(ROOT, 'config/default.yaml'), 'utf8')) as {
    sim: { seed: number };
    rosterSync: { publicKeys: Array<{ key: string }> };
  };
  t.equal(cfg.rosterSync.publicKeys[0]?.key, publicTextOf(demoDistrictKey(cfg.sim.seed)));
  t.not(keyId(demoDistrictKey(1)), keyId(demoDistrictKey(2)), 'another seed, another key');
});

t.test('the issuer: deltas chain, since() answers deltas or a snapshot, a cut takes a version', async (t) => {
  const k = districtKey();
  const issuer = new SimRosterIssuer({
    estate: 'SH-TEST',
    key: k.key,
    roster: districtRoster(),
    startVersion: 10,
  });
  t.equal(issuer.version, 10);
  const d11 = issuer.moveOut('R00002');
  t.same([d11.payload.version, d11.payload.base], [11, 10]);
  issuer.delta({ terminate: ['H2'] });
  t.same(
    issuer.since(10).map((m) => m.payload.version),
    [11, 12],
    'deltas reach back to 10',
  );
  t.same(issuer.since(12), [], 'nothing after the head');
  t.same(
    issuer.since(0).map((m) => [m.payload.kind, m.payload.version]),
    [
      ['snapshot', 10],
      ['delta', 11],
      ['delta', 12],
    ],
  );
  const cut = issuer.cutSnapshot();
  t.equal(cut.payload.version, 13, 'a snapshot cut takes the next version');
  t.same(
    issuer.since(11).map((m) => [m.payload.kind, m.payload.version]),
    [['snapshot', 13]],
  );
  const residents = (issuer.roster.households[0] as { residents: Array<{ id: string; status?: string }> })
    .residents;
  t.equal(
    residents.find((r) => r.id === 'R00002')?.status,
    'moved_out',
    'the issuer’s roster follows its deltas',
  );
  const pointer = issuer.pointer();
  t.same([pointer.payload.version, pointer.payload.snapshot?.version], [13, 13]);
});
