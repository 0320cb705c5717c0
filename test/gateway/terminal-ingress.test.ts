import net from 'node:net';
import t from 'tap';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { TerminalIngress } from '../../gateway/terminal-ingress.js';

// Issue 11: terminals that push over HTTP reach the drivers through one listener of the
// gateway's, with its limits; an unauthorised client never gets a body buffered.

function ingress() {
  const metrics = createMetrics();
  const ing = new TerminalIngress({
    host: '127.0.0.1',
    port: 0,
    maxConnections: 16,
    headersTimeoutMs: 2000,
    requestTimeoutMs: 5000,
    log: silentLogger(),
    metrics,
  });
  const count = async (route: string, status: number) => {
    const m = await metrics.ingressRequests.get();
    return m.values.find((v) => v.labels.route === route && v.labels.status === String(status))?.value ?? 0;
  };
  return { ing, count };
}

t.test('without a route nothing listens', async (t) => {
  const { ing } = ingress();
  await ing.start();
  t.equal(ing.port, null);
  t.notOk(ing.used);
  await ing.stop();
});

t.test('routes answer, exact and by prefix; an unknown path is a counted 404', async (t) => {
  const { ing, count } = ingress();
  const seen: string[] = [];
  ing.route('GET', '/iclock/cdata', (req) => {
    seen.push(`${req.path}?${req.query.get('SN')}`);
    return { status: 200, body: 'OK' };
  });
  ing.route('POST', '/hik/*', (req) => ({ status: 200, body: `${req.path} ${req.body.length}` }));
  await ing.start();
  t.teardown(() => ing.stop());
  const base = `http://127.0.0.1:${ing.port}`;
  const a = await fetch(`${base}/iclock/cdata?SN=ZK1`);
  t.equal(a.status, 200);
  t.equal(await a.text(), 'OK');
  t.same(seen, ['/iclock/cdata?ZK1']);
  const b = await fetch(`${base}/hik/T-1/events`, { method: 'POST', body: 'x'.repeat(10) });
  t.equal(await b.text(), '/hik/T-1/events 10');
  const c = await fetch(`${base}/api/session`);
  t.equal(c.status, 404, 'the dashboard is not served here');
  t.equal(await count('-', 404), 1);
  t.equal(await count('GET /iclock/cdata', 200), 1);
  t.throws(() => ing.route('GET', '/iclock/cdata', () => ({ status: 200 })), { code: 'BAD_ROUTE' });
});

t.test('a request refused from its head never has its body read', async (t) => {
  const { ing, count } = ingress();
  let handled = 0;
  ing.route(
    'POST',
    '/push',
    () => {
      handled++;
      return { status: 200 };
    },
    {
      maxBodyBytes: 64 * 1024 * 1024,
      authorize: (head) =>
        head.headers.authorization === 'Basic ok' ? { ok: true } : { ok: false, reply: { status: 401 } },
    },
  );
  await ing.start();
  t.teardown(() => ing.stop());
  // Announce 50 MB, send only the head and a little: the answer must come at once.
  const sock = net.connect(ing.port as number, '127.0.0.1');
  t.teardown(() => sock.destroy());
  const reply = new Promise<string>((resolve) => {
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n\r\n')) resolve(got);
    });
  });
  sock.write('POST /push HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\n\r\n');
  sock.write(Buffer.alloc(1024));
  t.match(await reply, /^HTTP\/1\.1 401/);
  t.equal(handled, 0);
  t.equal(await count('POST /push', 401), 1);
});

t.test(
  'bodies over the cap are refused, declared or chunked; a failing handler is a fixed 500',
  async (t) => {
    const { ing, count } = ingress();
    let bodies = 0;
    ing.route(
      'POST',
      '/small',
      (req) => {
        bodies++;
        return { status: 200, body: String(req.body.length) };
      },
      { maxBodyBytes: 1000 },
    );
    ing.route('GET', '/boom', () => {
      throw new Error('SQLITE_CORRUPT /var/lib/secret path');
    });
    await ing.start();
    t.teardown(() => ing.stop());
    const base = `http://127.0.0.1:${ing.port}`;
    const ok = await fetch(`${base}/small`, { method: 'POST', body: 'x'.repeat(1000) });
    t.equal(await ok.text(), '1000');
    const declared = await fetch(`${base}/small`, { method: 'POST', body: 'x'.repeat(1001) });
    t.equal(declared.status, 413);
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode('y'.repeat(400)));
        c.close();
      },
    });
    const chunked = await fetch(`${base}/small`, {
      method: 'POST',
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    t.equal(chunked.status, 413, 'a chunked body is cut off at the cap');
    t.equal(bodies, 1, 'only the body within the cap reached the handler');
    const boom = await fetch(`${base}/boom`);
    t.equal(boom.status, 500);
    t.equal(await boom.text(), 'internal error', 'no error text leaves the box');
    t.equal(await count('POST /small', 413), 2);
  },
);

t.test(
  'a route with an oversize answer drops the body unread and answers; far past the cap, 413',
  async (t) => {
    const { ing, count } = ingress();
    let bodies = 0;
    const oversize: string[] = [];
    ing.route(
      'POST',
      '/push/*',
      () => {
        bodies++;
        return { status: 200, body: 'stored' };
      },
      {
        maxBodyBytes: 1000,
        oversize: (head) => {
          oversize.push(head.path);
          return { status: 200, body: 'OK' };
        },
      },
    );
    await ing.start();
    t.teardown(() => ing.stop());
    const base = `http://127.0.0.1:${ing.port}`;
    const declared = await fetch(`${base}/push/T-1`, { method: 'POST', body: 'x'.repeat(5000) });
    t.equal(declared.status, 200);
    t.equal(await declared.text(), 'OK', 'the route’s answer, not a 413 the terminal would resend');
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode('y'.repeat(400)));
        c.close();
      },
    });
    const chunked = await fetch(`${base}/push/T-2`, {
      method: 'POST',
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    t.equal(await chunked.text(), 'OK', 'a chunked body past the cap, too');
    t.same(oversize, ['/push/T-1', '/push/T-2']);
    t.equal(bodies, 0, 'the handler never saw them');
    const huge = await fetch(`${base}/push/T-3`, { method: 'POST', body: 'z'.repeat(17 * 1000) });
    t.equal(huge.status, 413, 'past 16 times the cap it is not even drained');
    t.same(oversize, ['/push/T-1', '/push/T-2']);
    t.equal(await count('POST /push/*', 200), 2);
    t.equal(await count('POST /push/*', 413), 1);
  },
);

t.test('stop closes the listener and open connections', async (t) => {
  const { ing } = ingress();
  ing.route('GET', '/x', () => ({ status: 200 }));
  await ing.start();
  const port = ing.port as number;
  const idle = net.connect(port, '127.0.0.1');
  await new Promise((r) => idle.once('connect', r));
  const closed = new Promise((r) => idle.once('close', r));
  await ing.stop();
  await closed;
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
    s.once('connect', () => resolve('connected'));
  });
  t.equal(refused, 'ECONNREFUSED');
});
