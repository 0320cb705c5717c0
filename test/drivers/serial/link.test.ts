import net from 'node:net';
import t from 'tap';
import { createFingerprintParser } from '../../../drivers/fingerprint/parser.js';
import { defaultBinding, SerialLink } from '../../../drivers/serial/link.js';
import { realTimers } from '../../../drivers/serial/timers.js';
import { silentLogger } from '../../../gateway/log.js';
import { waitFor } from '../../../testkit/wait.js';

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
    link.start();
    t.teardown(() => link.stop());
    await waitFor(() => link.isOpen && sockets.length === 1);
    sockets[0]?.write(Buffer.from('00EF01FFFFFFFF0700030000', 'hex'));
    sockets[0]?.write(Buffer.from('0A', 'hex'));
    await waitFor(() => frames.length === 1);
    t.same(frames, [7]);
    await link.write(Buffer.from('hello'));

    sockets[0]?.destroy();
    await waitFor(() => events.length === 3 && link.isOpen);
    t.same(events, ['open', 'close', 'open']);
    t.equal(link.opens, 2);
    await link.stop();
    t.notOk(link.isOpen);
    await t.rejects(link.write(Buffer.from('x')), { code: 'PORT_CLOSED' });
  },
);

t.test('a serial path that cannot be opened is retried, never thrown', async (t) => {
  const link = new SerialLink({
    path: '/dev/does-not-exist-estate-gateway',
    baudRate: 9600,
    binding: defaultBinding,
    createParser: () => createFingerprintParser(),
    timers: realTimers,
    log: silentLogger(),
    backoff: { initialMs: 10, maxMs: 20 },
  });
  link.start();
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(link.isOpen);
  t.equal(link.opens, 0);
  await link.stop();
});
