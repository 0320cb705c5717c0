import type { DoorCommand, Driver } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { optionsCheck, ReaderOptions } from '../serial/options.js';
import { pickBinding, type SerialDriverOptions, type SerialStats } from '../serial/reader-port.js';
import { realTimers } from '../serial/timers.js';
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
export class IdCardDriver implements Driver {
  readonly name = 'idcard';
  readonly #ctx: DriverContext;
  readonly #sessions = new Map<string, IdCardSession>();

  constructor(ctx: DriverContext, opts: SerialDriverOptions = {}) {
    this.#ctx = ctx;
    const binding = pickBinding(ctx, opts);
    const timers = opts.timers ?? realTimers;
    for (const reader of ctx.readers) {
      const { path, baudRate, pollMs, ...settings } = idCardOptions(new ReaderOptions(reader));
      const session = new IdCardSession(
        {
          readerId: reader.id,
          sink: ctx.sink,
          log: ctx.log.child({ module: 'idcard', reader: reader.id }),
          timers,
          binding,
          path,
          baudRate,
          createParser: () => createIdCardParser({ timers }),
        },
        { pollMs, offlineGraceMs: 10_000, maxProbeBackoffMs: 30_000 },
        settings,
        ctx.clock,
      );
      this.#sessions.set(reader.id, session);
    }
  }

  async start(): Promise<void> {
    for (const s of this.#sessions.values()) s.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => s.stop()));
  }

  command(readerId: string, cmd: DoorCommand): void {
    this.#ctx.log.debug(
      { reader: readerId, action: cmd.action },
      'ID-card readers switch no door; command ignored',
    );
  }

  /** Line counters of one reader, plus how many expired cards it read. */
  stats(readerId: string): SerialStats & { expiredReads: number } {
    const s = this.#sessions.get(readerId);
    if (!s) throw new GatewayError('UNKNOWN_READER', `no ID-card reader ${readerId}`);
    return { ...s.stats(), expiredReads: s.expiredReads };
  }
}

/** Factory for the registry: `createIdCardDriver(ctx, { binding })`. */
export function createIdCardDriver(ctx: DriverContext, opts: SerialDriverOptions = {}): IdCardDriver {
  return new IdCardDriver(ctx, opts);
}
/** check-config: problems in an ID-card reader's options. */
createIdCardDriver.checkOptions = optionsCheck(idCardOptions);
