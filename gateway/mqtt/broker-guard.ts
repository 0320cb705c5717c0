import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { isLoopbackHost } from '../loopback-host.js';
import { PacketScanner, type ScanProblem } from './packet-scanner.js';

/** The embedded broker's limits on its connections (config mqtt.embedded, issue 9 item 5). */
export interface GuardLimits {
  /** Largest packet a client may announce once connected. */
  maxPacketBytes: number;
  /** Largest CONNECT, and the most bytes a client may send before it is authenticated. */
  maxPreAuthBytes: number;
  /** A CONNECT must have arrived, and been accepted, within this. */
  connectTimeoutMs: number;
  /** Open connections, all sources together. */
  maxConnections: number;
  /** Open connections from one source address (loopback excepted, unless `capLoopback`). */
  maxConnectionsPerSource: number;
  /**
   * Apply the per-source cap to loopback too. Off by default: every process on the box
   * shares 127.0.0.1 (the demo's simulated estate, a local bridge), and what runs on the
   * box is trusted as far as the box is; the total cap still counts them.
   */
  capLoopback?: boolean;
}

/** Why a connection was refused or ended by the guard (the counter's label). */
export type GuardRefusal =
  | ScanProblem
  | 'pre_auth_bytes'
  | 'connect_timeout'
  | 'too_many_connections'
  | 'too_many_from_source';

/** What the guard tells: every refusal (for a counter) and the open connections (a gauge). */
export interface GuardEvents {
  refused(reason: GuardRefusal): void;
  connections(open: number): void;
}

/**
 * Stands between the broker's listeners and aedes. Counts connections in total and per
 * source address and refuses those over the caps at once; hands aedes a stream whose bytes
 * were scanned first (packet-scanner.ts), so a packet announced too large, bytes beyond
 * the pre-authentication allowance, or a CONNECT that does not arrive in time end the
 * connection before aedes has buffered anything. aedes's parser is never given more than
 * a client is allowed to make it hold.
 */
export class BrokerGuard {
  readonly #limits: GuardLimits;
  readonly #events: GuardEvents;
  readonly #log: Logger;
  readonly #perSource = new Map<string, number>();
  readonly #streams = new WeakMap<Duplex, GuardedStream>();
  #open = 0;

  constructor(limits: GuardLimits, events: GuardEvents, log: Logger) {
    this.#limits = limits;
    this.#events = events;
    this.#log = log;
  }

  /** Open connections now. */
  get open(): number {
    return this.#open;
  }

  /**
   * Takes a new socket: null when it was refused (and destroyed), else the stream to
   * hand aedes. The socket is counted until it closes.
   */
  accept(socket: Socket): Duplex | null {
    const source = socket.remoteAddress ?? 'unknown';
    const fromSource = this.#perSource.get(source) ?? 0;
    const refuse = (reason: GuardRefusal) => {
      this.#refused(reason, source);
      socket.destroy();
      return null;
    };
    if (this.#open >= this.#limits.maxConnections) return refuse('too_many_connections');
    const capped = this.#limits.capLoopback === true || !isLoopbackHost(source);
    if (capped && fromSource >= this.#limits.maxConnectionsPerSource) return refuse('too_many_from_source');
    this.#open++;
    this.#perSource.set(source, fromSource + 1);
    this.#events.connections(this.#open);
    socket.once('close', () => {
      this.#open--;
      const n = (this.#perSource.get(source) ?? 1) - 1;
      if (n > 0) this.#perSource.set(source, n);
      else this.#perSource.delete(source);
      this.#events.connections(this.#open);
    });
    const stream = new GuardedStream(socket, this.#limits, (reason) => this.#refused(reason, source));
    this.#streams.set(stream, stream);
    return stream;
  }

  /** aedes accepted the client's login (its `client` event): the pre-authentication limits end. */
  authenticated(conn: unknown): void {
    if (conn instanceof Duplex) this.#streams.get(conn)?.authenticated();
  }

  #refused(reason: GuardRefusal, source: string): void {
    this.#events.refused(reason);
    this.#log.warn({ source, reason }, 'broker connection refused');
  }
}

/**
 * The socket as aedes sees it: reads pass the scanner first; writes go straight through.
 * A refusal destroys the socket, and aedes sees the stream close like any disconnect.
 */
class GuardedStream extends Duplex {
  readonly #socket: Socket;
  readonly #scanner: PacketScanner;
  readonly #limits: GuardLimits;
  readonly #refused: (reason: GuardRefusal) => void;
  #preAuthBytes = 0;
  #authenticated = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, limits: GuardLimits, refused: (reason: GuardRefusal) => void) {
    super({ allowHalfOpen: false });
    this.#socket = socket;
    this.#limits = limits;
    this.#refused = refused;
    this.#scanner = new PacketScanner({
      maxPacketBytes: limits.maxPacketBytes,
      maxConnectBytes: limits.maxPreAuthBytes,
    });
    this.#timer = setTimeout(() => this.#refuse('connect_timeout'), limits.connectTimeoutMs);
    this.#timer.unref();
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => {
      clearTimeout(this.#timer);
      if (!this.destroyed) this.destroy();
    });
    socket.pause();
  }

  /** Remote address, as aedes and its logs read it from the connection. */
  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }

  authenticated(): void {
    this.#authenticated = true;
    clearTimeout(this.#timer);
  }

  #onData(chunk: Buffer): void {
    if (!this.#authenticated) {
      this.#preAuthBytes += chunk.length;
      if (this.#preAuthBytes > this.#limits.maxPreAuthBytes) {
        this.#refuse('pre_auth_bytes');
        return;
      }
    }
    const problem = this.#scanner.feed(chunk);
    if (problem) this.#refuse(problem);
    else if (!this.push(chunk)) this.#socket.pause();
  }

  #refuse(reason: GuardRefusal): void {
    clearTimeout(this.#timer);
    if (this.#socket.destroyed) return;
    this.#refused(reason);
    this.#socket.destroy();
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#socket.write(chunk, enc, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    clearTimeout(this.#timer);
    this.#socket.destroy();
    cb(err);
  }
}
