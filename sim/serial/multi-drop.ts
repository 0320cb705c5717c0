import type { SerialDevice } from './device.js';

/**
 * Several devices on one RS-485 line (Modbus boards with their own unit addresses): each
 * hears every host byte and answers only what is addressed to it.
 */
export class MultiDrop<D extends SerialDevice = SerialDevice> implements SerialDevice {
  readonly boards: D[];

  constructor(...boards: D[]) {
    this.boards = boards;
  }

  /** Every device hears the same bytes, so a bad frame is counted once, not once per device. */
  get badHostFrames(): number {
    return this.boards.reduce((n, b) => Math.max(n, b.badHostFrames), 0);
  }

  handle(bytes: Buffer): Buffer {
    return Buffer.concat(this.boards.map((b) => b.handle(bytes)));
  }
}
