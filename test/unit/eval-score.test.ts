import t from 'tap';
import { type FoundCase, score } from '../../bench/eval-score.js';
import type { Labels } from '../../sim/year/labels.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00+08:00');
const iso = (d: number) => new Date(T0 + d * DAY).toISOString();

const labels: Labels = {
  households: 6,
  seed: 1,
  start: iso(0),
  days: 60,
  reads: 0,
  cases: [
    {
      id: 'p1',
      scenario: 'sublet_card',
      householdId: 'H1',
      start: iso(10),
      end: iso(50),
      kinds: ['suspected_sublet'],
      persons: [],
    },
    {
      id: 'p2',
      scenario: 'sublet_card',
      householdId: 'H2',
      start: iso(20),
      end: iso(50),
      kinds: ['suspected_sublet'],
      persons: [],
    },
    {
      id: 'p3',
      scenario: 'long_absence_hospital',
      householdId: 'H3',
      start: iso(5),
      end: iso(40),
      kinds: ['leaseholder_absent'],
      persons: [],
    },
  ],
  negatives: [{ scenario: 'large_family', householdId: 'H4' }],
  strangers: [],
};
const found = (householdId: string, day: number): FoundCase => ({
  kind: 'suspected_sublet',
  householdId,
  doorId: null,
  detectedTs: T0 + day * DAY,
});

t.test(
  'a sublet score: every case counts, within start … end + 14 d, false ones say what they were',
  async (t) => {
    const [s] = score(
      labels,
      [
        found('H1', 14), // 4 days after its pattern started
        found('H1', 30), // a second case in the same period: also right, the first one sets the delay
        found('H1', 63), // 13 days after its end: still within the grace period
        found('H2', 5), // 15 days before its own pattern: early
        found('H2', 66), // 16 days after its end: late
        found('H3', 20), // a hospital stay going on: another real problem, wrong and counted apart
        found('H4', 9), // a large family
        found('H5', 9), // nothing labelled at all
      ],
      ['suspected_sublet'],
    );
    t.equal(s?.labelled, 2);
    t.equal(s?.found, 8, 'every case the housing office would see');
    t.equal(s?.truePositives, 3);
    t.equal(s?.labelsFound, 1);
    t.equal(s?.precision, 0.375);
    t.equal(s?.recall, 0.5, 'neither the early nor the late case finds H2');
    t.equal(s?.medianDelayDays, 4);
    t.same(s?.delaysDays, [4]);
    t.equal(s?.otherProblem, 1, 'the hospital stay is reported apart');
    t.same(s?.falsePositives, { early: 1, late: 1, long_absence_hospital: 1, large_family: 1, nothing: 1 });
    t.same(
      s?.falseCases.map((f) => [f.householdId, f.was]),
      [
        ['H2', ['early']],
        ['H2', ['late']],
        ['H3', ['long_absence_hospital']],
        ['H4', ['large_family']],
        ['H5', ['nothing']],
      ],
    );
  },
);

t.test('a false case on a household whose other problem is not yet going on says so', async (t) => {
  const [s] = score(labels, [found('H3', 2)], ['suspected_sublet']);
  t.equal(s?.otherProblem, 0, 'nothing else was going on yet');
  t.same(s?.falseCases[0]?.was, ['long_absence_hospital, not yet']);
});

t.test('no cases: precision 1 by convention, recall 0, no delay, no false positives', async (t) => {
  const [s] = score(labels, [], ['suspected_sublet']);
  t.same(s, {
    kind: 'suspected_sublet',
    labelled: 2,
    found: 0,
    truePositives: 0,
    labelsFound: 0,
    precision: 1,
    recall: 0,
    medianDelayDays: null,
    delaysDays: [],
    falsePositives: {},
    otherProblem: 0,
    falseCases: [],
  });
});
