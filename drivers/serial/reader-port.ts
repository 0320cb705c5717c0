import type { Logger } from 'pino';
import type { CredentialRead, ReadSink } from '../../core/contracts.js';
import type { DriverContext } from '../types.js';
import { defaultBinding, type LinkOptions, type SerialBinding, SerialLink } from './link.js';
import { toHex } from './options.js';
import { Requester } from './requester.js';
import type { Timers } from './timers.js';

/**
 * Counters a serial reader keeps; exposed by each driver's stats() and, through the
 * Driver interface, in the reader's counters of /api/readers (`line.*`).
 */
export type SerialStats = {
  frames: number;
  frameErrors: number;
  discardedBytes: number;
  timeouts: number;
  opens: number;
};

/** What a ReaderPort needs beyond the link's own options. */
export interface ReaderPortOptions<F> extends LinkOptions<F> {
  /** The reader that bad frames are charged to (sink.reject). */
  readerId: string;
  sink: ReadSink;
  /** Most bytes of a bad frame shown in debug logs: ID-card frames carry personal data. */
  hexLimit?: number;
}

/**
 * One open line plus its request queue: counts and debug-logs bad bytes (never throws
 * them), hands frame errors to the sink as `bad_frame`, fails the waiting request when
 * the line closes, and passes frames nobody waited for to `onUnsolicited`.
 */
export class ReaderPort<F> {
  readonly link: SerialLink<F>;
  readonly requester: Requester<F>;
  readonly #log: Logger;
  readonly #stats = { frames: 0, frameErrors: 0, discardedBytes: 0 };
  /** Frames that answer no request (Wiegand lines, late replies). */
  onUnsolicited: (frame: F) => void;

  constructor(opts: ReaderPortOptions<F>) {
    this.#log = opts.log;
    const hexLimit = opts.hexLimit ?? 64;
    // By default a late reply (after its request timed out) is only worth a debug line.
    this.onUnsolicited = () => this.#log.debug('frame that answers no request');
    this.link = new SerialLink(opts);
    this.requester = new Requester<F>((b) => this.link.write(b), opts.timers);
    this.link.on('item', (item) => {
      if (item.kind === 'frame') {
        this.#stats.frames++;
        if (!this.requester.deliver(item.frame)) this.onUnsolicited(item.frame);
        return;
      }
      this.#stats.frameErrors++;
      this.#log.debug({ code: item.error.code, bytes: toHex(item.raw, hexLimit) }, 'bad frame');
      opts.sink.reject(opts.readerId, 'bad_frame', `${item.error.code} (${item.raw.length} bytes)`);
    });
    this.link.on('discard', (bytes: Buffer) => {
      this.#stats.discardedBytes += bytes.length;
      this.#log.debug({ bytes: toHex(bytes, hexLimit) }, 'discarded bytes');
    });
    this.link.on('close', (err?: Error) => {
      this.#log.info({ err }, 'serial line closed');
      this.requester.abort(new Error('serial line closed'));
    });
    this.link.on('open', () => this.#log.info('serial line open'));
  }

  /** Current counters. */
  stats(): SerialStats {
    return { ...this.#stats, timeouts: this.requester.timeouts, opens: this.link.opens };
  }
}

/** Reports a reader's online state to the sink only when it changes. */
export class StatusReporter {
  readonly #sink: ReadSink;
  readonly #readerId: string;
  #online: boolean | undefined;

  constructor(sink: ReadSink, readerId: string) {
    this.#sink = sink;
    this.#readerId = readerId;
  }

  /** The last state reported; false before any. */
  get online(): boolean {
    return this.#online === true;
  }

  /** Reports `online` unless it is already the reported state. */
  set(online: boolean): void {
    if (this.#online === online) return;
    this.#online = online;
    this.#sink.status(this.#readerId, { online });
  }
}

/** What every serial driver factory takes beside the DriverContext. */
export interface SerialDriverOptions {
  /** The serialport binding (MockBinding or a simulator in tests); the OS one by default. */
  binding?: SerialBinding;
  /** Timer source for timeouts, polling and backoff; Node's timers by default. */
  timers?: Timers;
}

/** The binding to use: the factory option, else `ctx.serialBinding`, else the OS binding. */
export function pickBinding(ctx: DriverContext, opts: SerialDriverOptions): SerialBinding {
  return opts.binding ?? ctx.serialBinding ?? defaultBinding;
}

/** Hands a read to the sink without blocking the reader's loop; failures are logged. */
export function submitRead(sink: ReadSink, log: Logger, read: CredentialRead): void {
  void sink
    .submit(read)
    .then(undefined, (err: unknown) => log.warn({ err }, 'read not accepted by the pipeline'));
}
