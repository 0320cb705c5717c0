import type { LineFormat, WiegandBits } from '../../drivers/wiegand/constants.js';
import { encodeWiegand, fromFacilityCard } from '../../drivers/wiegand/frame.js';
import { encodeLine } from '../../drivers/wiegand/line.js';
import type { SerialDevice } from './device.js';

/** How the simulated converter is set up: its line format and what its lines carry. */
export interface SimWiegandOptions {
  format?: LineFormat;
  /** Whole Wiegand frames of this length (default 26), or `uid` for bare card numbers. */
  payload?: WiegandBits | 'uid';
}

/**
 * A Wiegand-to-serial converter. It never answers the host: tests and scenarios call
 * swipe() and deliver the returned line (MockDevicePort.inject, or a pty stream). It has
 * no host protocol at all, so every write of the host is a bad host frame.
 */
export class SimWiegandConverter implements SerialDevice {
  readonly #format: LineFormat;
  readonly #payload: WiegandBits | 'uid';
  #bad = 0;

  constructor(opts: SimWiegandOptions = {}) {
    this.#format = opts.format ?? 'hex-cr';
    this.#payload = opts.payload ?? 26;
  }

  /** The line a card with these data bits (or this UID in `uid` mode) produces. */
  swipe(data: number): Buffer {
    if (this.#payload === 'uid') return encodeLine(this.#format, data, 8);
    const bits = this.#payload;
    return encodeLine(this.#format, encodeWiegand(data, bits), bits === 26 ? 7 : 9);
  }

  /** The line for a facility code and card number. */
  swipeCard(facility: number, card: number): Buffer {
    if (this.#payload === 'uid') throw new Error('a uid-mode converter has no facility code');
    return this.swipe(fromFacilityCard(facility, card, this.#payload));
  }

  get badHostFrames(): number {
    return this.#bad;
  }

  handle(bytes: Buffer): Buffer {
    if (bytes.length > 0) this.#bad++;
    return Buffer.alloc(0);
  }
}
