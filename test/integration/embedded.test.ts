import t from 'tap';
import { startGateway, until } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';

const JPEG_1PX = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHR0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AVN//2Q==',
  'base64',
);

t.test('face reads over the embedded broker: checked, answered, recorded, alerted', async (t) => {
  const g = await startGateway(t);
  const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01' });
  await r.start();
  t.teardown(() => r.stop());

  t.ok(await r.roundTrip(), 'a resident is answered');
  t.ok(await r.roundTrip(5000, { face: { personId: null, score: 0.3 } }), 'a stranger is answered (deny)');
  t.ok(
    await r.roundTrip(5000, { face: { personId: 'F-R00002', score: 0.95, liveness: true } }),
    'a moved-out tenant is answered (deny)',
  );
  t.ok(
    await r.roundTrip(5000, { image: { mime: 'image/jpeg', data: JPEG_1PX.toString('base64') } }),
    'a read with an image',
  );

  const rows = g.gw.db
    .prepare(
      'SELECT j.record_id AS id, d.outcome, d.answer, d.reasons, d.resident_id AS resident FROM journal j JOIN decisions d USING (seq) ORDER BY seq',
    )
    .all();
  t.same(rows, [
    { id: 'T-B01-1', outcome: 'granted', answer: 'unlock', reasons: 'ok', resident: 'R00001' },
    { id: 'T-B01-2', outcome: 'denied', answer: 'deny', reasons: 'stranger', resident: null },
    { id: 'T-B01-3', outcome: 'denied', answer: 'deny', reasons: 'inactive_resident', resident: 'R00002' },
    { id: 'T-B01-4', outcome: 'granted', answer: 'unlock', reasons: 'ok', resident: 'R00001' },
  ]);
  const kinds = g.gw.db.prepare('SELECT kind FROM alerts ORDER BY kind').pluck().all();
  t.same(kinds, ['inactive_resident', 'stranger']);
  t.equal(g.gw.db.prepare('SELECT count(*) FROM journal WHERE thumb IS NOT NULL').pluck().get(), 1);
  t.notOk(
    JSON.stringify(g.gw.db.prepare('SELECT * FROM journal').all()).includes(
      JPEG_1PX.toString('base64').slice(0, 40),
    ),
    'no base64 image in the journal',
  );
  await until(() => r.latencies.length === 4);
  t.ok(
    r.latencies.every((l) => l < 1000),
    'answers arrive',
  );
});

t.test(
  'bad input: no door command, a counter per reason, a log line with the reader, and service goes on',
  async (t) => {
    const g = await startGateway(t);
    const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01' });
    const ghost = new LoadReader({ url: g.brokerUrl, readerId: 'GHOST' });
    await r.start();
    await ghost.start();
    t.teardown(async () => {
      await r.stop();
      await ghost.stop();
    });
    const good = () => ({
      id: `x-${Math.random()}`,
      ts: new Date().toISOString(),
      type: 'face',
      face: { personId: 'F-R00001', score: 0.9, liveness: true },
    });
    await r.raw('this is not json');
    await r.raw(JSON.stringify({ ...good(), face: { personId: 'F-R00001', score: 'high' } }));
    await r.raw(JSON.stringify({ ...good(), id: undefined }));
    await r.raw(JSON.stringify({ ...good(), image: { mime: 'image/jpeg', data: '@@@@' } }));
    await r.raw(JSON.stringify({ ...good(), ts: new Date(Date.now() + 3 * 86_400_000).toISOString() }));
    await r.raw(Buffer.alloc(600 * 1024, 0x7b));
    await ghost.raw(JSON.stringify(good()));
    const dup = good();
    await r.raw(JSON.stringify(dup));
    await r.raw(JSON.stringify(dup));
    t.ok(await r.roundTrip(), 'valid reads are still answered');
    await until(() => r.answers.size === 2, 3000, 'answers');
    t.equal(r.answers.get(dup.id), 1, 'a duplicate is answered once');
    t.equal(ghost.answers.size, 0, 'the unknown reader gets nothing');
    t.equal(r.answers.size, 2, 'no command for any bad payload');

    t.equal((await fetch(`${g.httpUrl}/metrics`)).status, 401, 'metrics need an API token');
    const metrics = await (await g.api('/metrics')).text();
    for (const reason of ['not_json', 'bad_field', 'missing_id', 'bad_image', 'future_ts', 'too_large']) {
      t.match(metrics, new RegExp(`estate_gateway_rejected_total\\{reason="${reason}"\\} 1`), reason);
    }
    // The unknown reader's status message and its event.
    t.match(metrics, /estate_gateway_rejected_total\{reason="unknown_reader"\} 2/);
    t.match(metrics, /estate_gateway_duplicate_reads_total 1/);
    const rejected = g.logs.filter((l) => l.msg === 'read rejected');
    t.equal(rejected.length, 8, 'one log line per bad payload');
    t.ok(rejected.every((l) => typeof l.reader === 'string' && typeof l.reason === 'string'));
    t.same(
      rejected.filter((l) => l.reader === 'GHOST').map((l) => l.reason),
      ['unknown_reader', 'unknown_reader'],
    );
    t.equal(g.gw.db.prepare('SELECT count(*) FROM journal').pluck().get(), 2);
  },
);
