import pino from 'pino';
import { MqttSession } from '../gateway/mqtt/session.js';

/**
 * The zero-work responder: the broker-bound ceiling the gateway is measured against.
 * It answers every read with an unlock, through the same MQTT session code the gateway
 * uses, and does nothing else — no checks, no disk.
 * Run: node dist/bench/ceiling.js mqtt://127.0.0.1:1883 [topicPrefix]
 */
const url = process.argv[2] ?? 'mqtt://127.0.0.1:1883';
const prefix = process.argv[3] ?? 'acs/v1';
const session = new MqttSession({
  url,
  clientId: `ceiling-${process.pid}`,
  protocolVersion: 5,
  sessionExpirySeconds: 60,
  receiveMaximum: 8192,
  keepaliveSeconds: 30,
  reconnect: { minMs: 100, maxMs: 1000 },
  log: pino({ level: 'warn' }),
});
session.subscribe(`${prefix}/readers/+/events`, (topic, payload) => {
  let id = '';
  try {
    id = (JSON.parse(payload.toString()) as { id: string }).id;
  } catch {
    return undefined;
  }
  const reader = topic.slice(prefix.length + 9, topic.lastIndexOf('/'));
  session.publish(
    `${prefix}/readers/${reader}/commands`,
    JSON.stringify({ id: `c-${id}`, event: id, action: 'unlock', durationMs: 3000 }),
    { qos: 1 },
  );
  return undefined;
});
await session.start();
await session.waitConnected(10_000);
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void session.stop().then(() => process.exit(0));
});
