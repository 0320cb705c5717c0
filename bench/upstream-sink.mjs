#!/usr/bin/env node
// The district's consumer in the upstream bench (issue 15, item 6): subscribes to everything
// under a topic prefix at QoS 1 and, after --seconds, prints one JSON line: messages and
// bytes (payload + topic) per kind (the topic's last level), events/s between the first and
// the last arrival, and the delivery lag (arrival − the CloudEvent's `time`) p50/p99/max.
// It reports once nothing has arrived for --idle seconds after the first event, or at
// --seconds at the latest.
// MQTT.js only, nothing of the gateway: it reads what the broker delivers.
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    prefix: { type: 'string', default: 'estate/v1' },
    seconds: { type: 'string', default: '120' },
    idle: { type: 'string', default: '3' },
  },
});
const kinds = {};
const lags = [];
let first = 0;
let last = 0;
let bytes = 0;
let count = 0;
let retained = 0;
const c = mqtt.connect(o.url, { clientId: `sink-${process.pid}`, clean: true, reconnectPeriod: 0 });
c.on('message', (topic, buf, packet) => {
  const now = Date.now();
  const kind = topic.split('/').at(-1);
  kinds[kind] ??= { messages: 0, bytes: 0 };
  const k = kinds[kind];
  k.messages++;
  k.bytes += buf.length + topic.length;
  bytes += buf.length + topic.length;
  count++;
  if (packet.retain) {
    retained++; // the gateway's health (retained, periodic): not an event with a lag
    return;
  }
  if (!first) first = now;
  last = now;
  try {
    const t = Date.parse(JSON.parse(buf).time);
    if (Number.isFinite(t)) lags.push(now - t);
  } catch {
    // not JSON: counted above, no lag
  }
});
c.once('connect', async () => {
  await c.subscribeAsync(`${o.prefix}/#`, { qos: 1 });
  console.log('ready');
  const deadline = Date.now() + +o.seconds * 1000;
  const check = setInterval(() => {
    const quiet = first && Date.now() - last > +o.idle * 1000;
    if (!quiet && Date.now() < deadline) return;
    clearInterval(check);
    lags.sort((a, b) => a - b);
    const q = (p) => (lags.length ? lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] : null);
    const secs = Math.max(0.001, (last - first) / 1000);
    console.log(
      JSON.stringify({
        messages: count,
        bytes,
        kinds,
        seconds: +secs.toFixed(2),
        eventsPerS: Math.round((count - retained) / secs),
        bytesPerS: Math.round(bytes / secs),
        lagP50Ms: q(0.5),
        lagP99Ms: q(0.99),
        lagMaxMs: q(1),
      }),
    );
    c.end(true);
    process.exit(0);
  }, 100);
});
