import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import mqtt from 'mqtt';
import t from 'tap';
import { makeCerts } from '../../testkit/certs.js';
import { startGateway } from '../../testkit/gateway.js';
import { tmpDir } from '../../testkit/tmp.js';
import { waitForEvent } from '../../testkit/wait.js';

/** Issue 9 item 6: the embedded broker's mqtts listener, with a CA made by openssl here. */

const event = (id: string) =>
  JSON.stringify({
    id,
    ts: new Date().toISOString(),
    type: 'face',
    face: { personId: 'F-R00001', score: 0.95, liveness: true },
  });

t.test('readers over mqtts with client certificates; no plain listener on the LAN', async (t) => {
  const { dir, cleanup } = tmpDir('tls-');
  t.teardown(cleanup);
  const certs = makeCerts(dir, { client: 'T-B01' });
  const g = await startGateway(t, {
    mqtt: {
      url: null,
      embedded: {
        host: '127.0.0.1',
        port: 0,
        requireAuth: true,
        plain: false,
        tls: { port: 0, cert: certs.cert, key: certs.key, ca: certs.ca, requireClientCert: true },
      },
    },
  });
  t.equal(g.gw.brokerPort, 0, 'no plain listener bound (port 0 stays unbound)');
  const port = g.gw.brokerTlsPort as number;
  t.ok(port > 0, 'the TLS listener is bound');
  const password = g.gw.secrets.readers['T-B01'] as string;
  const url = `mqtts://127.0.0.1:${port}`;
  const ca = readFileSync(certs.ca);

  const reader = await mqtt.connectAsync(url, {
    username: 'T-B01',
    password,
    ca,
    cert: readFileSync(certs.clientCert as string),
    key: readFileSync(certs.clientKey as string),
    reconnectPeriod: 0,
  });
  t.teardown(() => reader.endAsync());
  await reader.subscribeAsync('acs/v1/readers/T-B01/commands', { qos: 1 });
  const command = waitForEvent<[string, Buffer]>(reader, 'message', () => true, 5000, 'the door command');
  await reader.publishAsync('acs/v1/readers/T-B01/events', event('tls-1'), { qos: 1 });
  const [, payload] = await command;
  t.match(JSON.parse(payload.toString()), { event: 'tls-1', action: 'unlock' }, 'answered over TLS');

  // Without a client certificate the handshake fails: no MQTT byte is read.
  await t.rejects(
    mqtt.connectAsync(url, { username: 'T-B01', password, ca, reconnectPeriod: 0, connectTimeout: 3000 }),
    'a reader without a client certificate is refused',
  );
  // A client that does not trust the gateway's CA refuses the broker.
  await t.rejects(
    mqtt.connectAsync(url, { username: 'T-B01', password, reconnectPeriod: 0, connectTimeout: 3000 }),
    'an unknown broker certificate is refused by the reader',
  );
  // Plain MQTT to the TLS port is no MQTT at all.
  const plain = net.connect({ host: '127.0.0.1', port });
  plain.on('error', () => undefined);
  plain.write(
    Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x1e, 0x00, 0x00]),
  );
  await new Promise<void>((r) => plain.once('close', () => r()));
  t.pass('plain MQTT on the TLS port is closed');
  // The TLS version floor.
  const old = tls.connect({ host: '127.0.0.1', port, ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
  const oldOutcome = await new Promise<string>((r) => {
    old.once('secureConnect', () => r('connected'));
    old.once('error', () => r('refused'));
  });
  old.destroy();
  t.equal(oldOutcome, 'refused', 'TLS 1.1 is refused');
  const rows = g.gw.db.prepare("SELECT record_id FROM journal WHERE reader_id = 'T-B01'").pluck().all();
  t.same(rows, ['tls-1'], 'only the TLS reader’s event was recorded');
});

t.test('a missing certificate file stops the start with nothing left listening', async (t) => {
  const { dir, cleanup } = tmpDir('tls-');
  t.teardown(cleanup);
  await t.rejects(
    startGateway(t, {
      mqtt: {
        url: null,
        embedded: {
          host: '127.0.0.1',
          port: 0,
          tls: { port: 0, cert: `${dir}/missing.pem`, key: `${dir}/missing.key` },
        },
      },
    }),
    /ENOENT|missing/,
  );
});
