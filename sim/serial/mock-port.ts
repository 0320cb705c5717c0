import { SerialPortMock } from 'serialport';
import type { SerialBinding } from '../../drivers/serial/link.js';
import type { SerialDevice } from './device.js';

type PortBinding = Awaited<ReturnType<SerialBinding['open']>>;
/** binding-mock, reached through serialport's typed re-export (its own exports map hides its types). */
const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;

/**
 * Attaches a simulated device to a binding-mock port: pass `binding` to the driver
 * factory and the production driver talks to the device through serialport's own
 * stream. The port records what the host wrote (`record: true`); tests can inject
 * unprompted bytes, and unplug/replug the device to exercise reopen with backoff.
 */
export class MockDevicePort {
  /** The binding to give the driver. */
  readonly binding: SerialBinding;
  /** Each write of the host, in order. */
  readonly writes: Buffer[] = [];
  readonly #device: SerialDevice;
  #open: MockPortBinding | undefined;
  #plugged = true;
  #unplug: ((err: Error) => void) | undefined;
  /** Times the host opened the port. */
  opens = 0;

  constructor(device: SerialDevice, path: string) {
    this.#device = device;
    MockBinding.createPort(path, { record: true });
    this.binding = {
      list: () => MockBinding.list(),
      open: async (options) => {
        if (!this.#plugged) throw new Error(`${options.path}: no such device (unplugged)`);
        const inner = await MockBinding.open(options);
        this.#open = inner;
        this.opens++;
        return this.#wrap(inner);
      },
    };
  }

  /** True while the host has the port open. */
  get isOpen(): boolean {
    return this.#open?.isOpen === true;
  }

  /** Bytes from the device that no request asked for (a Wiegand swipe, line noise). */
  inject(bytes: Buffer): void {
    if (this.#open?.isOpen) this.#open.emitData(bytes);
  }

  /** Pulls the plug: the pending read fails as on a real unplug, and opens fail. */
  unplug(): void {
    this.#plugged = false;
    this.#unplug?.(new Error('device unplugged'));
  }

  /** Plugs the device back in; the driver's next reopen succeeds. */
  replug(): void {
    this.#plugged = true;
  }

  #wrap(inner: MockPortBinding): PortBinding {
    const unplugged = new Promise<never>((_, reject) => {
      this.#unplug = reject;
    });
    unplugged.catch(() => undefined);
    const port: PortBinding = {
      get openOptions() {
        return inner.openOptions;
      },
      get isOpen() {
        return inner.isOpen;
      },
      close: () => inner.close(),
      read: (buffer, offset, length) => Promise.race([inner.read(buffer, offset, length), unplugged]),
      write: async (buffer) => {
        await inner.write(buffer);
        this.writes.push(Buffer.from(buffer));
        const reply = this.#device.handle(Buffer.from(buffer));
        if (reply.length > 0) setImmediate(() => inner.isOpen && inner.emitData(reply));
      },
      update: (o) => inner.update(o),
      set: (o) => inner.set(o),
      get: () => inner.get(),
      getBaudRate: () => inner.getBaudRate(),
      flush: () => inner.flush(),
      drain: () => inner.drain(),
    };
    return port;
  }
}
