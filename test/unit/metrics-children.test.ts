import t from 'tap';
import { CounterChildren, createMetrics } from '../../gateway/metrics.js';

// The hot path counts through cached children (issue 15): the exposition must be what
// counting with label objects gives.

t.test('cached children count the same series as inc(labels)', async (t) => {
  const byObject = createMetrics();
  const byChild = createMetrics();
  const children = new CounterChildren(byChild.reads);
  const reads = [
    ['granted', 'face', 'live'],
    ['denied', 'card', 'live'],
    ['granted', 'face', 'live'],
    ['granted', 'face', 'offline'],
  ] as const;
  for (const [outcome, type, mode] of reads) {
    byObject.reads.inc({ outcome, type, mode });
    children.of(`${outcome} ${type} ${mode}`, outcome, type, mode).inc();
  }
  const series = async (m: ReturnType<typeof createMetrics>) =>
    (await m.registry.getSingleMetricAsString('estate_gateway_reads_total')).trim();
  t.equal(await series(byChild), await series(byObject));
  t.match(await series(byChild), /estate_gateway_reads_total\{outcome="granted",type="face",mode="live"\} 2/);
});
