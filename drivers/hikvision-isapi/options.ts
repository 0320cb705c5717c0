import { DEFAULT_UTC_OFFSET_MINUTES } from '../http/device-time.js';
import type { CardFormat } from '../http/mapped.js';
import type { ReaderOptions } from '../serial/options.js';

/** A Hikvision terminal's options, defaults applied. */
export interface HikOptions {
  /** The terminal's address on the estate LAN. */
  host: string;
  port: number;
  /**
   * How events arrive: `stream`, the gateway holds the terminal's alertStream open; `push`,
   * the terminal posts them to the gateway's terminal listener at `/hikvision/{reader id}`.
   */
  events: 'stream' | 'push';
  /** The terminal's door the gateway opens (RemoteControl/door/{n}). */
  doorNo: number;
  cardFormat: CardFormat;
  /** The terminal's zone, for times it writes without an offset. */
  utcOffsetMinutes: number;
  timeoutMs: number;
  probeSeconds: number;
  /** Pictures larger than this are dropped (the event is kept). */
  maxPictureBytes: number;
  /** A catch-up reaches back at most this far. */
  catchUpDays: number;
  /**
   * How a push is told to be this terminal's: `address`, it comes from `host`; `digest`, it is
   * signed with Digest as the reader id and its password in the secrets file (`readers.{id}`).
   */
  pushAuth: 'address' | 'digest';
  /** Pause between two library writes to one terminal (it models each face), ms. */
  writeGapMs: number;
}

/** Reads (and range-checks) a Hikvision reader's options; the driver and check-config share it. */
export function hikOptions(o: ReaderOptions): HikOptions {
  return {
    host: o.host(),
    port: o.int('port', 80, 1, 65535),
    events: o.oneOf('events', ['stream', 'push'] as const, 'stream'),
    doorNo: o.int('doorNo', 1, 1, 16),
    cardFormat: o.oneOf('cardFormat', ['decimal', 'hex'] as const, 'decimal'),
    utcOffsetMinutes: o.int('utcOffsetMinutes', DEFAULT_UTC_OFFSET_MINUTES, -720, 840),
    timeoutMs: o.int('timeoutMs', 5000, 200, 120_000),
    probeSeconds: o.int('probeSeconds', 30, 1, 3600),
    maxPictureBytes: o.int('maxPictureBytes', 512 * 1024, 1024, 8 * 1024 * 1024),
    catchUpDays: o.int('catchUpDays', 7, 1, 90),
    pushAuth: o.oneOf('pushAuth', ['address', 'digest'] as const, 'address'),
    writeGapMs: o.int('writeGapMs', 200, 0, 60_000),
  };
}
