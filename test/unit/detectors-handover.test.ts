import t from 'tap';
import type { AlertCandidate } from '../../gateway/alerts/per-entry.js';
import { openDb } from '../../gateway/store/db.js';
import { testConfig } from '../../testkit/config.js';
import { at, detectorRig, FINDINGS_ROSTER } from '../../testkit/findings.js';

// Issue 10, second round: a card that changed hands is no guest's, and tenants who replaced
// a household are a sublet, not overcrowding. The test roster: H1 is R1 (face F1, card C1)
// and R2 (face F2); H2 is R3 (F3), whose comings and goings keep the entrance working.
// Day 0 is 2026-05-11; the summer guest season runs from day 55 (07-05) to day 112 (08-31).

const S = 1000;
const rig = (detectors: Record<string, unknown> = {}) => {
  const db = openDb(':memory:');
  return { ...detectorRig(db, testConfig({ detectors })), db };
};
const of = (l: AlertCandidate[], kind: string, hid = 'H1') =>
  l.filter((c) => c.kind === kind && c.householdId === hid);
const dayOfTs = (ts: number | undefined) => Math.floor(((ts ?? 0) - at(0, 0)) / 86_400_000);

type Rig = ReturnType<typeof rig>;
/** R1 swipes C1 and the terminal recognises R1 beside it: the card is in its owner's hands. */
const ownerSwipes = (r: Rig, d: number, out: AlertCandidate[]) => {
  out.push(...r.feed(at(d, 8), r.card('C1')));
  out.push(...r.feed(at(d, 8) + 2 * S, r.faceOf('F1')));
  out.push(...r.settle(at(d, 8) + 30 * S));
};
/** Unregistered face `k` swipes C1, captured 2 s later. */
const otherSwipes = (r: Rig, d: number, k: number, out: AlertCandidate[], h = 18) => {
  out.push(...r.feed(at(d, h), r.card('C1')));
  out.push(...r.feed(at(d, h) + 2 * S, r.stranger(k, d % 2)));
  out.push(...r.settle(at(d, h) + 30 * S));
};

t.test(
  'a card lent in the summer: found a week after it left its owner, not after a visit’s length',
  async (t) => {
    const r = rig();
    const out: AlertCandidate[] = [];
    for (let d = 45; d < 85; d++) {
      out.push(...r.feed(at(d, 7), r.faceOf('F3')));
      if (d < 60) ownerSwipes(r, d, out);
      else {
        out.push(...r.feed(at(d, 9), r.faceOf('F1'))); // R1 still lives there, by face
        otherSwipes(r, d, 70, out);
      }
    }
    const lent = of(out, 'credential_shared');
    t.equal(lent[0]?.finding?.phase, 'open', 'the friend with the card is found');
    const day = dayOfTs(lent[0]?.ts);
    t.ok(day >= 66 && day <= 68, `a week after the card changed hands on day 60 (found on day ${day})`);
    r.db.close();
  },
);

t.test('a card lent in the summer stays one case through the friend’s quiet days', async (t) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 45; d < 85; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    if (d < 60) ownerSwipes(r, d, out);
    else {
      out.push(...r.feed(at(d, 9), r.faceOf('F1')));
      if (d < 70 || d >= 74) otherSwipes(r, d, 77, out); // four days without the card's use
    }
  }
  const lent = of(out, 'credential_shared');
  t.equal(lent.filter((c) => c.finding?.phase === 'open').length, 1, 'opened once');
  t.ok(lent.length > 1, 'and updated');
  r.db.close();
});

t.test('a summer guest who had the card for five days and left has handed nothing over', async (t) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 45; d < 85; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    if (d < 60 || d >= 70) ownerSwipes(r, d, out);
    else out.push(...r.feed(at(d, 9), r.faceOf('F1'))); // R1 by face while the guest has the card
    if (d >= 60 && d < 65) otherSwipes(r, d, 76, out); // five days of a visit, then gone
  }
  t.same(of(out, 'credential_shared'), [], 'the card is back in the family when the week is up');
  r.db.close();
});

t.test('a summer guest given a card the family keeps using is still a guest', async (t) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 45; d < 85; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    ownerSwipes(r, d, out);
    if (d >= 60 && d < 71) otherSwipes(r, d, 71, out); // eleven days of a visit
  }
  t.same(of(out, 'credential_shared'), [], 'no lent card');
  r.db.close();
});

