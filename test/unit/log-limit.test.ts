import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../gateway/log.js';
import { LogLimiter, type LogLimitOptions } from '../../gateway/log-limit.js';
import { startGateway } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 12 item 6: one warning per rejected read wrote 78,860 lines (13 MB) in 90 s. The
// first lines of each reader and reason are written, the rest counted and summed up.

type Line = Record<string, unknown> & { msg: string };

function limiter(o: Partial<LogLimitOptions> = {}): { l: LogLimiter; lines: Line[] } {
  const lines: Line[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()) as Line);
        cb();
      },
    }),
  });
  return { l: new LogLimiter(log, { burst: 3, maxLines: 100, windowMs: 60_000, ...o }), lines };
}

t.test('the first lines of each key, then one summary with the exact counts', async (t) => {
  const { l, lines } = limiter();
  for (let i = 0; i < 1000; i++) l.write('warn', 'T1 bad_field', { reader: 'T1', i }, 'read rejected');
  for (let i = 0; i < 10; i++) l.write('warn', 'T2 not_json', { reader: 'T2', i }, 'read rejected');
  t.equal(lines.length, 6, 'three of each kind');
  t.same(
    lines.map((x) => [x.reader, x.i]),
    [
      ['T1', 0],
      ['T1', 1],
      ['T1', 2],
      ['T2', 0],
      ['T2', 1],
      ['T2', 2],
    ],
    'the first occurrences, as they came',
  );
  t.equal(l.held, 1004);
  l.flush();
  t.match(lines.at(-1), {
    level: 40,
    msg: 'repeated log lines held back (the counters keep exact numbers)',
    held: 1004,
    counts: { 'T1 bad_field': 997, 'T2 not_json': 7 },
    windowS: 60,
  });
  l.write('warn', 'T1 bad_field', { reader: 'T1' }, 'read rejected');
  t.equal(lines.length, 8, 'a new window starts afresh');
  l.flush();
  t.equal(lines.length, 8, 'nothing held back: no summary');
});

t.test('bounded: lines per window and keys remembered', async (t) => {
  const { l, lines } = limiter({ burst: 5, maxLines: 20, maxKeys: 100 });
  // Hostile input naming a new reader id with every message.
  for (let i = 0; i < 5000; i++) l.write('warn', `X${i} unknown_reader`, { i }, 'read rejected');
  t.equal(lines.length, 20, 'no more than maxLines in a window');
  l.flush();
  const summary = lines.at(-1) as Line & { counts: Record<string, number> };
  t.equal(summary.held, 4980, 'every line not written is counted');
  // 100 keys remembered (X20–X99 held one each), the 4,900 after them as `others`; the
  // summary names 50 and adds the rest to `others`.
  t.equal(Object.keys(summary.counts).length, 50);
  t.equal(summary.counts.others, 4900 + 31);
});

t.test('the window ends by itself', async (t) => {
  const { l, lines } = limiter({ burst: 1, windowMs: 50 });
  l.write('error', 'k', {}, 'boom');
  l.write('error', 'k', {}, 'boom');
  await waitFor(() => lines.length === 2, 2000, 'the summary');
  t.match(lines[1], { held: 1, counts: { k: 1 } });
});

t.test('a flood of bad payloads: exact counters, a handful of log lines', async (t) => {
  const g = await startGateway(t);
  const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01' });
  await r.start();
  t.teardown(() => r.stop());
  const N = 2000;
  await Promise.all(
    Array.from({ length: N }, (_, i) => r.raw(i % 2 ? 'not json' : '{"id":"x","ts":"2026-02-30T00:00:00Z"}')),
  );
  await waitFor(
    async () =>
      (await g.api('/metrics', { as: 'admin' }).then((res) => res.text())).includes(
        'reason="not_json"} 1000',
      ),
    10_000,
    'every payload counted',
  );
  const metrics = await g.api('/metrics', { as: 'admin' }).then((res) => res.text());
  t.match(metrics, /estate_gateway_rejected_total\{reason="bad_field"\} 1000/, 'every refusal counted');
  const devices = (await g.api('/api/readers').then((res) => res.json())) as {
    items: Array<{ id: string; counters: Record<string, number> }>;
  };
  t.match(devices.items.find((d) => d.id === 'T-B01')?.counters, {
    rejected_not_json: 1000,
    rejected_bad_field: 1000,
  });
  const rejected = g.logs.filter((l) => l.msg === 'read rejected');
  t.equal(rejected.length, 10, 'five lines per reason, not 2,000');
  await g.gw.stop();
  const summary = g.logs.find((l) => String(l.msg).startsWith('repeated log lines held back'));
  t.match(
    summary,
    { held: N - 10, counts: { 'T-B01 not_json': 995, 'T-B01 bad_field': 995 } },
    'summed up at stop',
  );
});
