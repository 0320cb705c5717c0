import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import t from 'tap';
import { stringify } from 'yaml';
import { makeCerts } from '../../testkit/certs.js';
import { startGateway } from '../../testkit/gateway.js';
import { startMosquitto } from '../../testkit/mosquitto.js';
import { waitForEvent, waitForState } from '../../testkit/wait.js';

const ROOT = path.join(import.meta.dirname, '..', '..');

/** Runs `publish` and resolves once `client` receives the door command for event `id`. */
async function answered(client: MqttClient, id: string, publish: () => Promise<unknown>): Promise<void> {
  const command = waitForEvent<[string, Buffer]>(
    client,
    'message',
    (_topic, payload) => (JSON.parse(payload.toString()) as { event?: string }).event === id,
    5000,
    `the door command for ${id}`,
  );
  await publish();
  await command;
}

t.test('the shipped mosquitto ACL, per-reader accounts and TLS, with the gateway on them', async (t) => {
  const users: Record<string, string> = {
    'estate-gateway': 'gw-pass',
    'T-B01': 'reader-pass',
    'T-B02': 'other-pass',
  };
  const broker = await startMosquitto({
    listener: (port, dir) => {
      makeCerts(dir);
      return [
        `listener ${port} 127.0.0.1`,
        `cafile ${dir}/ca.pem`,
        `certfile ${dir}/server.pem`,
        `keyfile ${dir}/server.key`,
      ];
    },
    extra: (dir) => {
      writeFileSync(path.join(dir, 'passwd'), '');
      for (const [u, p] of Object.entries(users))
        execFileSync('mosquitto_passwd', ['-b', path.join(dir, 'passwd'), u, p]);
      writeFileSync(path.join(dir, 'acl'), readFileSync(path.join(ROOT, 'docs', 'mosquitto.acl')));
      return ['allow_anonymous false', `password_file ${dir}/passwd`, `acl_file ${dir}/acl`];
    },
  });
  t.teardown(() => broker.stop());
  const ca = path.join(broker.dir, 'ca.pem');

  const g = await startGateway(t, {
    mqtt: { url: broker.url, username: 'estate-gateway', tls: { ca, rejectUnauthorized: true } },
  });
  // The password lives in the secrets file, not in the config.
  const secretsFile = path.join(g.dir, 'secrets.yaml');
  writeFileSync(secretsFile, stringify({ ...g.gw.secrets, mqtt: { password: 'gw-pass' } }));
  await g.gw.stop();
  const { build } = await import('../../gateway/build.js');
  const { silentLogger } = await import('../../gateway/log.js');
  const { loaded } = await import('../../testkit/config.js');
  const gw = build(
    loaded(g.dir, {
      mqtt: { url: broker.url, username: 'estate-gateway', tls: { ca, rejectUnauthorized: true } },
    }),
    { log: silentLogger() },
  );
  await gw.start();
  t.teardown(() => gw.stop());
  await waitForState(gw.bus, 'connect', () => gw.bus.connected, 10_000, 'the gateway session');
  t.ok(gw.bus.connected, 'the gateway logs in over TLS with its account');

  const reader = await mqtt.connectAsync(broker.url, {
    username: 'T-B01',
    password: 'reader-pass',
    ca: readFileSync(ca),
  });
  t.teardown(() => reader.endAsync());
  const commands: string[] = [];
  reader.on('message', (topic, payload) =>
    commands.push(`${topic} ${JSON.parse(payload.toString()).action}`),
  );
  await reader.subscribeAsync(['acs/v1/readers/T-B01/commands', 'acs/v1/readers/T-B02/commands'], { qos: 1 });
  const ev = (id: string) =>
    JSON.stringify({
      id,
      ts: new Date().toISOString(),
      type: 'face',
      face: { personId: 'F-R00001', score: 0.95, liveness: true },
    });
  await answered(reader, 'own-1', () =>
    reader.publishAsync('acs/v1/readers/T-B01/events', ev('own-1'), { qos: 1 }),
  );
  t.same(commands, ['acs/v1/readers/T-B01/commands unlock'], 'the reader is answered through the broker');

  // The other reader's door is answered too, but T-B01 may not listen to it.
  const other = await mqtt.connectAsync(broker.url, {
    username: 'T-B02',
    password: 'other-pass',
    ca: readFileSync(ca),
  });
  t.teardown(() => other.endAsync());
  await other.subscribeAsync('acs/v1/readers/T-B02/commands', { qos: 1 });
  await answered(other, 'b02-1', () =>
    other.publishAsync('acs/v1/readers/T-B02/events', ev('b02-1'), { qos: 1 }),
  );
  // A reader publishing under another reader's id is refused by the broker (mosquitto
  // drops the connection of a 3.1.1 client that does so, or acknowledges and drops the
  // message): either way, once the forger hears back, the broker has dealt with it.
  const forger = await mqtt.connectAsync(broker.url, {
    username: 'T-B01',
    password: 'reader-pass',
    ca: readFileSync(ca),
    clientId: 'forger',
    reconnectPeriod: 0,
  });
  forger.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    forger.once('close', () => resolve());
    forger.publish('acs/v1/readers/T-B02/events', ev('forged-1'), { qos: 1 }, () => resolve());
  });
  forger.end(true);
  // Then later events that must come after anything the forged read or T-B02's command
  // could have caused: a read on the topic the forger used (the gateway would have had the
  // forged one first), and a read of T-B01 (its answer comes after anything the broker
  // sent T-B01 before).
  await answered(other, 'b02-2', () =>
    other.publishAsync('acs/v1/readers/T-B02/events', ev('b02-2'), { qos: 1 }),
  );
  await answered(reader, 'own-2', () =>
    reader.publishAsync('acs/v1/readers/T-B01/events', ev('own-2'), { qos: 1 }),
  );
  t.same(
    commands,
    ['acs/v1/readers/T-B01/commands unlock', 'acs/v1/readers/T-B01/commands unlock'],
    'no other reader’s commands reach T-B01',
  );
  const ids = gw.db.prepare("SELECT reader_id || '/' || record_id FROM journal ORDER BY seq").pluck().all();
  t.same(
    ids,
    ['T-B01/own-1', 'T-B02/b02-1', 'T-B02/b02-2', 'T-B01/own-2'],
    'the forged read never reaches the journal',
  );

  await t.rejects(
    mqtt.connectAsync(broker.url, {
      username: 'T-B01',
      password: 'wrong',
      ca: readFileSync(ca),
      reconnectPeriod: 0,
    }),
    /Not authorized|Bad username or password/,
    'wrong password refused',
  );
});
