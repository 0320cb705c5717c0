/**
 * The inputs of Modbus IO boards (issue 13): door contacts (门磁), exit buttons (出门按钮),
 * fire-alarm inputs (消防联动) and tamper loops wired to a relay board's inputs, polled and
 * turned into DoorSignals. Two kinds of board are common: those with discrete inputs
 * (function 02, MODBUS Application Protocol §6.2) and those that report their inputs as
 * the bits of one holding register (function 03, §6.3; input n = bit n of the register).
 * No judgement here: the gateway's door model debounces and decides what an opening is.
 */
import type { DoorSignalKind } from '../../core/contracts.js';
import { FN_READ_DISCRETE_INPUTS, FN_READ_HOLDING } from './constants.js';
import {
  encodeReadDiscreteInputs,
  encodeReadHolding,
  type ModbusFrame,
  parseBits,
  parseRegisters,
} from './frame.js';

/** Sends a read request of function `fn` to `unit` on the line and resolves with the reply (the bus's queue). */
export type BoardRead = (unit: number, fn: number, request: Buffer, label: string) => Promise<ModbusFrame>;

/** What an input is wired to. */
export type InputRole = 'contact' | 'exit' | 'fire' | 'tamper';

/** The input roles, in the order of the options. */
export const INPUT_ROLES: readonly InputRole[] = ['contact', 'exit', 'fire', 'tamper'];

/** How a board reports its inputs. */
export interface InputSource {
  kind: 'discrete' | 'holding';
  /** Holding boards: the register whose bits are the inputs. */
  register: number;
}

/** One reader's wired inputs on its board. */
export interface WiredInputs {
  readerId: string;
  unit: number;
  /** Input number of each role that is wired. */
  inputs: Partial<Record<InputRole, number>>;
  /** Roles whose input reads the other way round (e.g. a normally-open door contact). */
  inverted: ReadonlySet<InputRole>;
}

/** A signal the poll found, for the driver to hand to the sink. */
export interface InputSignal {
  readerId: string;
  kind: DoorSignalKind;
  input: number;
}

/**
 * What a role's input means when it is on (after inversion): a contact is closed (a
 * normally-closed contact, the usual and fail-safe wiring: a cut wire reads as open), an
 * exit button pressed, a fire input in alarm, a tamper loop opened.
 */
function signalsFor(role: InputRole, before: boolean | undefined, on: boolean): DoorSignalKind | null {
  if (before === on) return null;
  switch (role) {
    case 'contact':
      return on ? 'contact_closed' : 'contact_open';
    case 'fire':
      // The first reading tells only an alarm: "no fire" is what the gateway assumes.
      return on ? 'fire_alarm_on' : before === undefined ? null : 'fire_alarm_off';
    case 'exit':
      return on && before === false ? 'exit_button' : null; // a press is an edge, not a state
    case 'tamper':
      return on ? 'tamper' : null;
  }
}

/** Polls the inputs of one board (unit) on a bus and reports their changes. */
export class BoardInputs {
  readonly unit: number;
  readonly #wired: WiredInputs[];
  readonly #source: InputSource;
  readonly #first: number;
  readonly #count: number;
  /** Last raw reading by input number; cleared when the line drops (state may change meanwhile). */
  #last = new Map<number, boolean>();

  constructor(unit: number, wired: WiredInputs[], source: InputSource) {
    this.unit = unit;
    this.#wired = wired;
    this.#source = source;
    const numbers = wired.flatMap((w) => Object.values(w.inputs));
    this.#first = Math.min(...numbers);
    this.#count = Math.max(...numbers) - this.#first + 1;
  }

  /** Forgets the last readings: the next poll reports every state again. */
  reset(): void {
    this.#last = new Map();
  }

  /** Reads the board's inputs once; returns what changed. Throws what the bus throws. */
  async poll(read: BoardRead, label: string): Promise<InputSignal[]> {
    const raw = await this.#read(read, label);
    const out: InputSignal[] = [];
    for (const w of this.#wired) {
      for (const role of INPUT_ROLES) {
        const input = w.inputs[role];
        if (input === undefined) continue;
        const on = raw(input) !== w.inverted.has(role);
        const kind = signalsFor(role, this.#last.get(input), on);
        if (kind) out.push({ readerId: w.readerId, kind, input });
      }
    }
    for (const w of this.#wired)
      for (const role of INPUT_ROLES) {
        const input = w.inputs[role];
        if (input !== undefined) this.#last.set(input, raw(input) !== w.inverted.has(role));
      }
    return out;
  }

  async #read(read: BoardRead, label: string): Promise<(input: number) => boolean> {
    if (this.#source.kind === 'discrete') {
      const reply = await read(
        this.unit,
        FN_READ_DISCRETE_INPUTS,
        encodeReadDiscreteInputs(this.unit, this.#first, this.#count),
        label,
      );
      const bits = parseBits(reply, FN_READ_DISCRETE_INPUTS, this.#count);
      return (n) => bits[n - this.#first] === true;
    }
    const firstReg = this.#source.register + (this.#first >> 4);
    const lastReg = this.#source.register + ((this.#first + this.#count - 1) >> 4);
    const regs = parseRegisters(
      await read(
        this.unit,
        FN_READ_HOLDING,
        encodeReadHolding(this.unit, firstReg, lastReg - firstReg + 1),
        label,
      ),
      lastReg - firstReg + 1,
    );
    return (n) => (((regs[this.#source.register + (n >> 4) - firstReg] ?? 0) >> (n & 15)) & 1) === 1;
  }
}
