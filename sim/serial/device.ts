import { FrameSplitter, type Scanner } from '../../drivers/serial/splitter.js';
import { Waiters } from '../waiters.js';

/** A simulated serial device: host bytes in, reply bytes out. Pure: no I/O, no timers. */
export interface SerialDevice {
  /** Takes bytes the host wrote (any split); returns the bytes the device answers. */
  handle(bytes: Buffer): Buffer;
  /**
   * Host frames the device could not take: bytes that frame nothing, a frame that fails
   * its check, a request too short for its command. The production drivers send none,
   * so a test fails when a device saw one (testkit/serial-devices.ts checks at teardown).
   */
  readonly badHostFrames: number;
  /** The first bytes of the last bad host frame as hex, for the failure message. */
  readonly lastBadHostFrame?: string | undefined;
}

/**
 * Overrides a device's answer to one frame (zwave-js's mock behaviours): return bytes
 * to send instead, `null` to stay silent, or `undefined` to let the next behaviour or
 * the device itself answer.
 */
export type Behaviour<F> = (frame: F) => Buffer | null | undefined;

/** Most bytes of a bad host frame kept for the failure message. */
const BAD_BYTES_SHOWN = 32;

/**
 * Base of the simulated devices: splits host bytes into frames with the production
 * scanner, lets test behaviours intercept each frame, else asks the device to respond.
 * Bytes that make no frame, and frames it cannot answer, are counted, never dropped
 * unseen (issue 8).
 */
export abstract class SimDevice<F> implements SerialDevice {
  /** Checked first, in order, for every frame the host sends. */
  readonly behaviours: Behaviour<F>[] = [];
  /** Frames the host sent, in order. */
  readonly received: F[] = [];
  readonly #splitter: FrameSplitter<F>;
  readonly #waiters = new Waiters<F>();
  #bad = 0;
  #lastBad: Buffer | undefined;

  constructor(scan: Scanner<F>) {
    this.#splitter = new FrameSplitter(scan);
    // Each run of bytes the scanner dropped (garbage, a bad checksum) is one bad frame.
    this.#splitter.onDiscard = (bytes) => this.#badFrame(bytes);
  }

  get badHostFrames(): number {
    return this.#bad;
  }

  /** The first bytes of the last bad host frame, as hex, for a failure message. */
  get lastBadHostFrame(): string | undefined {
    return this.#lastBad?.toString('hex');
  }

  handle(bytes: Buffer): Buffer {
    const out: Buffer[] = [];
    for (const item of this.#splitter.push(bytes)) {
      if (item.kind !== 'frame') continue; // counted by onDiscard with its bytes
      this.received.push(item.frame);
      const reply = this.#answer(item.frame, item.raw);
      if (reply) out.push(reply);
      this.#waiters.seen(item.frame);
    }
    return Buffer.concat(out);
  }

  /**
   * Resolves with the next frame the host sends (from now on) that `predicate` accepts,
   * once the device has answered it, so device state the predicate reads is current.
   * Rejects after `timeoutMs`: the test waits for what the device saw, not for a time.
   */
  expect(predicate: (frame: F) => boolean, timeoutMs = 5000, what = 'a matching host frame'): Promise<F> {
    return this.#waiters.add(predicate, timeoutMs, `${this.constructor.name}: ${what}`);
  }

  /** The device's own answer to a frame, or null for none. */
  protected abstract respond(frame: F): Buffer | null;

  #answer(frame: F, raw: Buffer): Buffer | null {
    for (const b of this.behaviours) {
      const r = b(frame);
      if (r !== undefined) return r;
    }
    try {
      return this.respond(frame);
    } catch {
      // A well-framed request with short parameters: a real device ignores it, the
      // simulation counts it (the host built a bad request).
      this.#badFrame(raw);
      return null;
    }
  }

  #badFrame(bytes: Buffer): void {
    this.#bad++;
    this.#lastBad = Buffer.from(bytes.subarray(0, BAD_BYTES_SHOWN));
  }
}
