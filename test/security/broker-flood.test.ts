import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import pino from 'pino';
import t, { type Test } from 'tap';
import { BrokerGuard, type GuardLimits, type GuardRefusal } from '../../gateway/mqtt/broker-guard.js';
import { PacketScanner } from '../../gateway/mqtt/packet-scanner.js';
import { startGateway, type TestGateway } from '../../testkit/gateway.js';
import { LoadReader } from '../../testkit/load-reader.js';
import { waitFor } from '../../testkit/wait.js';

/** Issue 9 item 5: the embedded broker refuses floods before aedes buffers them (raw sockets). */

/** The fixed header of a packet of `type` announcing `length` bytes (MQTT 3.1.1 §2.2). */
function header(type: number, length: number): Buffer {
  const out = [type << 4];
  let n = length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

function connectPacket(username?: string, password?: string): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: `raw-${Math.random().toString(16).slice(2, 10)}`,
    keepalive: 30,
    ...(username ? { username, password: Buffer.from(password ?? '') } : {}),
  });
}

/** A raw socket: what it received, and a promise of its close. */
async function raw(port: number, localAddress = '127.0.0.1') {
  const s = net.connect({ host: '127.0.0.1', port, localAddress });
  s.on('error', () => undefined);
  const received: Buffer[] = [];
  s.on('data', (b: Buffer) => received.push(b));
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  await new Promise<void>((r, j) => {
    s.once('connect', () => r());
    s.once('error', j);
  });
  return { s, received, closed };
}

