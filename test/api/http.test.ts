import t from 'tap';
import { startGateway, until } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';

const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR8eHR0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AVN//2Q==',
  'base64',
);

t.test('the read API over a gateway with some history', async (t) => {
  const g = await startGateway(t);
  // Operators see names unmasked; viewers' masking is tested with the dashboard.
  const api = (p: string) => g.api(p, { as: 'operator' });
  const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01' });
  await r.start();
  t.teardown(() => r.stop());
  await r.roundTrip();
  await r.roundTrip(5000, {
    face: { personId: null, score: 0.2 },
    image: { mime: 'image/jpeg', data: JPEG.toString('base64') },
  });
  await r.roundTrip(5000, { face: { personId: 'F-R00002', score: 0.95, liveness: true } });

  const health = await api('/healthz');
  t.equal(health.status, 200);
  t.match(await health.json(), {
    status: 'ok',
    estateId: 'SH-TEST',
    broker: { mode: 'embedded', connected: true },
    roster: { residents: 3 },
  });

  const events = (await (await api('/api/events?limit=2')).json()) as {
    items: Array<Record<string, unknown>>;
    next: number;
  };
  t.equal(events.items.length, 2);
  t.match(events.items[0], {
    readerId: 'T-B01',
    doorName: '1号楼1单元',
    outcome: 'denied',
    reasons: ['inactive_resident'],
    reasonLabels: ['住户已迁出或停用'],
    residentName: '李娜',
  });
  const page2 = (await (await api(`/api/events?limit=2&before=${events.next}`)).json()) as {
    items: Array<{ outcome: string }>;
    next: null;
  };
  t.same(
    page2.items.map((e) => e.outcome),
    ['granted'],
  );
  t.equal(page2.next, null);
  const denied = (await (await api('/api/events?outcome=denied')).json()) as { items: unknown[] };
  t.equal(denied.items.length, 2);

  const alerts = (await (await api('/api/alerts')).json()) as {
    items: Array<{ id: string; kind: string; label: string }>;
  };
  t.same(alerts.items.map((a) => a.kind).sort(), ['inactive_resident', 'stranger']);
  const stranger = alerts.items.find((a) => a.kind === 'stranger');
  const one = (await (await api(`/api/alerts/${stranger?.id}`)).json()) as {
    evidence: Array<{ thumb: string | null }>;
  };
  t.match(one, { kind: 'stranger', label: '陌生人通行', count: 1 });
  const thumb = one.evidence[0]?.thumb;
  t.match(thumb, /^thumbs\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{20}\.webp$/);
  await until(async () => (await api(`/api/${thumb}`)).status === 200, 5000, 'thumbnail written');
  const img = await api(`/api/${thumb}`);
  t.equal(img.headers.get('content-type'), 'image/webp');

  const hh = (await (await api('/api/households/H1')).json()) as Record<string, unknown> & {
    members: Array<Record<string, unknown>>;
  };
  t.match(hh, { id: 'H1', buildingName: '1号楼', housingTypeLabel: '公共租赁住房' });
  t.match(
    hh.members.find((m) => m.id === 'R00001'),
    {
      name: '张伟',
      idMasked: '310***********2014',
      credentials: [
        { kind: 'card', masked: '****B2C3' },
        { kind: 'face', masked: 'F-R00001' },
      ],
    },
  );
  t.notOk(JSON.stringify(hh).includes('04A1B2C3'), 'no full card number');

  const readers = (await (await api('/api/readers')).json()) as {
    items: Array<{ id: string; online: boolean | null }>;
  };
  t.equal(readers.items.find((x) => x.id === 'T-B01')?.online, true);
  t.match(
    await (await api('/metrics')).text(),
    /estate_gateway_reads_total\{outcome="granted",type="face",mode="live"\} 1/,
  );
});

t.test('hostile and malformed requests get a 4xx with a clear message', async (t) => {
  const g = await startGateway(t);
  const get = async (p: string) => {
    const res = await g.api(p);
    return { status: res.status, body: (await res.json()) as { message: string } };
  };
  const rows: Array<[string, number, RegExp]> = [
    ['/api/events?limit=100000', 400, /limit must be <= 500/],
    ['/api/events?since=yesterday', 400, /since must match format "date-time"/],
    // Times that do not exist (issue 12 item 5): Date.parse would roll them over or give NaN.
    ['/api/events?since=2026-02-30T00:00:00Z', 400, /since must match format "date-time"/],
    ['/api/events?until=2026-02-28T24:00:00%2B08:00', 400, /until must match format "date-time"/],
    ['/api/events?until=2026-06-30T23:59:60Z', 400, /until must match format "date-time"/],
    ['/api/events?outcome=maybe', 400, /outcome/],
    ['/api/events?color=red', 400, /must NOT have additional properties/],
    ['/api/alerts/%00%27%20OR%201=1', 400, /params\/id must match pattern/],
    ['/api/households/nope', 404, /no household nope/],
    ['/api/thumbs/../../gateway.db', 404, /.+/],
    ['/api/thumbs/thumbs/..%2f..%2fsecrets.yaml', 400, /not a thumbnail path/],
    ['/api/nothing-here', 404, /.+/],
  ];
  for (const [path, status, msg] of rows) {
    const r = await get(path);
    t.equal(r.status, status, path);
    t.match(r.body.message, msg, path);
  }
  for (const ok of ['2024-02-29T23:59:59.999%2B08:00', '2026-05-01T00:00:00Z'])
    t.equal((await get(`/api/events?since=${ok}`)).status, 200, `a time that exists: ${ok}`);
  const post = (as: 'operator' | null) =>
    g.api('/api/events', {
      as,
      method: 'POST',
      body: 'x'.repeat(100_000),
      headers: { 'content-type': 'application/json' },
    });
  t.equal((await post(null)).status, 401, 'nobody writes without credentials');
  const big = await post('operator');
  t.ok(big.status === 404 || big.status === 413, 'no such write route; large bodies refused');
  t.equal((await fetch(`${g.httpUrl}/healthz`)).status, 200, 'still serving');
});

t.test('Server-Sent Events deliver entries and alerts as they happen', async (t) => {
  const g = await startGateway(t);
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const res = await g.api('/api/live', { signal: ac.signal });
  t.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body?.getReader();
  let text = '';
  const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-GATE' });
  await r.start();
  t.teardown(() => r.stop());
  await r.roundTrip(5000, { face: { personId: null, score: 0.1 } });
  const dec = new TextDecoder();
  while (!(text.includes('event: entry') && text.includes('event: alert'))) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) break;
    text += dec.decode(chunk.value);
  }
  const entry = /event: entry\nid: (\d+)\ndata: (.*)\n/.exec(text);
  t.ok(entry, 'an entry event');
  t.match(JSON.parse(entry?.[2] ?? '{}'), { doorId: 'GATE', outcome: 'denied', reasons: ['stranger'] });
  t.match(text, /event: alert\nid: al-[0-9a-z]+\ndata: .*"kind":"stranger".*"isNew":true/);
});
