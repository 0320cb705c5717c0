import net from 'node:net';
import { SerialPortMock } from 'serialport';
import t from 'tap';
import type { Packet } from '../../../drivers/fingerprint/frame.js';
import { createFingerprintParser } from '../../../drivers/fingerprint/parser.js';
import { defaultBinding, type SerialBinding, SerialLink } from '../../../drivers/serial/link.js';
import type { ParserItem } from '../../../drivers/serial/splitter.js';
import { realTimers } from '../../../drivers/serial/timers.js';
import { silentLogger } from '../../../gateway/log.js';
import { FakeTimers } from '../../../testkit/drivers/fake-timers.js';
import { waitForEvent, waitForState } from '../../../testkit/wait.js';

/** binding-mock through serialport's typed re-export (as sim/serial/mock-port.ts). */
const MockBinding = SerialPortMock.binding;

t.test(
  'tcp:// link: frames through the parser, reconnect with backoff after the server drops it',
  async (t) => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as net.AddressInfo;
    const link = new SerialLink({
      path: `tcp://127.0.0.1:${port}`,
      baudRate: 57600,
      binding: defaultBinding,
      createParser: () => createFingerprintParser(),
      timers: realTimers,
      log: silentLogger(),
      backoff: { initialMs: 20, maxMs: 100 },
    });
    const events: string[] = [];
    const frames: number[] = [];
    link.on('open', () => events.push('open'));
    link.on('close', () => events.push('close'));
    link.on('item', (i) => i.kind === 'frame' && frames.push(i.frame.pid));
    const opened = waitForEvent(link, 'open');
    link.start();
    t.teardown(() => link.stop());
    await opened;
    await waitForState(server, 'connection', () => sockets.length === 1, 5000, 'the server side');
    const frame = waitForEvent<[ParserItem<Packet>]>(link, 'item', (i) => i.kind === 'frame');
    sockets[0]?.write(Buffer.from('00EF01FFFFFFFF0700030000', 'hex'));
    sockets[0]?.write(Buffer.from('0A', 'hex'));
    await frame;
    t.same(frames, [7]);
    await link.write(Buffer.from('hello'));

    const reopened = waitForEvent(link, 'open', () => true, 5000, 'the reopen');
    sockets[0]?.destroy();
    await reopened;
    t.same(events, ['open', 'close', 'open']);
    t.equal(link.opens, 2);
    await link.stop();
    t.notOk(link.isOpen);
    await t.rejects(link.write(Buffer.from('x')), { code: 'PORT_CLOSED' });
  },
);

t.test('a serial path that cannot be opened is retried with backoff, never thrown', async (t) => {
  const path = '/dev/link-test-not-yet-plugged';
  const timers = new FakeTimers();
  // When (in fake ms) the link tried to open the port; binding-mock refuses until createPort.
  const attempts: number[] = [];
  const binding: SerialBinding = {
    list: () => MockBinding.list(),
    open: (options) => {
      attempts.push(timers.now);
      return MockBinding.open(options);
    },
  };
  const link = new SerialLink({
    path,
    baudRate: 9600,
    binding,
    createParser: () => createFingerprintParser(),
    timers,
    log: silentLogger(),
    backoff: { initialMs: 100, maxMs: 400 },
  });
  link.start();
  t.teardown(() => link.stop());
  await timers.advance(0);
  t.same(attempts, [0], 'the first open fails (the port does not exist), and start() did not throw');
  await timers.advance(1500);
  t.same(
    attempts,
    [0, 100, 300, 700, 1100, 1500],
    'reopened after 100 and 200 ms, then every 400 ms (the ceiling)',
  );
  t.notOk(link.isOpen);
  t.equal(link.opens, 0);

  // The device appears: the next retry opens it, and the retries end.
  MockBinding.createPort(path, { echo: false, record: false });
  const opened = waitForEvent(link, 'open', () => true, 5000, 'the open once plugged');
  await timers.advance(400);
  await opened;
  t.same(attempts, [0, 100, 300, 700, 1100, 1500, 1900], 'opened at the next retry');
  t.ok(link.isOpen);
  t.equal(link.opens, 1);
  await timers.advance(5000);
  t.equal(attempts.length, 7, 'no more attempts while it is open');

  await link.stop();
  t.equal(timers.pending, 0, 'stop leaves no retry behind');
});
