import t from 'tap';
import { DoorSignals } from '../../gateway/doors/door-signals.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { testConfig } from '../../testkit/config.js';

// Issue 13's seam: a driver's door signal reaches the gateway, is counted by kind and kept
// as the door's last live signal; a replayed one is history, an unknown reader is refused.

t.test('door signals are counted, kept per door, and refused from unknown readers', async (t) => {
  const config = testConfig();
  const reader = config.readers[0];
  if (!reader) throw new Error('the test config has readers');
  const metrics = createMetrics();
  const doors = new DoorSignals({ readers: config.readers, metrics, log: silentLogger() });
  const at = { ts: 1000, receivedAt: 1100 };
  doors.report({ readerId: reader.id, kind: 'contact_open', ...at });
  doors.report({ readerId: reader.id, kind: 'forced_open', ...at, offline: true });
  doors.report({ readerId: 'NOPE', kind: 'contact_open', ...at });
  t.match(doors.last(reader.door), { kind: 'contact_open', readerId: reader.id });
  const kinds = (await metrics.doorSignals.get()).values.map((v) => [v.labels.kind, v.value]);
  t.same(kinds.sort(), [
    ['contact_open', 1],
    ['forced_open', 1],
  ]);
  const rejected = (await metrics.rejects.get()).values.find((v) => v.labels.reason === 'unknown_reader');
  t.equal(rejected?.value, 1);
});
