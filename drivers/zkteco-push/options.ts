import type { DriverReader } from '../../core/contracts.js';
import { optionsCheck, ReaderOptions } from '../serial/options.js';

/** One ZKTeco terminal's options (config readers[].options), with defaults. */
export interface ZktecoOptions {
  /** The terminal's serial number (its SN= on every request). */
  sn: string;
  /** The terminal's IP address: requests from anywhere else are refused before their body is read. */
  address: string;
  /** Offset of its local times (it sends none), ms east of UTC; from `timeZone` "+08:00". */
  zoneOffsetMs: number;
  /** Seconds between its command polls (handshake `Delay`), 1–60. */
  pollSeconds: number;
  /** PINs as the firmware takes them: any id (≤ 24) or digits only (≤ 9). */
  pin: 'text' | 'digits';
  /** Commands handed out per poll at most, and their bytes (a BIOPHOTO is ~100–250 KB of base64). */
  maxCommands: number;
  maxCommandBytes: number;
  /** How long a queued command may wait for its result. */
  commandTimeoutMs: number;
}

const SN_RE = /^[A-Za-z0-9_-]{1,64}$/;
const ZONE_RE = /^[+-](0\d|1[0-4]):[0-5]\d$/;
const IP_RE = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]+$/;

/** Reads (and range-checks) a terminal's options; the driver and check-config share it. */
export function zktecoOptions(o: ReaderOptions): ZktecoOptions {
  const zone = o.optionalString('timeZone', ZONE_RE, 'an offset like +08:00') ?? '+08:00';
  const sign = zone.startsWith('-') ? -1 : 1;
  const sn = o.optionalString('sn', SN_RE, 'the terminal’s serial number (letters, digits, _ -)');
  const address = o.optionalString('address', IP_RE, 'the terminal’s IP address');
  if (sn === undefined) o.problem('sn', 'is required: the serial number the terminal sends as SN=');
  if (address === undefined)
    o.problem('address', 'is required: requests for this SN from any other address are refused');
  return {
    sn: sn ?? '',
    address: address ?? '',
    zoneOffsetMs: sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000,
    pollSeconds: o.int('pollSeconds', 5, 1, 60),
    pin: o.oneOf('pin', ['text', 'digits'] as const, 'text'),
    maxCommands: o.int('maxCommands', 20, 1, 500),
    maxCommandBytes: o.int('maxCommandBytes', 512 * 1024, 16 * 1024, 4 * 1024 * 1024),
    commandTimeoutMs: o.int('commandTimeoutMs', 120_000, 5000, 3_600_000),
  };
}

/** A reader's options, read strictly (a bad one fails the start with CONFIG_READER). */
export function readerOptions(r: DriverReader): ZktecoOptions {
  const o = new ReaderOptions(r);
  const opts = zktecoOptions(o);
  o.rejectUnknown();
  return opts;
}

/** check-config's view of the same options. */
export const checkZktecoOptions = optionsCheck(zktecoOptions);
