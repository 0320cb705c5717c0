import t from 'tap';
import { startGateway } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';

/** Reads Server-Sent Events from a response until `n` events of `type` arrived. */
async function events(res: Response, type: string, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i = buf.indexOf('\n\n');
    while (i >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (block.includes(`event: ${type}\n`))
        out.push(JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null'));
      i = buf.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return out;
}

t.test('live entries over SSE: names masked for viewers, in full for operators', async (t) => {
  const g = await startGateway(t);
  const viewer = await g.api('/api/live', { as: 'viewer' });
  const operator = await g.api('/api/live', { as: 'operator' });
  t.equal(viewer.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01' });
  await r.start();
  t.teardown(() => r.stop());
  const [v, o] = await Promise.all([events(viewer, 'entry', 1), events(operator, 'entry', 1), r.roundTrip()]);
  t.match(v?.[0], { residentId: 'R00001', residentName: '张*', outcome: 'granted' });
  t.match(o?.[0], { residentId: 'R00001', residentName: '张伟' });
});
