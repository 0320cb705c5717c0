import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { signBody, signTimestamped } from '../../core/upstream-signature.js';
import { SimUpstream } from '../../sim/upstream.js';

const KEY = 'k'.repeat(64);
const SOURCE = 'urn:estate:SH-TEST:gateway:gw-t';

function ev(id: string, type = 'estate.alert.stranger') {
  return {
    specversion: '1.0',
    id,
    source: SOURCE,
    type,
    time: '2026-05-01T07:30:12.345Z',
    subject: 'H0001',
    datacontenttype: 'application/json',
    data: { kind: 'stranger' },
  };
}

async function post(
  url: string,
  body: string,
  sig: string | null = signBody(KEY, body),
  type = 'application/cloudevents-batch+json',
  ts: number | null = Math.floor(Date.now() / 1000),
) {
  const headers: Record<string, string> = { 'content-type': type };
  if (sig !== null) headers['x-estate-signature'] = sig;
  if (ts !== null) {
    headers['x-estate-timestamp'] = String(ts);
    headers['x-estate-signature-v2'] = signTimestamped(KEY, ts, body);
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function started(t: Test, file?: string): Promise<SimUpstream> {
  const up = new SimUpstream({ hmacKey: KEY, port: 0, ...(file ? { file } : {}) });
  await up.start();
  t.teardown(() => up.stop());
  return up;
}

t.test('accepts a signed batch, records it, deduplicates by id', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-up-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'events.jsonl');
  const up = await started(t, file);
  const seen: string[] = [];
  up.on('event', (e) => seen.push(e.id));

  const first = await post(up.url, JSON.stringify([ev('a1'), ev('a2', 'estate.access.denied')]));
  t.same(first, { status: 200, body: { accepted: 2, duplicates: 0 } });
  const again = await post(up.url, JSON.stringify([ev('a2', 'estate.access.denied'), ev('a3'), ev('a3')]));
  t.same(again, { status: 200, body: { accepted: 1, duplicates: 2 } }, 'a retry and a repeat in one batch');
  t.same(seen, ['a1', 'a2', 'a3']);
  t.same(
    up.events('estate.alert.').map((e) => e.id),
    ['a1', 'a3'],
  );
  t.same(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id),
    ['a1', 'a2', 'a3'],
    'one JSON line per new event',
  );

  const list = (await (await fetch(`${up.url}?type=estate.access.`)).json()) as Array<{ id: string }>;
  t.same(
    list.map((e) => e.id),
    ['a2'],
    'GET /v1/events?type=prefix',
  );
  const stats = await (await fetch(up.url.replace('/events', '/stats'))).json();
  t.match(stats, {
    batches: 2,
    accepted: 3,
    duplicates: 2,
    rejected: 0,
    byType: { 'estate.alert.stranger': 2, 'estate.access.denied': 1 },
  });
  t.equal((await up.waitFor((e) => e.id === 'a3', 100)).id, 'a3', 'waitFor finds past events');
});

t.test('health reports are kept per source, not counted as events', async (t) => {
  const up = await started(t);
  await post(up.url, JSON.stringify([ev('h1', 'estate.gateway.health')]));
  const h2 = { ...ev('h2', 'estate.gateway.health'), data: { ok: true } };
  t.equal((await post(up.url, JSON.stringify([h2]))).status, 200);
  t.same(up.events(), []);
  t.same(up.health(), { [SOURCE]: h2 });
  t.match(up.stats(), { accepted: 0, health: 2, byType: {} });
});

t.test('signature: missing or wrong is 401, and nothing is recorded', async (t) => {
  const up = await started(t);
  const body = JSON.stringify([ev('s1')]);
  t.equal((await post(up.url, body, null)).status, 401, 'missing');
  t.equal((await post(up.url, body.replace('s1', 's2'), signBody(KEY, body))).status, 401, 'tampered body');
  t.equal((await post(up.url, body, signBody('other-key', body))).status, 401, 'other key');
  t.equal((await post(up.url, body, 'sha256=zz')).status, 401, 'not hex');
  t.equal((await post(up.url, body, signBody(KEY, body).toUpperCase())).status, 401, 'no sha256= prefix');
  t.same(up.events(), []);
  t.equal(up.stats().unauthorized, 5);
});

