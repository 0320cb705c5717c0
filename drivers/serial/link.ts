import { EventEmitter } from 'node:events';
import net from 'node:net';
import { SerialPortStream } from '@serialport/stream';
import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import type { FrameParser } from './parser.js';
import type { ParserItem } from './splitter.js';
import type { Timers } from './timers.js';

/** A serialport binding: the OS one in production, MockBinding (or a simulator) in tests. */
export type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

/**
 * The OS binding serialport detects for this platform. The library (its native module and
 * parsers) is loaded at the first open, so a gateway without serial readers never carries it.
 */
export const defaultBinding: SerialBinding = {
  open: async (options) => (await osBinding()).open(options),
  list: async () => (await osBinding()).list(),
};

async function osBinding(): Promise<SerialBinding> {
  return (await import('serialport')).SerialPort.binding;
}

/** Reopen backoff (style.md: "reopen with backoff"). */
export interface Backoff {
  /** First delay after a close or a failed open, ms. */
  initialMs: number;
  /** Ceiling of the doubling delay, ms. */
  maxMs: number;
}
/** 0.5 s doubling to 30 s: quick after a glitch, quiet while a reader stays unplugged. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };
/** A tcp:// connect that has not completed by then is abandoned and retried. */
const CONNECT_TIMEOUT_MS = 5_000;

/** What a link needs: where, how fast, and how to frame what arrives. */
export interface LinkOptions<F> {
  /** `/dev/ttyUSB0`, or `tcp://host:port` for a ser2net-style serial server. */
  path: string;
  baudRate: number;
  /** Serial parity; 'none' by default (Modbus RTU's own default is 'even'). */
  parity?: 'none' | 'even' | 'odd';
  binding: SerialBinding;
  /** A fresh parser for each connection, so nothing half-read survives a reopen. */
  createParser: () => FrameParser<F>;
  timers: Timers;
  log: Logger;
  backoff?: Backoff;
}

type Conn = { kind: 'serial'; port: SerialPortStream } | { kind: 'tcp'; socket: net.Socket };

/**
 * One serial line (or ser2net socket) kept open for as long as the driver runs. Emits
 * 'open', 'close' (with the error that caused it, if any), 'item' (ParserItem) and
 * 'discard' (Buffer). A close that the driver did not ask for — an unplugged adapter,
 * a dropped socket — is followed by reopening with exponential backoff.
 */
export class SerialLink<F> extends EventEmitter {
  readonly #opts: LinkOptions<F>;
  readonly #backoff: Backoff;
  #conn: Conn | undefined;
  #open = false;
  #running = false;
  #delay: number;
  #retry: unknown = undefined;
  /** Settles when the serial open in flight has answered, either way. */
  #opening: Promise<void> = Promise.resolve();
  /** Times the line was opened; the first open counts too. */
  opens = 0;

  constructor(opts: LinkOptions<F>) {
    super();
    this.#opts = opts;
    this.#backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.#delay = this.#backoff.initialMs;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Begins opening; failures are retried with backoff, never thrown. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  /** Closes the line and stops reopening it. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#retry !== undefined) this.#opts.timers.clearTimeout(this.#retry);
    this.#retry = undefined;
    const conn = this.#conn;
    if (!conn) return;
    // A stop during an open waits for its answer, so a port that opens late is closed too:
    // a gateway that rolls back its start leaves no line open.
    if (conn.kind === 'serial') await this.#opening;
    await new Promise<void>((resolve) => {
      if (conn.kind === 'tcp') {
        conn.socket.once('close', () => resolve());
        conn.socket.destroy();
      } else if (conn.port.isOpen) {
        conn.port.close(() => resolve());
      } else resolve();
    });
    this.#closed(undefined);
  }

  /** Writes bytes; rejects with PORT_CLOSED when the line is not open. */
  write(bytes: Buffer): Promise<void> {
    const conn = this.#conn;
    if (!this.#open || !conn) {
      return Promise.reject(
        new GatewayError('PORT_CLOSED', 'serial line is not open', { path: this.#opts.path }),
      );
    }
    return new Promise((resolve, reject) => {
      const done = (err: Error | null | undefined) =>
        err
          ? reject(new GatewayError('PORT_CLOSED', err.message, { path: this.#opts.path }, { cause: err }))
          : resolve();
      if (conn.kind === 'tcp') conn.socket.write(bytes, done);
      else conn.port.write(bytes, done);
    });
  }

  #connect(): void {
    if (!this.#running) return;
    const parser = this.#opts.createParser();
    parser.on('data', (item: ParserItem<F>) => this.emit('item', item));
    parser.on('discard', (bytes: Buffer) => this.emit('discard', bytes));
    const feed = (chunk: Buffer) => parser.write(chunk);
    const tcp = /^tcp:\/\/([^:/]+|\[[^\]]+\]):(\d+)\/?$/.exec(this.#opts.path);
    if (tcp) {
      const host = (tcp[1] ?? '').replace(/^\[|\]$/g, '');
      const socket = net.connect({ host, port: Number(tcp[2]), noDelay: true, keepAlive: true });
      this.#conn = { kind: 'tcp', socket };
      const timer = this.#opts.timers.setTimeout(
        () => socket.destroy(new Error('connect timeout')),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('connect', () => {
        this.#opts.timers.clearTimeout(timer);
        this.#opened();
      });
      socket.on('data', feed);
      socket.on('error', (err) => this.#opts.log.debug({ err, path: this.#opts.path }, 'socket error'));
      socket.once('close', () => {
        this.#opts.timers.clearTimeout(timer);
        parser.end();
        if (this.#conn?.kind === 'tcp' && this.#conn.socket === socket) this.#closed(undefined);
      });
      return;
    }
    const port = new SerialPortStream({
      binding: this.#opts.binding,
      path: this.#opts.path,
      baudRate: this.#opts.baudRate,
      parity: this.#opts.parity ?? 'none',
      autoOpen: false,
    });
    this.#conn = { kind: 'serial', port };
    port.on('data', feed);
    port.on('close', (err: Error | null) => {
      parser.end();
      if (this.#conn?.kind === 'serial' && this.#conn.port === port) this.#closed(err ?? undefined);
    });
    // A failed close after an unplug arrives as 'error' without 'close': treat it as one.
    port.on('error', (err) => {
      this.#opts.log.debug({ err, path: this.#opts.path }, 'serial error');
      if (!port.isOpen && this.#conn?.kind === 'serial' && this.#conn.port === port && this.#open)
        this.#closed(err);
    });
    this.#opening = new Promise<void>((settled) => {
      port.open((err) => {
        settled();
        if (!err) return this.#opened();
        this.#opts.log.debug({ err, path: this.#opts.path }, 'open failed');
        if (this.#conn?.kind === 'serial' && this.#conn.port === port) this.#conn = undefined;
        this.#scheduleReopen();
      });
    });
  }

  #opened(): void {
    if (!this.#running) return;
    this.#open = true;
    this.opens++;
    this.#delay = this.#backoff.initialMs;
    this.emit('open');
  }

  #closed(err: Error | undefined): void {
    const wasOpen = this.#open;
    this.#open = false;
    this.#conn = undefined;
    if (wasOpen) this.emit('close', err);
    if (this.#running) this.#scheduleReopen();
  }

  #scheduleReopen(): void {
    if (!this.#running || this.#retry !== undefined) return;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#backoff.maxMs);
    this.#retry = this.#opts.timers.setTimeout(() => {
      this.#retry = undefined;
      this.#connect();
    }, delay);
  }
}
