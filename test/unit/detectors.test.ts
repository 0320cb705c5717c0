import t from 'tap';
import type { AlertCandidate } from '../../gateway/alerts/per-entry.js';
import { PassIndex } from '../../gateway/passes/pass-index.js';
import { openDb } from '../../gateway/store/db.js';
import { testConfig } from '../../testkit/config.js';
import { at, detectorRig, face } from '../../testkit/findings.js';
import { pass } from '../../testkit/pipeline.js';

const kinds = (l: AlertCandidate[]) => l.map((c) => `${c.kind}:${c.finding?.phase}`);
const cfg = (detectors: Record<string, unknown> = {}) => testConfig({ detectors });

t.test('leaseholder_absent: N working days of the home door without a verified entry, once', async (t) => {
  const db = openDb(':memory:');
  const { feed, faceOf } = detectorRig(db, cfg({ leaseholderAbsent: { days: 5 } }));
  const seen: string[] = [];
  feed(at(0), faceOf('F1'));
  for (let d = 1; d <= 12; d++) {
    // The door works (H2's leaseholder comes home daily); R1 (H1) and R4 (H3) never show up.
    for (const c of feed(at(d), faceOf('F3')))
      if (c.kind === 'leaseholder_absent') seen.push(`${d}:${c.householdId}:${c.finding?.phase}`);
  }
  t.same(
    seen.filter((s) => s.endsWith('open')),
    ['6:H1:open', '6:H3:open'],
    'H1 (last seen on day 0) and H3 (not seen since the start, day 0) when day 5 ended; H2 never',
  );
  t.notOk(
    seen.some((s) => s.includes('H2')),
    'H2 comes home daily',
  );
  db.close();
});

t.test('leaseholder_absent: days the home door recorded nothing (outage) do not count', async (t) => {
  const db = openDb(':memory:');
  const { feed, faceOf } = detectorRig(db, cfg({ leaseholderAbsent: { days: 5 } }));
  feed(at(0), faceOf('F1'));
  feed(at(0), faceOf('F4'));
  const out: AlertCandidate[] = [];
  // Only the gate works for 10 days: the entrance reader is down.
  for (let d = 1; d <= 10; d++) out.push(...feed(at(d), faceOf('F3'), 'T-GATE'));
  t.same(kinds(out), [], 'no absence while the home door is out of order');
  db.close();
});

t.test(
  'credential_shared: a resident card used by a foreign face on 3 days; a household member is fine',
  async (t) => {
    const db = openDb(':memory:');
    const { feed, faceOf, stranger, card, settle } = detectorRig(db, cfg());
    const out: string[] = [];
    for (let d = 0; d < 5; d++) {
      feed(at(d, 7), faceOf('F1')); // R1 uses the face terminal: the card's other faces are not R1
      out.push(...kinds(feed(at(d, 8), card('C1'))));
      out.push(...kinds(feed(at(d, 8) + 800, faceOf('F2')))); // the spouse swipes R1's card: same household
      out.push(...kinds(feed(at(d, 19), card('C1'))));
      out.push(...kinds(feed(at(d, 19) + 3900, stranger(7, d % 2)))); // captured 3.9 s after the swipe
      out.push(...kinds(settle(at(d, 19) + 60_000)));
    }
    t.same(
      out.filter((k) => k.endsWith('open')),
      ['credential_shared:open'],
      'opens on the third day, once',
    );
    t.equal(out.length, 3, 'then one update a day with the new evidence');
    db.close();
  },
);

t.test('overcrowding: more persons tied to a household than registered + margin', async (t) => {
  const db = openDb(':memory:');
  const { feed, faceOf, stranger, card, settle } = detectorRig(
    db,
    cfg({ overcrowding: { margin: 2, minDays: 2 } }),
  );
  const out: string[] = [];
  for (let d = 0; d < 3; d++) {
    out.push(...kinds(feed(at(d, 7), faceOf('F1'))));
    for (let k = 0; k < 4; k++) {
      out.push(...kinds(feed(at(d, 18 + k * 0.1), card('C1'))));
      out.push(...kinds(feed(at(d, 18 + k * 0.1) + 2500, stranger(20 + k))));
    }
    out.push(...kinds(settle(at(d, 19))));
  }
  t.ok(out.includes('overcrowding:open'), 'R1, R2 registered; R1 + 4 others seen');
  t.equal(out.filter((k) => k === 'overcrowding:open').length, 1, 'never twice');
  db.close();
});