t.test('a request replayed after the allowed skew is refused (issue 9 item 10)', async (t) => {
  const up = await started(t);
  const body = JSON.stringify([ev('r1')]);
  const sixMinutesAgo = Math.floor(Date.now() / 1000) - 360;
  const stale = await post(up.url, body, signBody(KEY, body), undefined, sixMinutesAgo);
  t.equal(stale.status, 401, 'a captured request sent again six minutes later');
  t.match(stale.body.error, /stale/);
  const unstamped = await post(up.url, body, signBody(KEY, body), undefined, null);
  t.equal(unstamped.status, 401, 'without its timestamp (stripped by a replayer)');
  t.match(unstamped.body.error, /missing/);
  const future = await post(up.url, body, signBody(KEY, body), undefined, sixMinutesAgo + 720);
  t.equal(future.status, 401, 'six minutes ahead');
  t.same(up.events(), [], 'nothing recorded');
  const fresh = await post(up.url, body);
  t.equal(fresh.status, 200, 'the same batch signed now is taken');
});

t.test('bad envelopes are 400 with the problems, the whole batch refused', async (t) => {
  const up = await started(t);
  const bad = [
    ev('ok'),
    { ...ev('v'), specversion: '0.3' },
    { ...ev('t'), time: 'yesterday' },
    { ...ev(''), source: 7 },
    'x',
  ];
  const res = await post(up.url, JSON.stringify(bad));
  t.equal(res.status, 400);
  t.same(res.body.problems, [
    '[1].specversion: must be "1.0"',
    '[2].time: required, an RFC 3339 time',
    '[3].id: required, a non-empty string',
    '[3].source: required, a non-empty string',
    '[4]: must be an object',
  ]);
  t.equal((await post(up.url, JSON.stringify(ev('single')))).status, 400, 'a single event is not a batch');
  t.equal((await post(up.url, JSON.stringify([ev('j')]), undefined, 'application/json')).status, 415);
  t.same(up.events(), [], 'nothing recorded from a refused batch');
  t.equal(up.stats().rejected, 3);
});

t.test('503 while down, accepted again after', async (t) => {
  const up = await started(t);
  const body = JSON.stringify([ev('d1')]);
  up.setDown(true);
  t.equal((await post(up.url, body)).status, 503);
  t.equal((await fetch(up.url)).status, 200, 'GET still answers (inspection)');
  up.setDown(false);
  t.equal((await post(up.url, body)).status, 200);
  t.match(up.stats(), { unavailable: 1, accepted: 1 });
});

t.test('survives garbage', async (t) => {
  const up = await started(t);
  const garbage = [
    '',
    'not json',
    '{"a":',
    '[[[[',
    'null',
    '[null,1,"x",[]]',
    '\u0000\u0001\u0002',
    '{}'.repeat(10_000),
  ];
  for (const g of garbage) {
    const s = await post(up.url, g);
    t.equal(s.status, 400, `400 for ${JSON.stringify(g.slice(0, 12))}`);
  }
  const huge = Buffer.alloc(17 * 1024 * 1024, 0x5b).toString();
  const big = await fetch(up.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/cloudevents-batch+json',
      'x-estate-signature': signBody(KEY, huge),
      'x-estate-timestamp': String(Math.floor(Date.now() / 1000)),
      'x-estate-signature-v2': signTimestamped(KEY, Math.floor(Date.now() / 1000), huge),
    },
    body: huge,
  });
  t.equal(big.status, 413, 'too large');
  // Raw bytes that are not HTTP at all.
  await new Promise<void>((resolve) => {
    const port = Number(new URL(up.url).port);
    const s = net.connect(port, '127.0.0.1', () => s.end(Buffer.from('\u0016\u0003\u0001GARBAGE\r\n\r\n')));
    s.on('close', () => resolve());
    s.on('error', () => resolve());
    s.resume();
  });
  t.equal((await post(up.url, JSON.stringify([ev('after')]))).status, 200, 'still serving');
});

t.test('a failed write is a 500 and the retry is accepted, not taken for a duplicate', async (t) => {
  const up = await started(t, path.join(tmpdir(), 'no-such-dir-sim-upstream', 'events.jsonl'));
  const body = JSON.stringify([ev('w1')]);
  t.equal((await post(up.url, body)).status, 500);
  t.equal((await post(up.url, body)).status, 500, 'still not stored');
  t.match(up.stats(), { accepted: 0, duplicates: 0 });
  t.same(up.events(), []);
});

t.test('waitFor resolves on a future event and times out', async (t) => {
  const up = await started(t);
  const waiting = up.waitFor((e) => e.type === 'estate.alert.inactive_resident', 5000);
  await post(up.url, JSON.stringify([ev('x1'), ev('x2', 'estate.alert.inactive_resident')]));
  t.equal((await waiting).id, 'x2');
  await t.rejects(
    up.waitFor(() => false, 50),
    /no matching upstream event/,
  );
});
