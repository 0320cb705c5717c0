import path from 'node:path';
import type { Test } from 'tap';
import type { SerialDevice } from '../sim/serial/device.js';
import { openPtyPair, openPtyStream, type PtyPair } from '../sim/serial/pty.js';
import { attachToStream, type StreamAttachment } from '../sim/serial/stream-port.js';
import { TcpSerialServer } from '../sim/serial/tcp-server.js';

/**
 * A simulated device on the far end of a socat pty pair whose host end keeps one path
 * (a symlink in `dir`), so it can be unplugged (socat killed: the gateway's open line
 * fails) and plugged in again (a new pair behind the same path). Without socat, open()
 * throws with the reason: the test fails, never skips.
 */
export class PtyDevice {
  readonly path: string;
  readonly #device: SerialDevice;
  #pair: PtyPair | undefined;
  #stream: ReturnType<typeof openPtyStream> | undefined;
  #attachment: StreamAttachment | undefined;

  private constructor(device: SerialDevice, link: string) {
    this.#device = device;
    this.path = link;
  }

  /** Plugs `device` in at `dir/tty-<name>`; unplugged at teardown. */
  static async open(t: Test, device: SerialDevice, dir: string, name: string): Promise<PtyDevice> {
    const d = new PtyDevice(device, path.join(dir, `tty-${name}`));
    await d.replug();
    t.teardown(() => d.unplug());
    return d;
  }

  /** Bytes from the device that nothing asked for (noise, a swipe). */
  inject(bytes: Buffer): void {
    this.#attachment?.inject(bytes);
  }

  /** Pulls the plug: socat exits, the host end disappears. */
  async unplug(): Promise<void> {
    this.#attachment?.detach();
    this.#stream?.destroy();
    await this.#pair?.close();
    this.#pair = undefined;
    this.#stream = undefined;
    this.#attachment = undefined;
  }

  /** Plugs the device in again behind the same path. */
  async replug(): Promise<void> {
    if (this.#pair) return;
    this.#pair = await openPtyPair(5000, this.path);
    this.#stream = openPtyStream(this.#pair.devicePath);
    this.#attachment = attachToStream(this.#device, this.#stream);
  }
}

/** A simulated device behind a TCP port (ser2net style), stopped at teardown. */
export async function tcpDevice(t: Test, device: SerialDevice): Promise<TcpSerialServer> {
  const server = new TcpSerialServer(device);
  await server.start();
  t.teardown(() => server.stop());
  return server;
}
