import { FrameSplitter, type Scanner } from '../../drivers/serial/splitter.js';

/** A simulated serial device: host bytes in, reply bytes out. Pure: no I/O, no timers. */
export interface SerialDevice {
  /** Takes bytes the host wrote (any split); returns the bytes the device answers. */
  handle(bytes: Buffer): Buffer;
}

/**
 * Overrides a device's answer to one frame (zwave-js's mock behaviours): return bytes
 * to send instead, `null` to stay silent, or `undefined` to let the next behaviour or
 * the device itself answer.
 */
export type Behaviour<F> = (frame: F) => Buffer | null | undefined;

/**
 * Base of the simulated devices: splits host bytes into frames with the production
 * scanner, lets test behaviours intercept each frame, else asks the device to respond.
 */
export abstract class SimDevice<F> implements SerialDevice {
  /** Checked first, in order, for every frame the host sends. */
  readonly behaviours: Behaviour<F>[] = [];
  /** Frames the host sent, in order. */
  readonly received: F[] = [];
  readonly #splitter: FrameSplitter<F>;

  constructor(scan: Scanner<F>) {
    this.#splitter = new FrameSplitter(scan);
  }

  handle(bytes: Buffer): Buffer {
    const out: Buffer[] = [];
    for (const item of this.#splitter.push(bytes)) {
      if (item.kind !== 'frame') continue;
      this.received.push(item.frame);
      const reply = this.#answer(item.frame);
      if (reply) out.push(reply);
    }
    return Buffer.concat(out);
  }

  /** The device's own answer to a frame, or null for none. */
  protected abstract respond(frame: F): Buffer | null;

  #answer(frame: F): Buffer | null {
    for (const b of this.behaviours) {
      const r = b(frame);
      if (r !== undefined) return r;
    }
    try {
      return this.respond(frame);
    } catch {
      // A well-framed request with short parameters: real devices ignore it too.
      return null;
    }
  }
}
