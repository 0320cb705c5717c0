import net from 'node:net';
import type { SerialDevice } from './device.js';
import { attachToStream, type StreamAttachment } from './stream-port.js';

/** Where a TcpSerialServer listens. */
export interface TcpSerialServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (read `port` after start()). */
  port?: number;
}

/**
 * A simulated serial device behind a TCP port, as a ser2net box presents a real one: the
 * gateway opens `tcp://host:port` and speaks the device's bytes. No socat, no pty: the
 * demo runs on a fresh machine. unplug() drops the connection and stops listening (the
 * cable pulled), replug() listens on the same port again.
 */
export class TcpSerialServer {
  readonly #device: SerialDevice;
  readonly #host: string;
  #port: number;
  #server: net.Server | undefined;
  readonly #clients = new Map<net.Socket, StreamAttachment>();
  /** Called once each time a client attaches (whenConnected's waiters). */
  #attached: Array<() => void> = [];

  constructor(device: SerialDevice, opts: TcpSerialServerOptions = {}) {
    this.#device = device;
    this.#host = opts.host ?? '127.0.0.1';
    this.#port = opts.port ?? 0;
  }

  /** The port listened on (after start()). */
  get port(): number {
    return this.#port;
  }

  /** The path a reader's `options.path` names: `tcp://host:port`. */
  get path(): string {
    return `tcp://${this.#host}:${this.#port}`;
  }

  /** Connections open now. */
  get connections(): number {
    return this.#clients.size;
  }

  /** Resolves when a client (the gateway's driver) has the line open: at once if one has. */
  whenConnected(): Promise<void> {
    if (this.#clients.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.#attached.push(resolve));
  }

  /** Starts listening. */
  async start(): Promise<void> {
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      this.#clients.set(socket, attachToStream(this.#device, socket));
      const waiters = this.#attached;
      this.#attached = [];
      for (const w of waiters) w();
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this.#clients.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  /** Bytes the device sends unprompted (a Wiegand swipe, line noise), to every connection. */
  inject(bytes: Buffer): void {
    for (const a of this.#clients.values()) a.inject(bytes);
  }

  /** Drops every connection and stops listening, as if the device were unplugged. */
  async unplug(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#clients.keys()) socket.destroy();
    this.#clients.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async replug(): Promise<void> {
    if (!this.#server) await this.start();
  }

  /** Same as unplug(): for teardown. */
  stop(): Promise<void> {
    return this.unplug();
  }
}
