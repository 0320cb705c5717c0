import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { DeviceHttp } from '../../../drivers/http/device-http.js';
import { HeldStream } from '../../../drivers/http/held-stream.js';
import type { PartEvent } from '../../../drivers/http/multipart.js';

// Issue 11: the held event stream of the vendor terminals (alertStream, eventManager attach).
// A gateway stopping while a stream is being opened must not be held up by it: the stream
// the terminal grants afterwards is closed at once, not held (seen as a driver that failed
// to stop within the lifecycle's bound, with the terminal's only stream slot still taken).

const HEARTBEAT = '--b\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nHeartbeat\r\n';

/** A terminal that answers the stream request only when released, then sends heartbeats forever. */
async function slowTerminal(t: Test) {
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let requested = () => {};
  const gotRequest = new Promise<void>((r) => {
    requested = r;
  });
  let closed = () => {};
  const socketClosed = new Promise<void>((r) => {
    closed = r;
  });
  const server = http.createServer((req, res) => {
    req.socket.once('close', () => closed());
    requested();
    void released.then(() => {
      res.writeHead(200, { 'content-type': 'multipart/mixed; boundary=b' });
      res.write(HEARTBEAT);
      const tick = setInterval(() => res.write(HEARTBEAT), 50);
      res.once('close', () => clearInterval(tick));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, release, gotRequest, socketClosed };
}

/** Rejects after `ms`: a bound on a wait that would otherwise hang the test. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms);
  });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

t.test(
  'stopped while the stream is opening: the stream granted afterwards is closed, not held',
  async (t) => {
    const term = await slowTerminal(t);
    const client = new DeviceHttp({
      host: '127.0.0.1',
      port: term.port,
      login: () => ({ username: 'admin', password: 'p' }),
      timeoutMs: 10_000,
      maxReplyBytes: 10_000,
    });
    t.teardown(() => client.close());
    const parts: PartEvent[] = [];
    let opened = 0;
    const stream = new HeldStream({
      readerId: 'T1',
      log: pino({ level: 'silent' }),
      http: client,
      path: '/ISAPI/Event/notification/alertStream',
      boundary: 'b',
      maxPartBytes: 1000,
      idleMs: 30_000,
      minRetryMs: 10,
      maxRetryMs: 100,
      onPart: (e) => parts.push(e),
      onOpen: () => opened++,
      onClose: () => {},
    });
    stream.start();
    await within(term.gotRequest, 5000, 'the stream request');
    const stopping = stream.stop();
    term.release();
    await within(stopping, 5000, 'stop()');
    await within(term.socketClosed, 5000, 'the stream’s socket closed');
    t.equal(opened, 0, 'not reported open: the gateway was stopping');
    t.equal(stream.open, false);
    t.same(parts, [], 'nothing read from it');
  },
);

t.test('stopped while the stream is held: closed and not reopened', async (t) => {
  const term = await slowTerminal(t);
  term.release();
  const client = new DeviceHttp({
    host: '127.0.0.1',
    port: term.port,
    login: () => ({ username: 'admin', password: 'p' }),
    timeoutMs: 10_000,
    maxReplyBytes: 10_000,
  });
  t.teardown(() => client.close());
  let heartbeat = () => {};
  const beat = new Promise<void>((r) => {
    heartbeat = r;
  });
  const stream = new HeldStream({
    readerId: 'T1',
    log: pino({ level: 'silent' }),
    http: client,
    path: '/stream',
    boundary: 'b',
    maxPartBytes: 1000,
    idleMs: 30_000,
    minRetryMs: 10,
    maxRetryMs: 100,
    onPart: (e) => {
      if (e.kind === 'part') heartbeat();
    },
    onOpen: () => {},
    onClose: () => {},
  });
  stream.start();
  await within(beat, 5000, 'a heartbeat part');
  t.equal(stream.open, true);
  await within(stream.stop(), 5000, 'stop()');
  await within(term.socketClosed, 5000, 'the socket closed');
  t.equal(stream.stats.opened, 1, 'opened once, not reopened after stop');
});