t.test('a summer guest on the card of an owner who never swipes it gets the visit’s patience', async (t) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 45; d < 85; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    out.push(...r.feed(at(d, 9), r.faceOf('F1'))); // R1 comes and goes by face alone
    if (d >= 60 && d < 71) otherSwipes(r, d, 72, out);
  }
  t.same(of(out, 'credential_shared'), [], 'nothing says the card left the family');
  r.db.close();
});

t.test('a summer sublet: a face that came after the household left is nobody’s guest', async (t) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 45; d < 85; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    if (d < 60) {
      ownerSwipes(r, d, out);
      out.push(...r.feed(at(d, 9), r.faceOf('F2')));
    } else otherSwipes(r, d, 73, out, 19);
  }
  const sublet = of(out, 'suspected_sublet');
  t.equal(sublet[0]?.finding?.phase, 'open', 'the tenant is found');
  const day = dayOfTs(sublet[0]?.ts);
  t.ok(day >= 64 && day <= 66, `on the fifth working day of the absence (found on day ${day})`);
  r.db.close();
});

/** R1 and R2 live in H1 until day `leave` (never, if undefined); `n` others use C1 daily from day 10. */
const three = (leave?: number, n = 3) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 0; d < 30; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    if (leave === undefined || d < leave) {
      out.push(...r.feed(at(d, 8), r.faceOf('F1')));
      out.push(...r.feed(at(d, 8) + 60 * S, r.faceOf('F2')));
    }
    if (d >= 10) for (let k = 74; k < 74 + n; k++) otherSwipes(r, d, k, out, 18 + (k - 74) / 10);
  }
  return { ...r, out };
};

t.test('three others who replaced the household are a sublet, not overcrowding', async (t) => {
  const { out, db } = three(10);
  const sublet = of(out, 'suspected_sublet');
  t.equal(sublet[0]?.finding?.phase, 'open', 'a sublet');
  t.same(of(out, 'overcrowding'), [], 'not overcrowding: R1 and R2 left when the three came');
  const chain = sublet.at(-1)?.finding?.chain as { ruledOut: string[] };
  t.ok(
    chain.ruledOut.some((n) => n.includes('为顶替而非同住：按转租，不计超员')),
    'the evidence says why it is not overcrowding',
  );
  db.close();
});

t.test('three others living beside the household are overcrowding', async (t) => {
  const { out, db } = three();
  t.equal(of(out, 'overcrowding')[0]?.finding?.phase, 'open', 'R1, R2 and three more at once');
  t.same(of(out, 'suspected_sublet'), [], 'no sublet: the household is there');
  db.close();
});

t.test('someone caught behind the owner on days the owner has the card is no lent card', async (t) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 0; d < 20; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    ownerSwipes(r, d, out); // R1 swipes C1 every morning, recognised beside it
    // On three evenings R1's swipe is caught with only a neighbour's face behind them.
    if (d >= 10 && d < 13) otherSwipes(r, d, 77, out);
  }
  t.same(of(out, 'credential_shared'), [], 'the card was in R1’s hands those days');
  const lent: AlertCandidate[] = [];
  for (let d = 20; d < 30; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    otherSwipes(r, d, 78, lent); // from day 20 only another face uses it
  }
  t.equal(of(lent, 'credential_shared')[0]?.finding?.phase, 'open', 'a card out of R1’s hands is');
  r.db.close();
});

t.test('four others who replaced the household are group renting as well as a sublet', async (t) => {
  const { out, db } = three(10, 4);
  t.equal(of(out, 'suspected_sublet')[0]?.finding?.phase, 'open', 'a sublet');
  t.equal(of(out, 'overcrowding')[0]?.finding?.phase, 'open', 'more than a small household’s worth');
  db.close();
});

t.test('a summer guest on the card of an owner who swipes it now and then is still a guest', async (t) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 45; d < 85; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    out.push(...r.feed(at(d, 9), r.faceOf('F1')));
    if (d === 50 || d === 57) ownerSwipes(r, d, out); // twice in two weeks
    if (d >= 60 && d < 71) otherSwipes(r, d, 79, out);
  }
  t.same(of(out, 'credential_shared'), [], 'a week without the card is nothing unusual for R1');
  r.db.close();
});

