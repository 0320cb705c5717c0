import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../gateway/log.js';
import { isLoopbackHost } from '../../gateway/loopback-host.js';
import { EmbeddedBroker } from '../../gateway/mqtt/embedded.js';
import { MqttSessions } from '../../gateway/mqtt/sessions.js';

/**
 * Issue 9 item 6: plain MQTT beyond the box is allowed (old reader firmware) but never
 * silent: the embedded broker's plain listener on a LAN address, and the gateway's own
 * mqtt:// link to a broker on another host, each warn at start; loopback does not.
 */

function capture() {
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(c: Buffer, _e, cb) {
      for (const l of c.toString().split('\n')) if (l) logs.push(JSON.parse(l));
      cb();
    },
  });
  return { logs, log: createLogger({ level: 'info', destination }) };
}

const warned = (logs: Array<Record<string, unknown>>, re: RegExp) =>
  logs.some((l) => l.level === 40 && re.test(String(l.msg)));

t.test('loopback hosts and addresses', async (t) => {
  for (const h of ['localhost', '127.0.0.1', '127.9.9.9', '::1', '[::1]', '::ffff:127.0.0.1'])
    t.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '192.168.1.10', '::', '::ffff:10.0.0.1', 'broker.estate.lan', '128.0.0.1'])
    t.notOk(isLoopbackHost(h), h);
});

t.test('the embedded broker warns of a plain listener reachable from the LAN', async (t) => {
  for (const [host, expect] of [
    ['0.0.0.0', true],
    ['127.0.0.1', false],
  ] as const) {
    const { logs, log } = capture();
    const b = new EmbeddedBroker({
      host,
      port: 0,
      requireAuth: true,
      passwords: () => undefined,
      topicPrefix: 'acs/v1',
      log,
    });
    await b.start();
    await b.stop();
    t.equal(warned(logs, /plain MQTT listener reachable from the network/), expect, `plain on ${host}`);
  }
});

t.test('the gateway warns of mqtt:// to a broker on another host', async (t) => {
  for (const [url, expect] of [
    ['mqtt://192.0.2.1:1883', true],
    ['mqtts://192.0.2.1:8883', false],
    ['mqtt://127.0.0.1:1883', false],
  ] as const) {
    const { logs, log } = capture();
    const s = new MqttSessions({
      url,
      clientId: 'warn-test',
      username: 'estate-gateway',
      password: () => 'secret-password',
      protocolVersion: 5,
      sessionExpirySeconds: 60,
      receiveMaximum: 10,
      keepaliveSeconds: 30,
      reconnect: { minMs: 1000, maxMs: 2000 },
      log,
    });
    // No session is opened (nothing subscribed): only the start-up check runs.
    await s.start(10);
    await s.stop();
    t.equal(warned(logs, /plain MQTT to a broker that is not on this box/), expect, url);
    t.notOk(JSON.stringify(logs).includes('secret-password'), 'no password logged');
  }
});
