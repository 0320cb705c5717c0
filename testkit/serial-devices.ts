import path from 'node:path';
import type { Test } from 'tap';
import type { SerialDevice } from '../sim/serial/device.js';
import { MockDevicePort } from '../sim/serial/mock-port.js';
import { openPtyPair, openPtyStream, type PtyPair } from '../sim/serial/pty.js';
import { attachToStream, type StreamAttachment } from '../sim/serial/stream-port.js';
import { TcpSerialServer } from '../sim/serial/tcp-server.js';

/**
 * Fails the test at its teardown when a simulated device saw a bad host frame: the
 * production drivers never send one, so one seen means a driver wrote bad bytes (issue
 * 8). Teardown cannot assert, so it throws, which tap reports as a failure of the test.
 */
export function failOnBadHostFrames(t: Test, ...devices: SerialDevice[]): void {
  t.teardown(() => {
    for (const d of devices) {
      if (d.badHostFrames === 0) continue;
      const last = d.lastBadHostFrame;
      throw new Error(
        `${d.constructor.name} saw ${d.badHostFrames} bad host frame(s)${last ? `, the last: ${last}` : ''}`,
      );
    }
  });
}

/** `device` behind a binding-mock port at `path` (driver tests), checked for bad host frames. */
export function mockDevicePort(t: Test, device: SerialDevice, path: string): MockDevicePort {
  failOnBadHostFrames(t, device);
  return new MockDevicePort(device, path);
}

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
    failOnBadHostFrames(t, device);
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
  failOnBadHostFrames(t, device);
  return server;
}
