import t from 'tap';
import { createMetrics } from '../../gateway/metrics.js';

// The hot path counts reads and door commands as plain numbers that the counters' collect
// hooks move into prom-client (issue 15): every exposition must be what counting with
// inc(labels) gives, scrape after scrape, with nothing counted twice.

const series = async (m: ReturnType<typeof createMetrics>, name: string) =>
  (await m.registry.getSingleMetricAsString(name)).trim();

t.test('slots count the same series as inc(labels), across scrapes', async (t) => {
  const byObject = createMetrics();
  const bySlot = createMetrics();
  const slots = new Map<string, ReturnType<typeof bySlot.readCounts.slot>>();
  const slotOf = (outcome: string, type: string, mode: string) => {
    const key = `${outcome} ${type} ${mode}`;
    let s = slots.get(key);
    if (!s) {
      s = bySlot.readCounts.slot(outcome, type, mode);
      slots.set(key, s);
    }
    return s;
  };
  const reads = [
    ['granted', 'face', 'live'],
    ['denied', 'card', 'live'],
    ['granted', 'face', 'live'],
    ['granted', 'face', 'offline'],
  ] as const;
  for (const [outcome, type, mode] of reads) {
    byObject.reads.inc({ outcome, type, mode });
    slotOf(outcome, type, mode).n++;
  }
  const name = 'estate_gateway_reads_total';
  t.equal(await series(bySlot, name), await series(byObject, name));
  t.match(
    await series(bySlot, name),
    /estate_gateway_reads_total\{outcome="granted",type="face",mode="live"\} 2/,
  );
  // A second scrape with nothing new: the same figures, not doubled.
  t.equal(await series(bySlot, name), await series(byObject, name));
  // More reads after a scrape, one of them through a second slot of the same labels.
  byObject.reads.inc({ outcome: 'granted', type: 'face', mode: 'live' });
  byObject.reads.inc({ outcome: 'granted', type: 'face', mode: 'live' });
  slotOf('granted', 'face', 'live').n++;
  bySlot.readCounts.slot('granted', 'face', 'live').n++;
  t.equal(await series(bySlot, name), await series(byObject, name));
  t.match(
    await series(bySlot, name),
    /estate_gateway_reads_total\{outcome="granted",type="face",mode="live"\} 4/,
  );
});

t.test('door commands by action, and the whole exposition, through the collect hook', async (t) => {
  const m = createMetrics();
  const unlock = m.commandCounts.slot('unlock');
  const deny = m.commandCounts.slot('deny');
  unlock.n += 3;
  deny.n++;
  const all = await m.registry.metrics();
  t.match(all, /estate_gateway_door_commands_total\{action="unlock"\} 3/);
  t.match(all, /estate_gateway_door_commands_total\{action="deny"\} 1/);
  t.equal(unlock.n, 0, 'moved into the counter');
  unlock.n++;
  t.match(await series(m, 'estate_gateway_door_commands_total'), /\{action="unlock"\} 4/);
  // prom-client's own reads of the counter see the counts too.
  const values = (await m.commands.get()).values;
  t.same(values.find((v) => v.labels.action === 'deny')?.value, 1);
  t.same(values.find((v) => v.labels.action === 'unlock')?.value, 4);
});

t.test('a slot never bumped shows no series', async (t) => {
  const m = createMetrics();
  m.readCounts.slot('granted', 'card', 'stale');
  t.notMatch(await series(m, 'estate_gateway_reads_total'), /mode="stale"/);
});
