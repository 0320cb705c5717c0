import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import pino from 'pino';
import t, { type Test } from 'tap';
import { MqttSession } from '../../gateway/mqtt/session.js';
import { waitFor } from '../../testkit/wait.js';

/**
 * When the session's writes leave (issue 15, live p99 while a reader replays): a commit's
 * door command and the PUBACK of its read go out together, in one write, before the next
 * callback of the same check phase (where the batcher commits a replay slice) — not in
 * the next turn of the event loop.
 */

/** A broker that accepts one session, grants its subscription and sends it `reads` reads. */
async function fakeBroker(t: Test, reads = 1) {
  const got: Packet[] = [];
  const server = net.createServer((sock) => {
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    const send = (p: Packet) => sock.write(mqttPacket.generate(p, { protocolVersion: 5 }));
    parser.on('packet', (p: Packet) => {
      got.push(p);
      if (p.cmd === 'connect') send({ cmd: 'connack', sessionPresent: false, reasonCode: 0 });
      if (p.cmd === 'subscribe') {
        send({ cmd: 'suback', messageId: p.messageId, granted: [1] });
        // All in one write: as a broker delivers a replayed backlog.
        const frames = Array.from({ length: reads }, (_, k) =>
          mqttPacket.generate(
            {
              cmd: 'publish',
              topic: 'acs/v1/readers/R1/events',
              payload: Buffer.from(`{"id":"r-${k + 1}","pad":"${'x'.repeat(100)}"}`),
              qos: 1,
              messageId: 7 + k,
              retain: false,
              dup: false,
            },
            { protocolVersion: 5 },
          ),
        );
        sock.write(Buffer.concat(frames));
      }
    });
    sock.on('data', (b) => parser.parse(b));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as net.AddressInfo).port, got };
}

function sessionAt(t: Test, port: number, receiveMaximum = 100): MqttSession {
  const session = new MqttSession({
    url: `mqtt://127.0.0.1:${port}`,
    clientId: 'writes-test',
    protocolVersion: 5,
    sessionExpirySeconds: 60,
    receiveMaximum,
    keepaliveSeconds: 60,
    reconnect: { minMs: 100, maxMs: 200 },
    log: pino({ level: 'silent' }),
  });
  t.teardown(() => session.stop());
  return session;
}

t.test("a commit's door command and PUBACK leave in one write before the next callback", async (t) => {
  const { port, got } = await fakeBroker(t);
  // Every write the session's socket makes, in order with the test's own steps.
  const events: string[] = [];
  const proto = net.Socket.prototype as unknown as {
    _writev: (this: net.Socket, chunks: Array<{ chunk: Buffer }>, cb: (e?: Error) => void) => void;
    _write: (this: net.Socket, chunk: Buffer, enc: string, cb: (e?: Error) => void) => void;
  };
  const { _writev, _write } = proto;
  const ours = (s: net.Socket) => s.remotePort === port;
  proto._writev = function (chunks, cb) {
    if (ours(this)) events.push(`write of ${chunks.length} packets`);
    _writev.call(this, chunks, cb);
  };
  proto._write = function (chunk, enc, cb) {
    if (ours(this)) events.push('write of 1 packet');
    _write.call(this, chunk, enc, cb);
  };
  t.teardown(() => Object.assign(proto, { _writev, _write }));

  const session = sessionAt(t, port);
  let committed!: () => void;
  const done = new Promise<void>((r) => {
    committed = r;
  });
  session.subscribe('acs/v1/readers/+/events', () => {
    // Like the batcher: the live commit and the slice after it, queued together.
    setImmediate(() => {
      events.length = 0;
      session.publish('acs/v1/readers/R1/commands', '{"action":"unlock"}', { qos: 1 });
      committed();
    });
    setImmediate(() => events.push('next callback'));
    return done;
  });
  await session.start();
  await waitFor(() => events.includes('next callback'), 5000, 'the read to be answered');
  t.same(events, ['write of 2 packets', 'next callback'], 'command and PUBACK together, first');
  await waitFor(() => got.some((p) => p.cmd === 'puback'), 5000, 'the PUBACK at the broker');
  const order = got.filter((p) => p.cmd === 'publish' || p.cmd === 'puback').map((p) => p.cmd);
  t.same(order, ['publish', 'puback'], 'the door command, then the acknowledgement of its read');
  t.equal(got.find((p) => p.cmd === 'puback')?.messageId, 7, 'the read is the one acknowledged');
});

