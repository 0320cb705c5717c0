/**
 * A TCP relay that can cut the line: the terminal talks to the broker through it, and a
 * test takes it down (every socket destroyed, nothing listening) to make the broker
 * unreachable, then brings it back on the same port.
 */
import net from 'node:net';

/** Relays 127.0.0.1:<port> to a target port. */
export class TcpProxy {
  readonly #target: number;
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;
  #port = 0;

  constructor(targetPort: number) {
    this.#target = targetPort;
  }

  /** The listening port (stable across down/up). */
  get port(): number {
    return this.#port;
  }

  /** Listens (on the previous port after a down()); returns the port. */
  async up(): Promise<number> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.#target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    const a = server.address();
    this.#port = typeof a === 'object' && a ? a.port : this.#port;
    this.#server = server;
    return this.#port;
  }

  /** Cuts every connection and stops listening: the broker is unreachable. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
