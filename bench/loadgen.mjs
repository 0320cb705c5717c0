#!/usr/bin/env node
import { parseArgs } from 'node:util';
// Provenance: copied from the reviewers' independent tools (shared/bench/loadgen.mjs, written for
// this project's reviewers apart from its code, against reader protocol v1 — docs/protocol-v1.md),
// so that `npm run bench` and CI need nothing outside this repository (issue 15). Changes: MQTT.js
// is imported directly instead of from the caller's working directory; formatting (biome).
// It must stay independent: it imports nothing of this project but MQTT.js.
// Independent load generator for the reader protocol v1 (shared/design.md).
// Simulated face terminals publish credential events and time the door command that answers each.
// --echo starts a zero-work responder: that round trip is the broker's own limit, the ceiling
// for any gateway behind the same broker.
//
//   node loadgen.mjs --url mqtt://127.0.0.1:1883 --echo --events 20000 --window 20
//   node loadgen.mjs --url mqtt://127.0.0.1:1883 --rate 500 --seconds 10
// Prints one JSON line: {mode, events, answered, seconds, perSecond, p50Ms, p99Ms, maxMs, unanswered}
import mqtt from 'mqtt';

const { values: o } = parseArgs({
  options: {
    url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    prefix: { type: 'string', default: 'acs/v1' },
    terminals: { type: 'string', default: '20' },
    events: { type: 'string', default: '10000' },
    window: { type: 'string', default: '10' },
    rate: { type: 'string', default: '0' },
    seconds: { type: 'string', default: '10' },
    persons: { type: 'string', default: '' },
    username: { type: 'string', default: '' },
    password: { type: 'string', default: '' },
    echo: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '60' },
    'reader-ids': { type: 'string', default: '' },
  },
});
const terminals = +o.terminals,
  total = +o.events,
  window = +o.window,
  rate = +o.rate;
const persons = o.persons ? o.persons.split(',') : ['P0001'];
const auth = o.username ? { username: o.username, password: o.password } : {};
const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const readerIds = o['reader-ids'] ? o['reader-ids'].split(',') : null;
const sent = new Map();
const lat = [];
let answered = 0,
  issued = 0;

function connect(clientId) {
  return new Promise((res, rej) => {
    const c = mqtt.connect(o.url, { clientId, clean: true, reconnectPeriod: 0, ...auth });
    c.once('connect', () => {
      c.stream.setNoDelay?.(true);
      res(c);
    });
    c.once('error', rej);
  });
}

let responder;
if (o.echo) {
  responder = await connect(`echo-${run}`);
  await responder.subscribeAsync(`${o.prefix}/readers/+/events`, { qos: 1 });
  responder.on('message', (topic, buf) => {
    const reader = topic.split('/').at(-2);
    const ev = JSON.parse(buf);
    responder.publish(
      `${o.prefix}/readers/${reader}/commands`,
      JSON.stringify({ id: `c-${ev.id}`, event: ev.id, action: 'unlock', durationMs: 3000 }),
      { qos: 1 },
    );
  });
}

const clients = [];
for (let i = 0; i < terminals; i++) {
  const reader = readerIds ? readerIds[i % readerIds.length] : `lg-${run}-${i}`;
  const c = await connect(`${reader}-${run}`);
  await c.subscribeAsync(`${o.prefix}/readers/${reader}/commands`, { qos: 1 });
  c.on('message', (_t, buf) => {
    let cmd;
    try {
      cmd = JSON.parse(buf);
    } catch {
      return;
    }
    const t0 = sent.get(cmd.event);
    if (t0 === undefined) return;
    sent.delete(cmd.event);
    answered++;
    lat.push(performance.now() - t0);
    if (!rate) pump(c, reader);
    if (answered === issued && issued >= total) finish();
  });
  clients.push([c, reader]);
}

function event(reader) {
  const id = `${reader}-${run}-${issued++}`;
  const body = JSON.stringify({
    id,
    ts: new Date().toISOString(),
    type: 'face',
    face: { personId: persons[issued % persons.length], score: 0.93, liveness: true },
  });
  sent.set(id, performance.now());
  return [`${o.prefix}/readers/${reader}/events`, body];
}
function pump(c, reader) {
  if (issued < total) {
    const [t, b] = event(reader);
    c.publish(t, b, { qos: 1 });
  }
}

const start = performance.now();
let done = false;
function finish() {
  if (done) return;
  done = true;
  const secs = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  const q = (p) =>
    lat.length ? +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2) : null;
  console.log(
    JSON.stringify({
      mode: o.echo ? 'echo' : 'gateway',
      events: issued,
      answered,
      seconds: +secs.toFixed(2),
      perSecond: Math.round(answered / secs),
      p50Ms: q(0.5),
      p99Ms: q(0.99),
      maxMs: q(1),
      unanswered: sent.size,
    }),
  );
  for (const [c] of clients) c.end(true);
  responder?.end(true);
  process.exit(0);
}
setTimeout(finish, +o.timeout * 1000);
if (rate) {
  const stopAt = start + +o.seconds * 1000;
  let k = 0;
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (issued < due) {
      const [c, r] = clients[k++ % terminals];
      const [t, b] = event(r);
      c.publish(t, b, { qos: 1 });
    }
    if (performance.now() >= stopAt) {
      clearInterval(tick);
      setTimeout(finish, 2000);
    }
  }, 5);
} else {
  for (const [c, r] of clients) for (let w = 0; w < window; w++) pump(c, r);
}
