import { DEFAULT_UTC_OFFSET_MINUTES } from '../http/device-time.js';
import type { CardFormat } from '../http/mapped.js';
import type { ReaderOptions } from '../serial/options.js';

/** A Dahua terminal's options, defaults applied. */
export interface DahuaOptions {
  host: string;
  port: number;
  /**
   * How events arrive: `attach`, eventManager's stream (no pictures); `snap`, snapManager's
   * stream with the face pictures; `push`, the terminal posts to the gateway's
   * `/notification` (or `/notification/<reader id>`).
   */
  events: 'attach' | 'snap' | 'push';
  /** The door channel openDoor opens (1-based, as the CGI counts). */
  channel: number;
  cardFormat: CardFormat;
  utcOffsetMinutes: number;
  timeoutMs: number;
  probeSeconds: number;
  maxPictureBytes: number;
  catchUpDays: number;
  pushAuth: 'address' | 'digest';
  writeGapMs: number;
}

/** Reads (and range-checks) a Dahua reader's options; the driver and check-config share it. */
export function dahuaOptions(o: ReaderOptions): DahuaOptions {
  return {
    host: o.host(),
    port: o.int('port', 80, 1, 65535),
    events: o.oneOf('events', ['attach', 'snap', 'push'] as const, 'attach'),
    channel: o.int('channel', 1, 1, 16),
    cardFormat: o.oneOf('cardFormat', ['hex', 'decimal'] as const, 'hex'),
    utcOffsetMinutes: o.int('utcOffsetMinutes', DEFAULT_UTC_OFFSET_MINUTES, -720, 840),
    timeoutMs: o.int('timeoutMs', 5000, 200, 120_000),
    probeSeconds: o.int('probeSeconds', 30, 1, 3600),
    maxPictureBytes: o.int('maxPictureBytes', 512 * 1024, 1024, 8 * 1024 * 1024),
    catchUpDays: o.int('catchUpDays', 7, 1, 90),
    pushAuth: o.oneOf('pushAuth', ['address', 'digest'] as const, 'address'),
    writeGapMs: o.int('writeGapMs', 100, 0, 60_000),
  };
}
