import { type Clock, systemClock } from '../../core/clock.js';
import * as C from '../../drivers/modbus-relay/constants.js';
import { encodeFrame, type ModbusFrame, modbusScanner } from '../../drivers/modbus-relay/frame.js';
import { SimDevice } from './device.js';

/** A coil change the board made, when. */
export interface CoilEvent {
  coil: number;
  on: boolean;
  at: number;
}

/** How the simulated board is set up. */
export interface SimRelayBoardOptions {
  /** Unit address, default 1. */
  unit?: number;
  /** Coils on the board, default 8. */
  coils?: number;
  /** Clock for the coil history. */
  clock?: Clock;
}

/**
 * A Modbus RTU relay board: answers write single coil (echo), read coils, and exception
 * replies for anything else; ignores frames for other units (a multi-drop bus), and
 * answers none to broadcasts. Records every coil change with a timestamp.
 */
export class SimRelayBoard extends SimDevice<ModbusFrame> {
  readonly unit: number;
  readonly coils: boolean[];
  readonly history: CoilEvent[] = [];
  readonly #clock: Clock;

  constructor(opts: SimRelayBoardOptions = {}) {
    super(modbusScanner('request'));
    this.unit = opts.unit ?? 1;
    this.coils = Array.from({ length: opts.coils ?? 8 }, () => false);
    this.#clock = opts.clock ?? systemClock;
  }

  protected override respond(f: ModbusFrame): Buffer | null {
    if (f.unit !== this.unit && f.unit !== C.BROADCAST) return null;
    const reply = this.#apply(f);
    return f.unit === C.BROADCAST ? null : reply;
  }

  #apply(f: ModbusFrame): Buffer {
    if (f.fn === C.FN_WRITE_COIL) {
      const coil = f.data.readUInt16BE(0);
      const value = f.data.readUInt16BE(2);
      if (coil >= this.coils.length) return this.#exception(f.fn, C.EX_ILLEGAL_ADDRESS);
      if (value !== C.COIL_ON && value !== C.COIL_OFF) return this.#exception(f.fn, C.EX_ILLEGAL_VALUE);
      const on = value === C.COIL_ON;
      if (this.coils[coil] !== on) this.history.push({ coil, on, at: this.#clock.now() });
      this.coils[coil] = on;
      return encodeFrame(f); // §6.5: the normal response is an echo of the request
    }
    if (f.fn === C.FN_READ_COILS) {
      const start = f.data.readUInt16BE(0);
      const count = f.data.readUInt16BE(2);
      if (count < 1 || count > 2000) return this.#exception(f.fn, C.EX_ILLEGAL_VALUE);
      if (start + count > this.coils.length) return this.#exception(f.fn, C.EX_ILLEGAL_ADDRESS);
      const bytes = Buffer.alloc(Math.ceil(count / 8));
      for (let i = 0; i < count; i++)
        if (this.coils[start + i]) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
      return encodeFrame({
        unit: this.unit,
        fn: f.fn,
        data: Buffer.concat([Buffer.from([bytes.length]), bytes]),
      });
    }
    return this.#exception(f.fn, C.EX_ILLEGAL_FUNCTION);
  }

  #exception(fn: number, code: number): Buffer {
    return encodeFrame({ unit: this.unit, fn: fn | C.EXCEPTION_BIT, data: Buffer.from([code]) });
  }
}