t.test('a summer guest who minds the card while its owner is away is no lent card', async (t) => {
  const r = rig();
  const out: AlertCandidate[] = [];
  for (let d = 45; d < 85; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    out.push(...r.feed(at(d, 9), r.faceOf('F2'))); // R2 stays at home
    if (d < 60 || d >= 72) ownerSwipes(r, d, out); // R1 away on days 60–71
    if (d >= 60 && d < 72) otherSwipes(r, d, 80, out);
  }
  t.same(of(out, 'credential_shared'), [], 'the card did not leave the family: R1 was away');
  r.db.close();
});

// Issue 10, eighth round (77921 H0376): the family away over the Spring Festival, a guest
// given the card while they were, who keeps it for three days after they come back. The
// owner's days without the card count from the return, not from the guest's first day.
// Days 261–286 are the 2027 Spring Festival season (New Year 2027-02-06 is day 271).
const springGuest = (keepsUntil: number, friendOfR2 = false) => {
  const r = friendOfR2 ? rigC2() : rig();
  const out: AlertCandidate[] = [];
  for (let d = 245; d < 295; d++) {
    out.push(...r.feed(at(d, 7), r.faceOf('F3')));
    const away = d >= 263 && d <= 270; // R1 and R2 both unseen
    if (d < 263) {
      ownerSwipes(r, d, out);
      out.push(...r.feed(at(d, 9), r.faceOf('F2')));
    } else if (!away) {
      out.push(...r.feed(at(d, 9), r.faceOf('F1'))); // back by face while the guest has the card
      out.push(...r.feed(at(d, 9) + 60 * S, r.faceOf('F2')));
    }
    if (d >= 264 && d <= keepsUntil) otherSwipes(r, d, 81, out);
    if (friendOfR2 && d >= 250) {
      // R2's card C2, lent to a friend since before the season, while R2 comes by face.
      out.push(...r.feed(at(d, 20), r.card('C2')));
      out.push(...r.feed(at(d, 20) + 2 * S, r.stranger(82, d % 2)));
      out.push(...r.settle(at(d, 20) + 30 * S));
    }
  }
  return { ...r, out };
};
/** The test roster with a card C2 for R2. */
const rigC2 = () => {
  const db = openDb(':memory:');
  const roster = {
    ...FINDINGS_ROSTER,
    credentials: [...FINDINGS_ROSTER.credentials, { kind: 'card' as const, key: 'C2', residentId: 'R2' }],
  };
  return { ...detectorRig(db, testConfig({}), undefined, roster), db };
};

t.test('a guest given the card while the whole family was away is timed from their return', async (t) => {
  const { out, db } = springGuest(273);
  t.same(of(out, 'credential_shared'), [], 'no lent card: the guest was gone a week after the return');
  t.same(of(out, 'suspected_sublet'), [], 'no sublet either');
  db.close();
});

t.test('a guest who keeps the card a week after the family came back has it lent', async (t) => {
  const { out, db } = springGuest(294);
  const lent = of(out, 'credential_shared');
  t.equal(lent[0]?.finding?.phase, 'open', 'found');
  const day = dayOfTs(lent[0]?.ts);
  t.ok(day >= 277 && day <= 279, `a week after the return on day 271 (found on day ${day})`);
  const chain = lent.at(-1)?.finding?.chain as { persons: unknown[] };
  t.ok(chain.persons.length > 0, 'the guest is named');
  db.close();
});

t.test('the evidence says a guest of the family’s absence was timed from its return', async (t) => {
  const { out, db } = springGuest(273, true);
  const lent = of(out, 'credential_shared');
  t.equal(lent[0]?.finding?.phase, 'open', 'R2’s card lent to a friend is found');
  const chains = lent.map((c) => c.finding?.chain as { ruledOut: string[]; credentials: string[] });
  t.ok(
    chains.some((c) =>
      c.ruledOut.some((n) => /全户外出期间开始使用 卡 \*\*\*\*C1.*返回起计，不视为借出/.test(n)),
    ),
    'the guest on C1 is ruled out, and why',
  );
  // (From day 277, a week after the return, C1 joins the open case: once a household's lent
  // card is reported, STILL_HELD is no longer asked, of any face — left as it is, see docs.)
  t.notOk(
    lent.some(
      (c) =>
        dayOfTs(c.ts) < 277 &&
        ((c.finding?.chain as { credentials?: string[] } | undefined)?.credentials ?? []).includes(
          '卡 ****C1',
        ),
    ),
    'C1 is not reported lent in the week after the return',
  );
  db.close();
});