t.test('a replaying reader is read at most one socket chunk per turn; nothing is lost', async (t) => {
  const reads = 3000; // ~420 KB: several socket chunks
  const { port, got } = await fakeBroker(t, reads);
  const session = sessionAt(t, port, 10_000);
  let handled = 0;
  /** Reads handled between two check phases, and whether the socket was paused there. */
  const turns: Array<{ reads: number; paused: boolean }> = [];
  let last = 0;
  const waiting: Array<() => void> = [];
  const ids: string[] = [];
  const check = () => {
    turns.push({ reads: handled - last, paused: session.paused });
    last = handled;
    // Like the batcher: this turn's reads commit in its check phase.
    for (const r of waiting.splice(0)) r();
  };
  session.subscribe('acs/v1/readers/+/events', (_topic, payload) => {
    ids.push((JSON.parse(payload.toString()) as { id: string }).id);
    // The first read of a turn looks at the socket in this turn's check phase.
    if (handled++ === last) setImmediate(check);
    return new Promise<void>((r) => waiting.push(r)); // not committed yet: still waiting
  });
  await session.start();
  await waitFor(() => handled === reads, 10_000, 'every read to be handled');
  const busy = turns.filter((x) => x.reads > 0);
  t.ok(busy[0]?.paused, 'paused in the check phase after the first chunk (the live commit goes first)');
  const most = Math.max(...busy.map((x) => x.reads));
  t.ok(most <= 256, `at most the replay window (256) of reads a turn (most: ${most})`);
  t.ok(busy.length >= 5, `the backlog came in over several turns (${busy.length})`);
  t.same(
    ids,
    Array.from({ length: reads }, (_, k) => `r-${k + 1}`),
    'every read handled once, in order',
  );
  await waitFor(() => got.filter((p) => p.cmd === 'puback').length === reads, 10_000, 'every PUBACK');
  const acked = got.filter((p) => p.cmd === 'puback').map((p) => p.messageId);
  t.same(
    acked,
    Array.from({ length: reads }, (_, k) => 7 + k),
    'acknowledged once each, in order',
  );
});

t.test('a replaying reader parses no more than the replay window until commits make room', async (t) => {
  const reads = 1000;
  const { port } = await fakeBroker(t, reads);
  const session = sessionAt(t, port, 10_000);
  const waiting: Array<() => void> = [];
  let handled = 0;
  session.subscribe('acs/v1/readers/+/events', () => {
    handled++;
    return new Promise<void>((r) => waiting.push(r));
  });
  await session.start();
  await waitFor(() => waiting.length === 256 && session.paused, 5000, 'the window to fill');
  // Several turns of the event loop: the bytes after the window stay unparsed.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  t.equal(handled, 256, 'nothing parsed past the window while nothing commits');
  t.equal(session.unacked, 256);
  // A slice of 100 commits: the window becomes two such slices (200), so 44 more are parsed.
  for (const r of waiting.splice(0, 100)) r();
  await waitFor(() => handled === 300, 5000, 'the window to refill');
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  t.equal(handled, 300, 'refilled to the window, not past it');
  t.equal(session.unacked, 200);
  // From here every read commits in the turn after it arrives: the rest comes in.
  let draining = true;
  const drain = () => {
    for (const r of waiting.splice(0)) r();
    if (draining) setImmediate(drain);
  };
  drain();
  t.teardown(() => {
    draining = false;
  });
  await waitFor(() => handled === reads && session.unacked === 0, 5000, 'the backlog to drain');
  draining = false;
  t.notOk(session.paused, 'the socket is read again');
});

/** Commits `slice` of the waiting reads a turn until all `reads` are handled; the most waiting after `settle`. */
async function drainInSlices(t: Test, reads: number, slice: number, settle: number) {
  const { port } = await fakeBroker(t, reads);
  const session = sessionAt(t, port, 10_000);
  const waiting: Array<() => void> = [];
  const ids: string[] = [];
  let most = 0;
  session.subscribe('acs/v1/readers/+/events', (_topic, payload) => {
    ids.push((JSON.parse(payload.toString()) as { id: string }).id);
    if (ids.length > settle) most = Math.max(most, waiting.length + 1);
    return new Promise<void>((r) => waiting.push(r));
  });
  let going = true;
  t.teardown(() => {
    going = false;
  });
  const turn = () => {
    for (const r of waiting.splice(0, slice)) r();
    if (going) setImmediate(turn);
  };
  await session.start();
  await waitFor(() => waiting.length > 0, 5000, 'the first reads');
  turn();
  await waitFor(() => ids.length === reads && session.unacked === 0, 10_000, 'the backlog to drain');
  going = false;
  t.same(
    ids,
    Array.from({ length: reads }, (_, k) => `r-${k + 1}`),
    'every read handled once, in order',
  );
  return most;
}

t.test(
  'while slices are small (doors answering), a replay is parsed two slices ahead, not 256',
  async (t) => {
    const most = await drainInSlices(t, 1500, 10, 400);
    t.equal(most, 32, 'at most the smallest window (two slices of 10 is less) waiting');
  },
);

t.test('with whole slices (a replay at night) the window stays 256', async (t) => {
  const most = await drainInSlices(t, 1500, 256, 400);
  t.equal(most, 256);
});

t.test('a live reader, with a few reads waiting, is never paced', async (t) => {
  const { port } = await fakeBroker(t, 20);
  const session = sessionAt(t, port, 10_000);
  let handled = 0;
  const pausedSeen: boolean[] = [];
  session.subscribe('acs/v1/readers/+/events', () => {
    if (handled++ === 0) setImmediate(() => pausedSeen.push(session.paused));
    return new Promise<void>(() => undefined);
  });
  await session.start();
  await waitFor(() => handled === 20 && pausedSeen.length === 1, 5000, 'the 20 reads');
  t.same(pausedSeen, [false]);
});
