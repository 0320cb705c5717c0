import type { DriverReader, ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { optionsCheck, ReaderOptions, RecordIds } from '../serial/options.js';
import { type SerialLineParts, SerialReaderDriver } from '../serial/reader-driver.js';
import {
  ReaderPort,
  type SerialDriverOptions,
  type SerialStats,
  StatusReporter,
  submitRead,
} from '../serial/reader-port.js';
import type { Timers } from '../serial/timers.js';
import type { DriverContext } from '../types.js';
import { DEFAULT_BAUD, LINE_FORMATS, type LineFormat } from './constants.js';
import { decodeWiegand } from './frame.js';
import type { ConverterLine } from './line.js';
import { createWiegandParser } from './parser.js';

/** What a converter's line carries. */
export const PAYLOADS = ['wiegand26', 'wiegand34', 'uid'] as const;
/** With no line open this long after start, the converter is reported offline, ms. */
const OFFLINE_GRACE_MS = 10_000;

/** A Wiegand converter's options, defaults applied (see WiegandDriver). */
export interface WiegandOptions {
  path: string;
  baudRate: number;
  format: LineFormat;
  payload: (typeof PAYLOADS)[number];
  uidDigits: number;
  repeatMs: number;
}

/** Reads (and range-checks) a Wiegand converter's options; the driver and check-config share it. */
export function wiegandOptions(o: ReaderOptions): WiegandOptions {
  return {
    path: o.path(),
    baudRate: o.int('baudRate', DEFAULT_BAUD, 1200, 921_600),
    format: o.oneOf('format', LINE_FORMATS, 'hex-cr'),
    payload: o.oneOf('payload', PAYLOADS, 'wiegand26'),
    uidDigits: o.int('uidDigits', 8, 2, 12),
    repeatMs: o.int('repeatMs', 1500, 0, 60_000),
  };
}

/**
 * One Wiegand-to-serial converter: it only talks, so the driver only listens. Online
 * while its line is open (a one-way converter cannot be probed).
 */
class WiegandReader {
  readonly port: ReaderPort<ConverterLine>;
  readonly #status: StatusReporter;
  readonly #timers: Timers;
  #grace: unknown;
  #last = { uid: '', at: -Infinity };

  constructor(reader: DriverReader, ctx: DriverContext, parts: SerialLineParts) {
    const { path, baudRate, format, payload, uidDigits, repeatMs } = wiegandOptions(
      new ReaderOptions(reader),
    );
    const { log, timers } = parts;
    this.#timers = timers;
    this.#status = new StatusReporter(ctx.sink, reader.id);
    this.port = new ReaderPort<ConverterLine>({
      ...parts,
      sink: ctx.sink,
      path,
      baudRate,
      createParser: () => createWiegandParser(format, { timers }),
    });
    const ids = new RecordIds(ctx.clock.now());
    this.port.link.on('open', () => this.#status.set(true));
    this.port.link.on('close', () => this.#status.set(false));
    this.port.onUnsolicited = (line) => {
      const uid = this.#uid(line, payload, uidDigits, ctx.sink, reader.id);
      if (uid === undefined) return;
      const now = ctx.clock.now();
      if (uid === this.#last.uid && now - this.#last.at < repeatMs) return; // the reader repeating a held card
      this.#last = { uid, at: now };
      const read = { type: 'card', uid } as const;
      submitRead(ctx.sink, log, {
        readerId: reader.id,
        recordId: ids.next(),
        ts: now,
        receivedAt: now,
        credential: read,
        offline: false,
      });
    };
  }

  start(): void {
    this.#grace = this.#timers.setTimeout(() => {
      if (!this.port.link.isOpen) this.#status.set(false);
    }, OFFLINE_GRACE_MS);
    this.port.link.start();
  }

  async stop(): Promise<void> {
    this.#timers.clearTimeout(this.#grace);
    await this.port.link.stop();
  }

  #uid(
    line: ConverterLine,
    payload: (typeof PAYLOADS)[number],
    digits: number,
    sink: ReadSink,
    id: string,
  ): string | undefined {
    if (payload === 'uid') {
      return line.format === 'stx-etx'
        ? line.digits
        : line.value.toString(16).toUpperCase().padStart(digits, '0');
    }
    try {
      return decodeWiegand(line.value, payload === 'wiegand26' ? 26 : 34).uid;
    } catch (err) {
      sink.reject(id, 'bad_frame', err instanceof GatewayError ? err.code : 'FRAME_PARITY');
      return undefined;
    }
  }
}

/**
 * Card readers behind Wiegand-to-serial converters (design.md §6): each line becomes a
 * `card {uid}` read, uid being the Wiegand data bits in hex (raw UID) after the parity
 * check, or the number the converter sends in `uid` mode.
 *
 * Reader `options`:
 * - `path` (required): `/dev/ttyUSB0` or `tcp://host:port`;
 * - `baudRate`: default 9600;
 * - `format`: `hex-cr` (default), `decimal-crlf` or `stx-etx` — the converter model's line;
 * - `payload`: `wiegand26` (default) or `wiegand34` when the line carries the whole
 *   Wiegand frame with its parity bits; `uid` when it carries the card number only;
 * - `uidDigits`: hex digits of the uid in `uid` mode, default 8;
 * - `repeatMs`: the same card again within this window is one presentation, default 1500.
 */
export class WiegandDriver extends SerialReaderDriver<WiegandReader> {
  readonly name = 'wiegand';

  constructor(ctx: DriverContext, opts: SerialDriverOptions = {}) {
    super(ctx, 'Wiegand converter');
    this.openLines('wiegand', opts, (reader, parts) => new WiegandReader(reader, ctx, parts));
  }

  /** Line counters of one reader. */
  stats(readerId: string): SerialStats {
    return this.line(readerId).port.stats();
  }
}

/** Factory for the registry: `createWiegandDriver(ctx, { binding })`. */
export function createWiegandDriver(ctx: DriverContext, opts: SerialDriverOptions = {}): WiegandDriver {
  return new WiegandDriver(ctx, opts);
}
/** check-config: problems in a Wiegand converter's options. */
createWiegandDriver.checkOptions = optionsCheck(wiegandOptions);
