import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { checkConfigCommand } from '../../cli/check-config.js';
import { verifyTimestamped } from '../../core/upstream-signature.js';
import { createLogger } from '../../gateway/log.js';
import { HttpTransport } from '../../gateway/upstream/http-transport.js';
import type { OutboxRow } from '../../gateway/upstream/outbox.js';
import { makeCerts } from '../../testkit/certs.js';
import { testConfigObject } from '../../testkit/config.js';
import { tmpDir } from '../../testkit/tmp.js';

/** Issue 9 item 10: the HTTPS upstream honours upstream.tls, signs its time, follows no redirect. */

const KEY = 'k'.repeat(64);
const ROW = { body: '{"id":"e1"}' } as OutboxRow;

function logger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination: sink }), lines };
}

async function listen(t: Test, server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

t.test('https with the configured CA and client certificate; the time is signed', async (t) => {
  const { dir, cleanup } = tmpDir('up-tls-');
  t.teardown(cleanup);
  const c = makeCerts(dir, { client: 'gw-t' });
  const seen: Array<{ headers: http.IncomingHttpHeaders; body: string; client: string | undefined }> = [];
  const server = https.createServer(
    { cert: readFileSync(c.cert), key: readFileSync(c.key), ca: readFileSync(c.ca), requestCert: true },
    (req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const sock = req.socket as TLSSocket;
        seen.push({
          headers: req.headers,
          body,
          client: sock.authorized ? String(sock.getPeerCertificate().subject?.CN) : undefined,
        });
        res.end('{}');
      });
    },
  );
  const port = await listen(t, server);
  const url = `https://127.0.0.1:${port}/v1/events`;
  const { log } = logger();
  const tr = new HttpTransport({
    url,
    hmacKey: () => KEY,
    gatewayId: 'gw-t',
    tls: { ca: c.ca, cert: c.clientCert, key: c.clientKey, rejectUnauthorized: true },
    log,
  });
  await tr.start();
  t.teardown(() => tr.stop());
  await tr.send([ROW]);
  t.equal(seen.length, 1);
  t.equal(seen[0]?.client, 'gw-t', 'the client certificate was presented and verified');
  const h = seen[0]?.headers as Record<string, string>;
  t.equal(
    verifyTimestamped(KEY, h, seen[0]?.body ?? '', Date.now()),
    'ok',
    'the timestamped signature verifies',
  );
  t.equal(
    verifyTimestamped(KEY, h, seen[0]?.body ?? '', Date.now() + 6 * 60_000),
    'stale',
    'the same request replayed six minutes later is refused',
  );
  t.equal(verifyTimestamped(KEY, h, `${seen[0]?.body} `, Date.now()), 'bad_signature', 'an altered body');

  // Without the CA (the setting that used to be ignored) the server is not trusted.
  const bare = new HttpTransport({ url, hmacKey: () => KEY, gatewayId: 'gw-t', log });
  await bare.start();
  t.teardown(() => bare.stop());
  await t.rejects(bare.send([ROW]), /self-signed|certificate/i);
  t.equal(seen.length, 1, 'nothing was sent to an unverified server');
  // A missing file fails the start.
  const missing = new HttpTransport({
    url,
    hmacKey: () => KEY,
    gatewayId: 'gw-t',
    tls: { ca: path.join(dir, 'nope.pem'), rejectUnauthorized: true },
    log,
  });
  await t.rejects(missing.start(), /ENOENT/);
});

t.test('a redirect is not followed; plain http to another host is warned of', async (t) => {
  let elsewhere = 0;
  const other = await listen(
    t,
    http.createServer((_q, s) => {
      elsewhere++;
      s.end('{}');
    }),
  );
  const port = await listen(
    t,
    http.createServer((_q, s) => {
      s.writeHead(307, { location: `http://127.0.0.1:${other}/steal` });
      s.end();
    }),
  );
  const { log, lines } = logger();
  const tr = new HttpTransport({
    url: `http://127.0.0.1:${port}/v1/events`,
    hmacKey: () => KEY,
    gatewayId: 'g',
    log,
  });
  await tr.start();
  t.teardown(() => tr.stop());
  await t.rejects(tr.send([ROW]), /redirect \(HTTP 307\): not followed/);
  t.equal(elsewhere, 0, 'the batch did not go to the redirect target');
  t.notOk(
    lines.some((l) => /plain http/.test(String(l.msg))),
    'loopback: no warning',
  );

  // Starting only: no request is sent to the documentation address.
  const remote = new HttpTransport({
    url: 'http://192.0.2.10/v1/events',
    hmacKey: () => KEY,
    gatewayId: 'g',
    log,
  });
  await remote.start();
  await remote.stop();
  t.ok(
    lines.some((l) => l.level === 40 && /plain http:\/\/ to a host that is not this box/.test(String(l.msg))),
    'a warning at start for http:// to a host that is not loopback',
  );
});

t.test('check-config fails on TLS files that do not exist', async (t) => {
  const { dir, cleanup } = tmpDir('cc-');
  t.teardown(cleanup);
  const file = path.join(dir, 'config.yaml');
  const write = (over: Record<string, unknown>) => writeFileSync(file, stringify(testConfigObject(over)));
  const errors: string[] = [];
  const orig = console.error;
  const origLog = console.log;
  console.error = (m: string) => errors.push(m);
  console.log = () => undefined;
  t.teardown(() => {
    console.error = orig;
    console.log = origLog;
  });
  write({
    upstream: {
      enabled: true,
      url: 'https://up.example/v1/events',
      tls: { ca: path.join(dir, 'ca.pem'), rejectUnauthorized: true },
    },
  });
  t.equal(checkConfigCommand([file]), 1, 'a missing upstream CA fails the check');
  t.match(errors.join('\n'), /upstream\.tls\.ca: .*ca\.pem does not exist/);
  write({
    mqtt: { url: null, embedded: { tls: { cert: path.join(dir, 'b.pem'), key: path.join(dir, 'b.key') } } },
  });
  t.equal(checkConfigCommand([file]), 1, 'missing broker certificate files fail it');
  t.match(errors.join('\n'), /mqtt\.embedded\.tls\.cert/);
  writeFileSync(path.join(dir, 'ca.pem'), 'pem');
  write({
    upstream: {
      enabled: true,
      url: 'https://up.example/v1/events',
      tls: { ca: path.join(dir, 'ca.pem'), rejectUnauthorized: true },
    },
  });
  t.equal(checkConfigCommand([file]), 0, 'present files pass');
});
