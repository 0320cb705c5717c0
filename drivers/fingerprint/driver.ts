import { optionsCheck, ReaderOptions } from '../serial/options.js';
import { pollTiming } from '../serial/polling-session.js';
import { SerialReaderDriver } from '../serial/reader-driver.js';
import type { SerialDriverOptions, SerialStats } from '../serial/reader-port.js';
import type { DriverContext } from '../types.js';
import { DEFAULT_ADDRESS, DEFAULT_BAUD, DEFAULT_PASSWORD } from './constants.js';
import { createFingerprintParser } from './parser.js';
import { FingerprintProvisioner } from './provisioner.js';
import { type Drift, FingerprintSession, type FingerprintSettings } from './session.js';

/** A fingerprint reader's options, defaults applied (see FingerprintDriver). */
export interface FingerprintOptions extends FingerprintSettings {
  path: string;
  baudRate: number;
  pollMs: number;
}

/** Reads (and range-checks) a fingerprint reader's options; the driver and check-config share it. */
export function fingerprintOptions(o: ReaderOptions): FingerprintOptions {
  return {
    path: o.path(),
    baudRate: o.int('baudRate', DEFAULT_BAUD, 9600, 921_600),
    pollMs: o.int('pollMs', 200, 10, 10_000),
    address: o.int('address', DEFAULT_ADDRESS, 0, 0xffffffff),
    password: o.int('password', DEFAULT_PASSWORD, 0, 0xffffffff),
    timeoutMs: o.int('timeoutMs', 1000, 50, 60_000),
    retries: o.int('retries', 2, 0, 10),
  };
}

/**
 * Fingerprint modules of the R30x/R503/AS608 family on a serial line (design.md §6).
 *
 * Reader `options`:
 * - `path` (required): `/dev/ttyUSB0`, or `tcp://host:port` for a ser2net box;
 * - `baudRate`: default 57600;
 * - `address`: module address u32, default 0xFFFFFFFF;
 * - `password`: VfyPwd password u32, default 0;
 * - `pollMs`: pause between GenImg polls, default 200;
 * - `timeoutMs`: reply timeout per attempt, default 1000; `retries`: default 2.
 *
 * Besides the Driver interface it offers enrolment by page: enroll(), remove() and
 * drift(), which `provisioning` adapts for the gateway's roster sync. Doors are not
 * switched by these modules: command() only logs.
 */
export class FingerprintDriver extends SerialReaderDriver<FingerprintSession> {
  readonly name = 'fingerprint';
  /** The module libraries, for the roster sync (core/provisioning.ts). */
  readonly provisioning: FingerprintProvisioner;

  constructor(ctx: DriverContext, opts: SerialDriverOptions = {}) {
    super(ctx, 'fingerprint reader');
    this.provisioning = new FingerprintProvisioner(this);
    // A module that answers its probe is ready to be synced: the provisioner hears it.
    const sink = this.provisioning.watch(ctx.sink);
    this.openLines('fingerprint', opts, (reader, parts) => {
      const { path, baudRate, pollMs, ...settings } = fingerprintOptions(new ReaderOptions(reader));
      return new FingerprintSession(
        {
          ...parts,
          sink,
          path,
          baudRate,
          createParser: () => createFingerprintParser({ timers: parts.timers }),
        },
        pollTiming(pollMs),
        settings,
        ctx.clock,
      );
    });
  }

  /** Stores a template (from the roster) at a page of the reader's module. */
  enroll(readerId: string, page: number, template: Buffer): Promise<void> {
    return this.line(readerId).enroll(page, template);
  }

  /** Deletes the template at a page (a resident left). */
  remove(readerId: string, page: number): Promise<void> {
    return this.line(readerId).remove(page);
  }

  /** Pages on the module not in `expected` (orphans) and expected pages it lacks. */
  drift(readerId: string, expected: Iterable<number>): Promise<Drift> {
    return this.line(readerId).drift(expected);
  }

  /** Line counters of one reader. */
  stats(readerId: string): SerialStats {
    return this.line(readerId).stats();
  }
}

/** Factory for the registry: `createFingerprintDriver(ctx, { binding })`. */
export function createFingerprintDriver(
  ctx: DriverContext,
  opts: SerialDriverOptions = {},
): FingerprintDriver {
  return new FingerprintDriver(ctx, opts);
}
/** check-config: problems in a fingerprint reader's options. */
createFingerprintDriver.checkOptions = optionsCheck(fingerprintOptions);
