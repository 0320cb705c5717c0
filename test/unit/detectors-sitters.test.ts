import t from 'tap';
import type { AlertCandidate } from '../../gateway/alerts/per-entry.js';
import type { RosterSnapshot } from '../../gateway/roster/model.js';
import { openDb } from '../../gateway/store/db.js';
import { testConfig } from '../../testkit/config.js';
import { at, detectorRig } from '../../testkit/findings.js';
import { household, resident } from '../../testkit/pipeline.js';

// Issue 10: a relative minding an empty flat is no sublet — one who comes every few days
// during a long absence, one who stays over the Spring Festival while the family travels.

/** H1: R1 (face F1, card C1), whose flat empties. H2: R2 (face F2) keeps the entrance busy. */
const ROSTER: RosterSnapshot = {
  buildings: [{ id: 'B01', name: '1号楼' }],
  entrances: [],
  households: [household('H1'), household('H2', { room: '0102' })],
  residents: [resident('R1', 'H1'), resident('R2', 'H2')],
  credentials: [
    { kind: 'face', key: 'F1', residentId: 'R1' },
    { kind: 'card', key: 'C1', residentId: 'R1' },
    { kind: 'face', key: 'F2', residentId: 'R2' },
  ],
};
const S = 1000;

const year = () => {
  const db = openDb(':memory:');
  const r = detectorRig(db, testConfig({}), undefined, ROSTER);
  const out: AlertCandidate[] = [];
  /** Day `d`: R2 at 7:00, R1 too while `home`, and `who` (a stranger's face) with C1 at 18:00. */
  const day = (d: number, home: boolean, who?: number) => {
    out.push(...r.feed(at(d, 7), r.faceOf('F2')));
    if (home) out.push(...r.feed(at(d, 8), r.faceOf('F1')));
    if (who === undefined) return;
    out.push(...r.feed(at(d, 18), r.card('C1')));
    out.push(...r.feed(at(d, 18) + 3 * S, r.stranger(who, d % 2)));
    out.push(...r.settle(at(d, 18) + 30 * S));
  };
  const sublets = () => out.filter((c) => c.kind === 'suspected_sublet' && c.householdId === 'H1');
  return { day, sublets, db };
};

t.test('a sitter every third day in a long absence is no sublet; a tenant after it is', async (t) => {
  const { day, sublets, db } = year();
  // R1 leaves after day 4; a relative comes every third day with C1 for six weeks: five
  // days in every fortnight, as dense as the sublet rule asks, but never two days running.
  for (let d = 0; d < 50; d++) day(d, d < 5, d >= 6 && d % 3 === 0 ? 60 : undefined);
  t.same(sublets(), [], 'the sitter');
  // Then a tenant, every day.
  for (let d = 50; d < 70; d++) day(d, false, 61);
  const s = sublets();
  t.equal(s[0]?.finding?.phase, 'open', 'the tenant is found');
  t.ok((s[0]?.ts ?? 0) >= at(50, 0) && (s[0]?.ts ?? 0) < at(55, 0), 'within days of moving in');
  t.match(s[0]?.finding?.summary, /天为连续第二天）$/, 'the summary says they come day after day');
  db.close();
});

t.test('a relative in the flat over the Spring Festival is no sublet; a tenant in March is', async (t) => {
  const { day, sublets, db } = year();
  // Day 271 after 2026-05-11 is 2027-02-06, Chinese New Year. R1 leaves after day 262; a
  // relative uses C1 every day from 264 to 274 (eleven days: a visit), R1 is back on 276.
  for (let d = 255; d < 290; d++) day(d, d < 263 || d >= 276, d >= 264 && d <= 274 ? 70 : undefined);
  t.same(sublets(), [], 'the relative over the holiday');
  // In March (no season) R1 leaves after day 299; a tenant uses C1 every day from 301.
  for (let d = 290; d < 320; d++) day(d, d < 300, d >= 301 ? 71 : undefined);
  const s = sublets();
  t.equal(s[0]?.finding?.phase, 'open', 'the tenant is found');
  t.ok((s[0]?.ts ?? 0) < at(310, 0), 'within days of moving in');
  db.close();
});

t.test('a tenant handed the card after the New Year is found within a week', async (t) => {
  const { day, sublets, db } = year();
  // Day 271 after 2026-05-11 is 2027-02-06, Chinese New Year. R1 is seen until the sixth
  // day of the year (day 276) and leaves: families travel home before the festival, not
  // after it. A tenant uses C1 every day from day 277.
  for (let d = 255; d < 300; d++) day(d, d <= 276, d >= 277 ? 72 : undefined);
  const s = sublets();
  t.equal(s[0]?.finding?.phase, 'open', 'the tenant is found');
  t.ok((s[0]?.ts ?? 0) < at(284, 0), 'within a week of moving in, not after a guest’s patience');
  db.close();
});

t.test('a neighbour caught once beside the sitter’s swipe does not live in the empty flat', async (t) => {
  const db = openDb(':memory:');
  const r = detectorRig(db, testConfig({}), undefined, ROSTER);
  const out: AlertCandidate[] = [];
  const swipe = (d: number, who: number) => {
    out.push(...r.feed(at(d, 18), r.card('C1')));
    out.push(...r.feed(at(d, 18) + 3 * S, r.stranger(who, d % 2)));
    out.push(...r.settle(at(d, 18) + 30 * S));
  };
  for (let d = 0; d < 50; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F2')));
    // An unregistered regular of the entrance (a card-only neighbour, a carer) every day.
    out.push(...r.feed(at(d, 9), r.stranger(80, d % 2)));
    if (d < 15) out.push(...r.feed(at(d, 8), r.faceOf('F1')));
    // R1 away from day 15: a sitter every fifth day with C1; on day 26 its own capture is
    // missing and the regular, walking in behind, is caught beside the swipe.
    if (d >= 16 && d % 5 === 1) swipe(d, d === 26 ? 80 : 60);
  }
  t.same(
    out.filter((c) => c.kind === 'suspected_sublet' && c.householdId === 'H1'),
    [],
    'a face from before the flat emptied, tied to it once, is nobody living there',
  );
  db.close();
});
