import { optionsCheck, ReaderOptions } from '../serial/options.js';
import { pollTiming } from '../serial/polling-session.js';
import { SerialReaderDriver } from '../serial/reader-driver.js';
import type { SerialDriverOptions, SerialStats } from '../serial/reader-port.js';
import type { DriverContext } from '../types.js';
import { DEFAULT_BAUD } from './constants.js';
import { createIdCardParser } from './parser.js';
import { IdCardSession, type IdCardSettings } from './session.js';

/** An ID-card reader's options, defaults applied (see IdCardDriver). */
export interface IdCardOptions extends IdCardSettings {
  path: string;
  baudRate: number;
  pollMs: number;
}

/** Reads (and range-checks) an ID-card reader's options; the driver and check-config share it. */
export function idCardOptions(o: ReaderOptions): IdCardOptions {
  return {
    path: o.path(),
    baudRate: o.int('baudRate', DEFAULT_BAUD, 9600, 921_600),
    pollMs: o.int('pollMs', 250, 10, 10_000),
    timeoutMs: o.int('timeoutMs', 500, 50, 60_000),
    readTimeoutMs: o.int('readTimeoutMs', 3000, 100, 60_000),
    retries: o.int('retries', 1, 0, 10),
    removeAfterPolls: o.int('removeAfterPolls', 2, 1, 100),
  };
}

/**
 * China second-generation ID-card readers (SAM, `AA AA AA 96 69` frames) on a serial
 * line (design.md §6). Emits `idcard {number, name, validUntil}` once per presentation.
 *
 * Reader `options`:
 * - `path` (required): `/dev/ttyUSB0`, or `tcp://host:port` for a ser2net box;
 * - `baudRate`: default 115200;
 * - `pollMs`: pause between find-card polls, default 250 (4 Hz);
 * - `timeoutMs`: reply timeout for status/find/select, default 500;
 * - `readTimeoutMs`: reply timeout for the 1,295-byte read, default 3000;
 * - `retries`: default 1;
 * - `removeAfterPolls`: "no card" answers in a row that end a presentation, default 2.
 */
export class IdCardDriver extends SerialReaderDriver<IdCardSession> {
  readonly name = 'idcard';

  constructor(ctx: DriverContext, opts: SerialDriverOptions = {}) {
    super(ctx, 'ID-card reader');
    this.openLines('idcard', opts, (reader, parts) => {
      const { path, baudRate, pollMs, ...settings } = idCardOptions(new ReaderOptions(reader));
      return new IdCardSession(
        {
          ...parts,
          sink: ctx.sink,
          path,
          baudRate,
          createParser: () => createIdCardParser({ timers: parts.timers }),
        },
        pollTiming(pollMs),
        settings,
        ctx.clock,
      );
    });
  }

  /** Line counters of one reader, plus how many expired cards it read. */
  stats(readerId: string): SerialStats & { expiredReads: number } {
    const s = this.line(readerId);
    return { ...s.stats(), expiredReads: s.expiredReads };
  }
}

/** Factory for the registry: `createIdCardDriver(ctx, { binding })`. */
export function createIdCardDriver(ctx: DriverContext, opts: SerialDriverOptions = {}): IdCardDriver {
  return new IdCardDriver(ctx, opts);
}
/** check-config: problems in an ID-card reader's options. */
createIdCardDriver.checkOptions = optionsCheck(idCardOptions);
