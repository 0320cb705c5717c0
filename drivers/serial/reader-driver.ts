import type { Logger } from 'pino';
import type { DoorCommand, Driver, DriverReader } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { DriverContext } from '../types.js';
import type { SerialBinding } from './link.js';
import { pickBinding, type SerialDriverOptions } from './reader-port.js';
import { realTimers, type Timers } from './timers.js';

/** One reader's line, as a serial driver runs it. */
export interface SerialReaderLine {
  start(): void;
  stop(): Promise<void>;
}

/** What every reader of a serial driver is built with. */
export interface SerialLineParts {
  readerId: string;
  log: Logger;
  timers: Timers;
  binding: SerialBinding;
}

/**
 * The part every serial reader driver shares (Wiegand converters, ID-card SAMs,
 * fingerprint modules): one line per configured reader, started and stopped together,
 * looked up by reader id. None of these readers switches a door, so `command` only
 * logs. Subclasses open their lines in their constructor with `openLines`, after
 * whatever the lines need (a provisioner's sink) exists.
 */
export abstract class SerialReaderDriver<L extends SerialReaderLine> implements Driver {
  abstract readonly name: string;
  protected readonly ctx: DriverContext;
  readonly #lines = new Map<string, L>();
  /** "ID-card reader", "Wiegand converter": how errors and logs name one reader. */
  readonly #what: string;

  protected constructor(ctx: DriverContext, what: string) {
    this.ctx = ctx;
    this.#what = what;
  }

  /** Builds one line per configured reader with `open`. */
  protected openLines(
    module: string,
    opts: SerialDriverOptions,
    open: (reader: DriverReader, parts: SerialLineParts) => L,
  ): void {
    const binding = pickBinding(this.ctx, opts);
    const timers = opts.timers ?? realTimers;
    for (const reader of this.ctx.readers) {
      const log = this.ctx.log.child({ module, reader: reader.id });
      this.#lines.set(reader.id, open(reader, { readerId: reader.id, log, timers, binding }));
    }
  }

  async start(): Promise<void> {
    for (const line of this.#lines.values()) line.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#lines.values()].map((line) => line.stop()));
  }

  command(readerId: string, cmd: DoorCommand): void {
    this.ctx.log.debug(
      { reader: readerId, action: cmd.action },
      `${this.#what}s switch no door; command ignored`,
    );
  }

  /** The line of one reader; UNKNOWN_READER for an id this driver does not run. */
  protected line(readerId: string): L {
    const line = this.#lines.get(readerId);
    if (!line) throw new GatewayError('UNKNOWN_READER', `no ${this.#what} ${readerId}`);
    return line;
  }
}
