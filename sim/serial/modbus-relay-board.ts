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
  /** Inputs on the board (door contacts, exit buttons, fire), default 8 (issue 13). */
  inputs?: number;
  /**
   * Boards that report their inputs as bits of a holding register (function 03) rather than
   * as discrete inputs (function 02): the register's address. Default: discrete inputs.
   */
  inputRegister?: number;
}

/**
 * A Modbus RTU relay board: answers write single coil (echo), read coils, read discrete
 * inputs (or read holding registers, on a board that reports its inputs as register bits),
 * and exception replies for anything else; ignores frames for other units (a multi-drop
 * bus), and answers none to broadcasts. Records every coil change with a timestamp. Its
 * inputs are what a test or the scenario wires to them: a door contact, an exit button, a
 * fire-alarm relay (setInput).
 */
export class SimRelayBoard extends SimDevice<ModbusFrame> {
  readonly unit: number;
  readonly coils: boolean[];
  /** Input states: true = on (a closed contact, a pressed button, a fire alarm). */
  readonly inputs: boolean[];
  readonly history: CoilEvent[] = [];
  /** Told of each coil change (the door scenario opens a door when its lock releases). */
  readonly coilListeners = new Set<(e: CoilEvent) => void>();
  readonly #clock: Clock;
  readonly #inputRegister: number | undefined;

  constructor(opts: SimRelayBoardOptions = {}) {
    super(modbusScanner('request'));
    this.unit = opts.unit ?? 1;
    this.coils = Array.from({ length: opts.coils ?? 8 }, () => false);
    this.inputs = Array.from({ length: opts.inputs ?? 8 }, () => false);
    this.#clock = opts.clock ?? systemClock;
    this.#inputRegister = opts.inputRegister;
  }

  /** Sets an input (what the wiring would do: a door opening, a button pressed). */
  setInput(n: number, on: boolean): void {
    if (n < 0 || n >= this.inputs.length) throw new RangeError(`input ${n} is not on the board`);
    this.inputs[n] = on;
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
      const changed = this.coils[coil] !== on;
      this.coils[coil] = on;
      if (changed) {
        const e = { coil, on, at: this.#clock.now() };
        this.history.push(e);
        for (const f of this.coilListeners) f(e);
      }
      return encodeFrame(f); // §6.5: the normal response is an echo of the request
    }
    if (f.fn === C.FN_READ_COILS) return this.#bits(f, this.coils);
    if (f.fn === C.FN_READ_DISCRETE_INPUTS && this.#inputRegister === undefined)
      return this.#bits(f, this.inputs);
    if (f.fn === C.FN_READ_HOLDING && this.#inputRegister !== undefined)
      return this.#registers(f, this.#inputRegister);
    return this.#exception(f.fn, C.EX_ILLEGAL_FUNCTION);
  }

  /** Read coils / discrete inputs (§6.1, §6.2): bits packed LSB first. */
  #bits(f: ModbusFrame, values: readonly boolean[]): Buffer {
    const start = f.data.readUInt16BE(0);
    const count = f.data.readUInt16BE(2);
    if (count < 1 || count > 2000) return this.#exception(f.fn, C.EX_ILLEGAL_VALUE);
    if (start + count > values.length) return this.#exception(f.fn, C.EX_ILLEGAL_ADDRESS);
    const bytes = Buffer.alloc(Math.ceil(count / 8));
    for (let i = 0; i < count; i++)
      if (values[start + i]) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
    return encodeFrame({
      unit: this.unit,
      fn: f.fn,
      data: Buffer.concat([Buffer.from([bytes.length]), bytes]),
    });
  }

  /** Read holding registers (§6.3) of a board whose inputs are bits of registers from `base`. */
  #registers(f: ModbusFrame, base: number): Buffer {
    const start = f.data.readUInt16BE(0);
    const count = f.data.readUInt16BE(2);
    const regs = Math.ceil(this.inputs.length / 16);
    if (count < 1 || count > 125) return this.#exception(f.fn, C.EX_ILLEGAL_VALUE);
    if (start < base || start + count > base + regs) return this.#exception(f.fn, C.EX_ILLEGAL_ADDRESS);
    const data = Buffer.alloc(1 + count * 2);
    data[0] = count * 2;
    for (let r = 0; r < count; r++) {
      let word = 0;
      for (let b = 0; b < 16; b++) if (this.inputs[(start - base + r) * 16 + b]) word |= 1 << b;
      data.writeUInt16BE(word, 1 + r * 2);
    }
    return encodeFrame({ unit: this.unit, fn: f.fn, data });
  }

  #exception(fn: number, code: number): Buffer {
    return encodeFrame({ unit: this.unit, fn: fn | C.EXCEPTION_BIT, data: Buffer.from([code]) });
  }
}
