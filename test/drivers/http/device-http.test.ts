import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { DeviceHttp } from '../../../drivers/http/device-http.js';
import { SimHttpDevice } from '../../../sim/vendor/http-device.js';

// Issue 11: the Digest client of the vendor terminals — a fresh challenge per 401, never
// Basic, a refused login backs off without asking again, a reply cap, a timeout.

const body401 = () => ({ type: 'text/plain', body: 'Unauthorized' });

t.test('Digest with the query string in the uri; a refused login holds the next requests back', async (t) => {
  const dev = new SimHttpDevice({ realm: 'r', username: 'admin', password: 'right', body401 });
  dev.route('GET', '/ISAPI/System/time', () => ({ status: 200, body: 'ok' }));
  await dev.start();
  t.teardown(() => dev.stop());
  let password = 'right';
  let now = 1_000_000;
  const c = new DeviceHttp({
    host: '127.0.0.1',
    port: dev.port,
    login: () => ({ username: 'admin', password }),
    timeoutMs: 2000,
    maxReplyBytes: 1000,
    now: () => now,
  });
  t.teardown(() => c.close());
  const r = await c.request('GET', '/ISAPI/System/time?format=json');
  t.equal(r.status, 200);
  t.equal((await c.request('GET', '/ISAPI/System/time?format=json')).status, 200, 'the nonce reused');
  t.equal(dev.stats.challenges, 1, 'one challenge for both');

  password = 'wrong';
  await t.rejects(c.request('GET', '/ISAPI/System/time'), { code: 'TERMINAL_AUTH' });
  t.equal(dev.stats.refusedLogins, 1);
  await t.rejects(c.request('GET', '/ISAPI/System/time'), { code: 'TERMINAL_AUTH' }, 'held back');
  t.equal(dev.stats.refusedLogins, 1, 'the terminal was not asked again');
  t.equal(c.stats.heldBack, 1);
  password = 'right';
  now += 61_000;
  t.equal(
    (await c.request('GET', '/ISAPI/System/time')).status,
    200,
    'after the back-off, with the mended login',
  );
  t.equal(dev.stats.basicAttempts, 0, 'never Basic');
});

t.test('a server that offers only Basic gets no password', async (t) => {
  let sawAuthorization = 0;
  const server = http.createServer((req, res) => {
    if (req.headers.authorization) sawAuthorization++;
    res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const c = new DeviceHttp({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    login: () => ({ username: 'admin', password: 'secret' }),
    timeoutMs: 2000,
    maxReplyBytes: 1000,
  });
  t.teardown(() => c.close());
  await t.rejects(c.request('GET', '/'), { code: 'TERMINAL_AUTH', message: /no Digest login/ });
  t.equal(sawAuthorization, 0, 'no Authorization header was ever sent');
});

t.test('no login, a hung terminal, a reply too large', async (t) => {
  const dev = new SimHttpDevice({ realm: 'r', username: 'admin', password: 'p', body401 });
  dev.route('GET', '/big', () => ({ status: 200, body: 'x'.repeat(5000) }));
  await dev.start();
  t.teardown(() => dev.stop());
  const none = new DeviceHttp({
    host: '127.0.0.1',
    port: dev.port,
    login: () => undefined,
    timeoutMs: 500,
    maxReplyBytes: 1000,
  });
  await t.rejects(none.request('GET', '/big'), { code: 'NO_LOGIN' });
  const c = new DeviceHttp({
    host: '127.0.0.1',
    port: dev.port,
    login: () => ({ username: 'admin', password: 'p' }),
    timeoutMs: 500,
    maxReplyBytes: 1000,
  });
  t.teardown(() => c.close());
  await t.rejects(c.request('GET', '/big'), { code: 'TERMINAL_REPLY_TOO_LARGE' });
  dev.hung = true;
  const started = Date.now();
  await t.rejects(c.request('GET', '/big'), { code: 'READER_OFFLINE' });
  t.ok(Date.now() - started < 2000, 'bounded by the timeout');
});

t.test('a search result’s picture is fetched from the terminal only', async (t) => {
  const { fetchPicture } = await import('../../../drivers/hikvision-isapi/catch-up.js');
  const dev = new SimHttpDevice({ realm: 'r', username: 'admin', password: 'p', body401 });
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 0xff, 0xd9]);
  dev.route('GET', '/LOCALS/*', () => ({ status: 200, type: 'image/jpeg', body: jpeg }));
  await dev.start();
  t.teardown(() => dev.stop());
  const c = new DeviceHttp({
    host: '127.0.0.1',
    port: dev.port,
    login: () => ({ username: 'admin', password: 'p' }),
    timeoutMs: 1000,
    maxReplyBytes: 10_000,
  });
  t.teardown(() => c.close());
  t.same(await fetchPicture(c, '127.0.0.1', `http://127.0.0.1:${dev.port}/LOCALS/pic/1.jpeg@WEB0001`, 1000), {
    mime: 'image/jpeg',
    data: jpeg,
  });
  t.same(
    await fetchPicture(c, '127.0.0.1', 'http://10.9.9.9/LOCALS/pic/1.jpeg', 1000),
    { dropped: 'foreign_host' },
    'another host is never asked',
  );
  t.same(await fetchPicture(c, '127.0.0.1', '/LOCALS/pic/1.jpeg', 4), { dropped: 'oversize' });
  t.same(await fetchPicture(c, '127.0.0.1', 'http://[bad', 1000), { dropped: 'bad_url' });
});