t.test(
  'suspected_sublet: nobody registered seen for 5 days while a foreign face uses their card',
  async (t) => {
    const db = openDb(':memory:');
    const { feed, faceOf, stranger, card, settle } = detectorRig(db, cfg());
    feed(at(0), faceOf('F1'));
    feed(at(0), faceOf('F2'));
    const found: AlertCandidate[] = [];
    for (let d = 1; d <= 9; d++) {
      feed(at(d, 10), faceOf('F3')); // the door works
      found.push(...feed(at(d, 19), card('C1')));
      found.push(...feed(at(d, 19) + 700, stranger(40, d % 3)));
      found.push(...settle(at(d, 19) + 60_000));
    }
    const sublet = found.filter((c) => c.kind === 'suspected_sublet');
    t.equal(sublet[0]?.finding?.phase, 'open');
    t.equal(
      new Date(sublet[0]?.ts ?? 0).getUTCDate(),
      new Date(at(5)).getUTCDate(),
      'found on the 5th working day of absence',
    );
    const chain = sublet[0]?.finding?.chain as {
      absence: { workingDaysAbsent: number };
      persons: Array<{ via: string; days: number }>;
    };
    t.equal(chain.absence.workingDaysAbsent, 5);
    t.equal(chain.persons[0]?.via, '卡 ****C1', 'credential masked in the evidence');
    t.match(sublet[0]?.finding?.summary, /^登记住户 5 个工作日未出入，1 名非登记人员使用本户门禁/);
    t.ok(
      sublet.slice(1).every((c) => c.finding?.phase === 'update'),
      'later reports update the case',
    );
    db.close();
  },
);

t.test(
  'stranger_recurrent: one unregistered face 10 times in 7 days at one door; pass holders are known',
  async (t) => {
    const db = openDb(':memory:');
    const passes = new PassIndex(0.8);
    passes.put(
      pass('P1', {
        kind: 'courier',
        householdId: null,
        name: '快递',
        embedding: face(90),
        validFrom: at(-1),
        validTo: at(30),
        createdBy: 't',
      }),
    );
    const { feed, stranger } = detectorRig(db, cfg(), passes);
    const out: string[] = [];
    for (let i = 0; i < 12; i++) {
      out.push(...kinds(feed(at(Math.floor(i / 2), 9 + i), stranger(60, i % 3))));
      out.push(...kinds(feed(at(Math.floor(i / 2), 10 + i), stranger(90, i % 3))));
    }
    t.same(
      out.filter((k) => k.endsWith('open')),
      ['stranger_recurrent:open'],
      'the stranger opens once; the courier (a pass) never',
    );
    t.ok(out.length <= 2, 'at most one update a day');
    db.close();
  },
);

t.test('state survives a restart: the 10th sighting after a restart still fires', async (t) => {
  const { tmpDir } = await import('../../testkit/tmp.js');
  const { dir, cleanup } = tmpDir();
  t.teardown(cleanup);
  const file = `${dir}/g.db`;
  let db = openDb(file);
  let rig = detectorRig(db, cfg());
  for (let i = 0; i < 9; i++) t.same(rig.feed(at(0, 8 + i), rig.stranger(70, i % 2)), []);
  db.close();
  db = openDb(file);
  rig = detectorRig(db, cfg());
  t.same(
    kinds(rig.feed(at(1, 8), rig.stranger(70, 1))),
    ['stranger_recurrent:open'],
    'same cluster, count kept',
  );
  t.ok(rig.det.stats.clusters >= 1);
  db.close();
});
