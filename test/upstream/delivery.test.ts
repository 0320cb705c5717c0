import t from 'tap';
import { build } from '../../gateway/build.js';
import { silentLogger } from '../../gateway/log.js';
import { Outbox } from '../../gateway/upstream/outbox.js';
import { SimUpstream } from '../../sim/upstream.js';
import { loaded } from '../../testkit/config.js';
import { startGateway, until } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { freePort } from '../../testkit/ports.js';

t.test('alerts survive an upstream outage and a gateway restart, and arrive in order', async (t) => {
  const port = await freePort();
  const over = {
    upstream: {
      enabled: true,
      url: `http://127.0.0.1:${port}/v1/events`,
      access: 'all',
      reconnect: { minMs: 100, maxMs: 400 },
    },
  };
  const g = await startGateway(t, over);
  const up = new SimUpstream({ hmacKey: g.gw.secrets.upstream?.hmacKey ?? '', port });
  await up.start();
  t.teardown(() => up.stop());
  up.setDown(true);
  const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01' });
  await r.start();
  for (let i = 0; i < 5; i++)
    await r.roundTrip(5000, { face: { personId: i % 2 ? 'F-R00001' : null, score: 0.9, liveness: true } });
  await r.stop();
  await until(() => (g.gw.upstream?.status.lastError ?? null) !== null, 5000, 'a failed delivery');
  t.equal(up.stats().accepted, 0, 'nothing got through while the upstream was down');
  t.equal(g.gw.upstream?.status.depth, 6, '5 access records and 1 alert wait in the outbox');

  // Restart the gateway while the upstream is still down: the outbox is on disk.
  await g.gw.stop();
  const gw2 = build(loaded(g.dir, over), { log: silentLogger() });
  await gw2.start();
  t.teardown(() => gw2.stop());
  t.equal(gw2.upstream?.status.depth, 6);
  up.setDown(false);
  await until(() => up.stats().accepted === 6, 10_000, 'delivery after the outage');
  await until(() => gw2.upstream?.status.depth === 0, 5000, 'outbox emptied');
  const access = up.events('estate.access.').map((e) => (e.data as { recordId: string }).recordId);
  t.same(access, ['T-B01-1', 'T-B01-2', 'T-B01-3', 'T-B01-4', 'T-B01-5'], 'in order');
  t.equal(up.events('estate.alert.').length, 1, 'the repeated stranger is one alert');
  t.equal(up.stats().unauthorized, 0, 'signatures verify');
});

t.test('the outbox quota drops access records before alerts', async (t) => {
  const g = await startGateway(t);
  const add = g.gw.db.prepare(
    'INSERT INTO outbox(event_id, class, channel, partition, body, bytes, created_at) VALUES (?, ?, ?, NULL, ?, ?, 0)',
  );
  const body = 'x'.repeat(1000);
  for (let i = 0; i < 50; i++) add.run(`al-${String(i).padStart(2, '0')}`, 0, 'alerts', body, 1000);
  for (let i = 0; i < 50; i++) add.run(`ac-${String(i).padStart(2, '0')}`, 1, 'access', body, 1000);
  const o = new Outbox(g.gw.store);
  t.same(o.enforceQuota(60_000), { access: 40, alerts: 0 });
  t.same(o.enforceQuota(30_000), { access: 10, alerts: 20 });
  t.equal(
    g.gw.db.prepare('SELECT min(event_id) FROM outbox WHERE class = 0').pluck().get(),
    'al-20',
    'the oldest alerts go first',
  );
  t.equal(o.depth, 30);
});