async function refusedCount(g: TestGateway, reason: string): Promise<number> {
  const text = await (await g.api('/metrics')).text();
  const m = new RegExp(`estate_gateway_broker_refused_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
  return Number(m?.[1] ?? 0);
}

t.test('the embedded broker cuts packets announced too large, before and after CONNECT', async (t) => {
  const g = await startGateway(t, {
    mqtt: { url: null, embedded: { host: '127.0.0.1', port: 0, requireAuth: true } },
  });
  const port = g.gw.brokerPort as number;
  const password = g.gw.secrets.readers['T-B01'] as string;

  // 1. Before CONNECT: a PUBLISH announcing 200 MB, as in the review's probe.
  const a = await raw(port);
  a.s.write(header(3, 200 * 1024 * 1024));
  await a.closed;
  t.equal(
    await refusedCount(g, 'not_connect_first'),
    1,
    'a first packet that is no CONNECT ends the connection',
  );

  // 2. A CONNECT announcing more than 64 KiB.
  const b = await raw(port);
  b.s.write(header(1, 100_000));
  await b.closed;
  t.equal(await refusedCount(g, 'too_large_before_connect'), 1, 'a CONNECT over 64 KiB ends the connection');

  // 3. Logged in, then a PUBLISH announcing 200 MB followed by as much as the socket takes.
  const c = await raw(port);
  c.s.write(connectPacket('T-B01', password));
  await waitFor(() => Buffer.concat(c.received).length >= 4, 5000, 'CONNACK');
  t.equal(Buffer.concat(c.received)[3], 0, 'CONNACK: accepted');
  const rssBefore = process.memoryUsage().rss;
  c.s.write(header(3, 200 * 1024 * 1024));
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  let open = true;
  void c.closed.then(() => {
    open = false;
  });
  while (open && sent < 48 * 1024 * 1024) {
    if (!c.s.write(chunk)) await Promise.race([new Promise((r) => c.s.once('drain', r)), c.closed]);
    sent += chunk.length;
  }
  await c.closed;
  t.ok(sent < 48 * 1024 * 1024, `cut off after ${Math.round(sent / 1024)} KiB of the 48 MiB`);
  t.equal(await refusedCount(g, 'too_large'), 1, 'counted as too_large');
  const grownMB = (process.memoryUsage().rss - rssBefore) / 1048576;
  t.ok(grownMB < 32, `resident memory grew ${grownMB.toFixed(1)} MB (the probe: 47 MB for one socket)`);

  // An honest reader is served all along.
  const r = new LoadReader({ url: g.brokerUrl, readerId: 'T-B01', password });
  await r.start();
  t.teardown(() => r.stop());
  t.ok(await r.roundTrip(), 'a reader is still answered');
  t.ok(
    g.logs.some((l) => l.msg === 'broker connection refused' && l.reason === 'too_large'),
    'each refusal has a log line with its reason',
  );
});

/** A bare server behind a guard, to drive the guard's limits exactly. */
async function guarded(t: Test, limits: Partial<GuardLimits>) {
  const reasons: GuardRefusal[] = [];
  const guard = new BrokerGuard(
    {
      maxPacketBytes: 1024 * 1024,
      maxPreAuthBytes: 64 * 1024,
      connectTimeoutMs: 5000,
      maxConnections: 100,
      maxConnectionsPerSource: 100,
      ...limits,
    },
    { refused: (r) => reasons.push(r), connections: () => {} },
    pino({ level: 'silent' }),
  );
  const streams: import('node:stream').Duplex[] = [];
  const server = net.createServer((socket) => {
    const s = guard.accept(socket);
    if (s) {
      s.on('error', () => undefined);
      s.resume();
      streams.push(s);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        for (const s of streams) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, reasons, guard, streams };
}

t.test('bytes beyond the pre-authentication allowance end the connection', async (t) => {
  const g = await guarded(t, {});
  const c = await raw(g.port);
  // A small CONNECT, then 70 KiB more before any login was accepted.
  c.s.write(Buffer.concat([header(1, 20), Buffer.alloc(20), Buffer.alloc(70 * 1024)]));
  await c.closed;
  t.same(g.reasons, ['pre_auth_bytes']);
});

t.test('a CONNECT that does not arrive in time ends the connection', async (t) => {
  const g = await guarded(t, { connectTimeoutMs: 150 });
  const started = Date.now();
  const c = await raw(g.port);
  c.s.write(header(1, 40).subarray(0, 1)); // half a header, then silence
  await c.closed;
  t.same(g.reasons, ['connect_timeout']);
  t.ok(Date.now() - started >= 140, 'not before the timeout');
});

t.test('connection caps per source address and in total', async (t) => {
  // Every address here is loopback: the test asks for the per-source cap on it too.
  const g = await guarded(t, { maxConnectionsPerSource: 2, maxConnections: 3, capLoopback: true });
  const a1 = await raw(g.port, '127.0.0.1');
  const a2 = await raw(g.port, '127.0.0.1');
  await waitFor(() => g.guard.open === 2, 5000, 'two connections counted');
  const a3 = await raw(g.port, '127.0.0.1');
  await a3.closed;
  t.same(g.reasons, ['too_many_from_source'], 'a third from one address is refused');
  const b1 = await raw(g.port, '127.0.0.2');
  await waitFor(() => g.guard.open === 3, 5000, 'a second address is let in');
  const b2 = await raw(g.port, '127.0.0.3');
  await b2.closed;
  t.same(g.reasons, ['too_many_from_source', 'too_many_connections'], 'the total cap holds');
  a1.s.destroy();
  await waitFor(() => g.guard.open === 2, 5000, 'a closed connection frees its place');
  const b3 = await raw(g.port, '127.0.0.3');
  await waitFor(() => g.guard.open === 3, 5000, 'and another is let in');
  for (const c of [a2, b1, b3]) c.s.destroy();
});

t.test('processes on the box itself are not capped per source (only in total)', async (t) => {
  const g = await guarded(t, { maxConnectionsPerSource: 2, maxConnections: 4 });
  const local = await Promise.all([raw(g.port), raw(g.port), raw(g.port)]);
  await waitFor(() => g.guard.open === 3, 5000, 'three loopback connections let in');
  t.same(g.reasons, []);
  for (const c of local) c.s.destroy();
});

t.test('packet scanner: headers split anywhere, limits exact', async (t) => {
  const limits = { maxPacketBytes: 1000, maxConnectBytes: 100 };
  const stream = Buffer.concat([
    header(1, 100),
    Buffer.alloc(100),
    header(3, 1000),
    Buffer.alloc(1000),
    header(12, 0),
    header(3, 300),
    Buffer.alloc(300),
  ]);
  const splitProblems: string[] = [];
  for (let cut = 0; cut <= stream.length; cut++) {
    const s = new PacketScanner(limits);
    const p = s.feed(stream.subarray(0, cut)) ?? s.feed(stream.subarray(cut));
    if (p || !s.connectSeen) splitProblems.push(`cut ${cut}: ${p ?? 'no CONNECT seen'}`);
  }
  t.same(splitProblems, [], 'a stream of allowed packets passes split at every offset');
  const byteByByte = new PacketScanner(limits);
  const oneByOne = [...stream].map((b) => byteByByte.feed(Buffer.from([b]))).filter((p) => p !== null);
  t.same(oneByOne, [], 'and byte by byte');
  t.equal(new PacketScanner(limits).feed(header(1, 101)), 'too_large_before_connect');
  const big = new PacketScanner(limits);
  t.equal(big.feed(Buffer.concat([header(1, 0), header(3, 1001)])), 'too_large');
  t.equal(
    new PacketScanner(limits).feed(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])),
    'malformed_header',
  );
  t.equal(new PacketScanner(limits).feed(Buffer.from([0x30, 0x00])), 'not_connect_first');
});
