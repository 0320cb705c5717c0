import net from 'node:net';
import type { Test } from 'tap';
import type { SerialDevice } from '../../sim/serial/device.js';
import { openPtyPair, openPtyStream } from '../../sim/serial/pty.js';
import { attachToStream, type StreamAttachment } from '../../sim/serial/stream-port.js';
import { failOnBadHostFrames } from '../serial-devices.js';

/**
 * Puts a simulated device on the far end of a socat pty pair and returns the path the
 * production driver opens with the real serialport binding. Without socat this throws
 * (the test fails with the reason): end-to-end coverage must not silently vanish.
 */
export async function deviceOnPty(
  t: Test,
  device: SerialDevice,
): Promise<{ path: string; device: StreamAttachment }> {
  const pair = await openPtyPair();
  const stream = openPtyStream(pair.devicePath);
  const attachment = attachToStream(device, stream);
  failOnBadHostFrames(t, device);
  t.teardown(async () => {
    attachment.detach();
    stream.destroy();
    await pair.close();
  });
  return { path: pair.hostPath, device: attachment };
}

/** Puts a simulated device behind a TCP port on 127.0.0.1, as a ser2net box would. */
export async function deviceOnTcp(
  t: Test,
  device: SerialDevice,
): Promise<{ path: string; server: net.Server }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    attachToStream(device, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  failOnBadHostFrames(t, device);
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as net.AddressInfo;
  return { path: `tcp://127.0.0.1:${port}`, server };
}
