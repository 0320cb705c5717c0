#!/usr/bin/env node
// Provenance: copied from the reviewers' independent tools (shared/bench/echo.mjs, written for
// this project's reviewers apart from its code, against reader protocol v1 — docs/protocol-v1.md),
// so that `npm run bench` and CI need nothing outside this repository (issue 15). Changes: MQTT.js
// is imported directly instead of from the caller's working directory; formatting (biome).
// It must stay independent: it imports nothing of this project but MQTT.js.
// Zero-work responder for the reader protocol v1: answers every event with an unlock command.
// Run as its own process beside loadgen.mjs to measure the broker-bound ceiling.
import mqtt from 'mqtt';

const url = process.argv[2] ?? 'mqtt://127.0.0.1:1883',
  prefix = process.argv[3] ?? 'acs/v1';
const c = mqtt.connect(url, { clientId: `echo-${process.pid}`, clean: true });
c.on('connect', async () => {
  c.stream.setNoDelay?.(true);
  await c.subscribeAsync(`${prefix}/readers/+/events`, { qos: 1 });
  console.log('ready');
});
c.on('message', (topic, buf) => {
  const reader = topic.split('/').at(-2);
  const ev = JSON.parse(buf);
  c.publish(
    `${prefix}/readers/${reader}/commands`,
    JSON.stringify({ id: `c-${ev.id}`, event: ev.id, action: 'unlock', durationMs: 3000 }),
    { qos: 1 },
  );
});
process.on('SIGTERM', () => {
  c.end(true);
  process.exit(0);
});
