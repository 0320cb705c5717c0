import t from 'tap';
import {
  costGrowth,
  parseStatChildrenCpuMs,
  type ScalingRow,
  spreadFaces,
} from '../../bench/scaling-summary.js';

const row = (households: number, live: number | null, replay: number | null): ScalingRow => ({
  households,
  residents: households * 2,
  replay: { reads: 1000, readsPerS: 1000, cpuMsPerRead: replay, peakRssMB: 100 },
  live: {
    readsPerS: 2000,
    p50MsAt500: 1,
    p99MsAt500: 3,
    cpuMsPerRead: live,
    brokerCpuMsPerRead: 0.04,
    peakRssMB: 150,
    unanswered: 0,
  },
});

t.test(
  'per-read cost growth compares the largest estate with the smallest, whatever the order',
  async (t) => {
    const g = costGrowth([row(20_000, 0.15, 0.3), row(500, 0.1, 0.1), row(5000, 0.12, 0.2)]);
    t.equal(g.from, 500);
    t.equal(g.to, 20_000);
    t.equal(g.liveCpuPerReadRatio, 1.5);
    t.equal(g.replayCpuPerReadRatio, 3);
    t.equal(g.within2x, false, 'replay grew 3×');
    t.equal(g.replayCpuPerReadMaxOverMin, 3);
    t.equal(costGrowth([row(500, 0.1, 0.1), row(20_000, 0.19, 0.2)]).within2x, true);
    // The smallest estate's per-read cost inflated by start-up: largest over smallest looks
    // fine (×1.7), but against the 2,000-household estate replay grew ×2.6.
    const g2 = costGrowth([row(500, 0.17, 0.26), row(2000, 0.17, 0.17), row(20_000, 0.2, 0.44)]);
    t.equal(g2.replayCpuPerReadRatio, 1.69);
    t.equal(g2.replayCpuPerReadMaxOverMin, 2.59);
    t.equal(g2.within2x, false);
    t.equal(
      costGrowth([row(500, null, 0.1), row(20_000, 0.19, 0.2)]).within2x,
      false,
      'a missing figure is not a pass',
    );
  },
);

t.test('the load presents active residents spread over the whole roster', async (t) => {
  const roster = {
    households: Array.from({ length: 10 }, (_, h) => ({
      residents: [
        { status: 'active', credentials: { face: [`F${h}a`] } },
        { status: 'moved_out', credentials: { face: [`F${h}b`] } },
      ],
    })),
  };
  t.same(spreadFaces(roster, 5), ['F0a', 'F2a', 'F4a', 'F6a', 'F8a']);
  t.same(spreadFaces(roster, 50).length, 10, 'never more faces than the roster has');
  t.throws(() => spreadFaces({ households: [] }, 5), /no active resident/);
});

t.test("a waited-for child's CPU from its shell's /proc stat (cutime + cstime)", async (t) => {
  // … utime stime cutime cstime: fields 14–17
  const stat = '77 (sh) S 1 77 77 0 -1 4194304 1 2 0 0 1 0 1234 56 20 0 1 0';
  t.equal(parseStatChildrenCpuMs(stat), 12_900);
  t.throws(() => parseStatChildrenCpuMs('77 (sh) S'), /not a \/proc/);
});
