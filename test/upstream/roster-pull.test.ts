import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { RosterPull } from '../../gateway/roster/sync/pull-source.js';

// The HTTPS pull reads what the district system answers and nothing unbounded: a bad
// answer is an error for the caller to log and retry, never a crash or a half read.

t.test(
  'a bad answer: not JSON, no messages, an error status, too large (declared or streamed)',
  async (t) => {
    let answer: (res: http.ServerResponse) => void = (res) => res.end('{}');
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.url} ${req.headers['x-estate-signature'] ?? ''}`);
      answer(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;
    const pull = new RosterPull({
      url: `http://127.0.0.1:${port}/v1/roster`,
      estateId: 'SH-TEST',
      gatewayId: 'gw-t',
      hmacKey: () => 'k',
      maxBytes: 1000,
      timeoutMs: 5000,
    });
    answer = (res) => res.end(JSON.stringify({ messages: [{ a: 1 }, { b: 2 }] }));
    t.same(await pull.since(7), ['{"a":1}', '{"b":2}']);
    t.match(seen[0], /^\/v1\/roster\?estate=SH-TEST&since=7 sha256=[0-9a-f]{64}$/, 'asked with a signed GET');
    answer = (res) => res.end('<html>proxy error</html>');
    await t.rejects(pull.since(7), { code: 'PULL_FAILED', message: /not JSON/ });
    answer = (res) => res.end('{"items":[]}');
    await t.rejects(pull.since(7), { code: 'PULL_FAILED', message: /no messages/ });
    answer = (res) => {
      res.statusCode = 503;
      res.end('busy');
    };
    await t.rejects(pull.since(7), { code: 'PULL_FAILED', message: /HTTP 503/ });
    answer = (res) => res.end('x'.repeat(5000));
    await t.rejects(pull.since(7), { code: 'PULL_TOO_LARGE' }, 'a declared length over the limit');
    answer = (res) => {
      res.setHeader('transfer-encoding', 'chunked');
      for (let i = 0; i < 10; i++) res.write('y'.repeat(400));
      res.end();
    };
    await t.rejects(
      pull.since(7),
      { code: 'PULL_TOO_LARGE', message: /over 1000 bytes/ },
      'a stream that runs over',
    );
  },
);
