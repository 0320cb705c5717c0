import t from 'tap';
import type { AlertCandidate } from '../../gateway/alerts/per-entry.js';
import { PassIndex } from '../../gateway/passes/pass-index.js';
import type { RosterSnapshot } from '../../gateway/roster/model.js';
import { openDb } from '../../gateway/store/db.js';
import { testConfig } from '../../testkit/config.js';
import { at, DAY, detectorRig, face } from '../../testkit/findings.js';
import { household, pass, resident } from '../../testkit/pipeline.js';

// Issue 10: tenants let in on visitor passes renewed week after week while the household is
// away are a sublet as soon as the pass is renewed and they come day after day; a relative
// on a pass of months, or one renewed who comes every few days, is none.

/** H1: R1 (face F1), whose flat empties. H2: R2 (face F2) keeps the entrance busy. */
const ROSTER: RosterSnapshot = {
  buildings: [{ id: 'B01', name: '1号楼' }],
  entrances: [],
  households: [household('H1'), household('H2', { room: '0102' })],
  residents: [resident('R1', 'H1'), resident('R2', 'H2')],
  credentials: [
    { kind: 'face', key: 'F1', residentId: 'R1' },
    { kind: 'face', key: 'F2', residentId: 'R2' },
  ],
};

/**
 * Days 0…`last`: R2 every day, R1 until day 4; passes to H1 for the visitor (face 95)
 * issued on the days `issued` for `valid` days each; the visitor at the door on `comes(d)`.
 */
const run = (last: number, issued: number[], valid: number, comes: (d: number) => boolean) => {
  const db = openDb(':memory:');
  const passes = new PassIndex(0.8);
  const r = detectorRig(db, testConfig({}), passes, ROSTER);
  const out: AlertCandidate[] = [];
  for (let d = 0; d <= last; d++) {
    if (issued.includes(d)) {
      const p = pass(`P${d}`, {
        householdId: 'H1',
        phoneHash: 'a1'.repeat(16),
        embedding: face(95),
        validFrom: at(d, 0),
        validTo: at(d, 0) + valid * DAY,
      });
      passes.put(p);
      r.det.onPass(p);
    }
    out.push(...r.feed(at(d, 7), r.faceOf('F2')));
    if (d < 5) out.push(...r.feed(at(d, 8), r.faceOf('F1')));
    if (comes(d)) out.push(...r.feed(at(d, 18), r.stranger(95, d % 2)));
    out.push(...r.settle(at(d, 23)));
  }
  db.close();
  return out.filter((c) => c.kind === 'suspected_sublet' && c.householdId === 'H1');
};

t.test('a tenant on weekly passes who comes every day is a sublet at the first renewal', async (t) => {
  const s = run(30, [5, 12, 19, 26], 7, (d) => d >= 5);
  t.equal(s[0]?.finding?.phase, 'open', 'the sublet is reported');
  t.ok((s[0]?.ts ?? 0) < at(14, 0), 'within days of the pass being renewed, not at the fourth pass');
  t.match(s[0]?.finding?.summary, /1 名多次登记的访客每日出入/, 'the summary names the visitor');
  const chain = s[0]?.finding?.chain as {
    repeatedVisitors?: Array<{ passes: number; daysSinceAbsent?: number }>;
  };
  t.equal(chain.repeatedVisitors?.[0]?.passes, 2, 'the evidence counts the passes so far');
  t.ok(
    (chain.repeatedVisitors?.[0]?.daysSinceAbsent ?? 0) >= 5,
    'and the days it came since the household left',
  );
});

t.test('a relative on one pass of months who comes daily is no sublet', async (t) => {
  t.same(
    run(30, [5], 90, (d) => d >= 5),
    [],
    'registered once',
  );
});

t.test('a visitor on weekly passes who comes every third day is no sublet', async (t) => {
  t.same(
    run(24, [5, 12, 19], 7, (d) => d >= 5 && d % 3 === 0),
    [],
    'never two days running',
  );
});
