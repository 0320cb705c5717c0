import mqtt from 'mqtt';
import t from 'tap';
import { build } from '../../gateway/build.js';
import { silentLogger } from '../../gateway/log.js';
import { loaded } from '../../testkit/config.js';
import { startGateway, until } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { startMosquitto } from '../../testkit/mosquitto.js';

t.test('external mosquitto: persistent session, ack after commit, MQTT 5 upstream with health', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const upstreamEvents: Array<{ topic: string; ev: Record<string, unknown>; retain: boolean }> = [];
  const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'district' });
  t.teardown(() => sub.endAsync());
  sub.on('message', (topic, payload, packet) =>
    upstreamEvents.push({ topic, ev: JSON.parse(payload.toString()), retain: packet.retain }),
  );
  await sub.subscribeAsync('estate/v1/SH-TEST/#', { qos: 1 });

  const over = {
    mqtt: { url: broker.url, protocolVersion: 5 },
    upstream: { enabled: true, url: broker.url, access: 'all', healthIntervalSeconds: 5 },
    checks: { staleAfterMs: 10_000 },
  };
  const g = await startGateway(t, over);
  await until(() => g.gw.bus.connected, 5000, 'gateway session');
  const r = new LoadReader({ url: broker.url, readerId: 'T-B01' });
  await r.start();
  t.teardown(() => r.stop());

  t.ok(await r.roundTrip(), 'resident answered through mosquitto');
  t.ok(await r.roundTrip(5000, { face: { personId: null, score: 0.2 } }), 'stranger answered');
  await until(
    () => upstreamEvents.filter((e) => e.topic.endsWith('/access')).length === 2,
    5000,
    'access events upstream',
  );
  await until(() => upstreamEvents.some((e) => e.topic.endsWith('/alerts')), 5000, 'alert upstream');
  const alert = upstreamEvents.find((e) => e.topic === 'estate/v1/SH-TEST/alerts')?.ev;
  t.match(alert, {
    specversion: '1.0',
    type: 'estate.alert.stranger',
    source: 'urn:estate:SH-TEST:gateway:gw-t',
    data: { kind: 'stranger', doorId: 'B01-U1' },
  });
  const access = upstreamEvents.filter((e) => e.topic.endsWith('/access')).map((e) => e.ev.type);
  t.same(access, ['estate.access.granted', 'estate.access.denied'], 'in order');
  const health = upstreamEvents.find((e) => e.topic === 'estate/v1/SH-TEST/health/gw-t');
  t.match(health?.ev, { type: 'estate.gateway.health', data: { online: true, gatewayId: 'gw-t' } });

  // Gateway down: readers keep publishing, mosquitto queues for the persistent session.
  // The gateway judges staleness by the event time, so these reads are stamped as if they
  // had already waited a minute (far past staleAfterMs) instead of the test waiting; a live
  // read, however loaded the box, is well inside it.
  await g.gw.stop();
  const stamped = new Date(Date.now() - 60_000).toISOString();
  const while_down = Array.from({ length: 50 }, () => r.send({ ts: stamped }));
  await Promise.all(while_down.map((x) => x.acked));
  const gw2 = build(loaded(g.dir, over), { log: silentLogger() });
  await gw2.start();
  t.teardown(() => gw2.stop());
  const count = () => gw2.db.prepare('SELECT count(*) FROM journal').pluck().get() as number;
  await until(() => count() === 52, 10_000, 'queued reads after restart');
  t.pass('every read queued while the gateway was down is recorded after it returns');
  t.equal(
    gw2.db
      .prepare("SELECT count(*) FROM decisions WHERE reasons LIKE '%stale%' AND answer IS NULL")
      .pluck()
      .get(),
    50,
    'reads that waited past staleAfterMs are recorded, not answered',
  );
  // A live read after them: the stale reads were committed first, so a command for any of
  // them would have reached the reader before this one's.
  t.ok(await r.roundTrip(), 'live reads are answered again');
  t.equal(
    [...r.answers.values()].reduce((a, b) => a + b, 0),
    3,
    'no door opened for nobody: only the three live reads were answered',
  );
});
