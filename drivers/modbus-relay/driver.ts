import type { DoorCommand, Driver } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { optionsCheck, ReaderOptions } from '../serial/options.js';
import {
  pickBinding,
  type SerialDriverOptions,
  type SerialStats,
  StatusReporter,
} from '../serial/reader-port.js';
import { realTimers, type Timers } from '../serial/timers.js';
import type { DriverContext } from '../types.js';
import { type BusTiming, RelayBus, type RelayLock } from './bus.js';
import { DEFAULT_BAUD, MAX_UNIT } from './constants.js';
import { BoardInputs, INPUT_ROLES, type InputRole, type InputSource, type WiredInputs } from './inputs.js';
import { createModbusParser } from './parser.js';

/** A switch-off that failed is tried again this often, ms, until it succeeds or stop(). */
const RELEASE_RETRY_MS = 1000;

/** A relay lock's options, defaults applied (see ModbusRelayDriver). */
export interface ModbusRelayOptions extends BusTiming {
  path: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  unit: number;
  coil: number;
  unlockMs: number;
  /** Input number of each wired role on the lock's board (issue 13). */
  inputs: Partial<Record<InputRole, number>>;
  inputSource: InputSource;
  invertInputs: InputRole[];
}

/** Reads (and range-checks) a relay lock's options; the driver and check-config share it. */
export function modbusRelayOptions(o: ReaderOptions): ModbusRelayOptions {
  return {
    path: o.path(),
    baudRate: o.int('baudRate', DEFAULT_BAUD, 1200, 921_600),
    parity: o.oneOf('parity', ['none', 'even', 'odd'] as const, 'none'),
    unit: o.int('unit', 1, 1, MAX_UNIT),
    coil: o.int('coil', 0, 0, 0xffff),
    unlockMs: o.int('unlockMs', 3000, 100, 120_000),
    timeoutMs: o.int('timeoutMs', 300, 20, 10_000),
    retries: o.int('retries', 2, 0, 10),
    probeMs: o.int('probeMs', 10_000, 100, 3_600_000),
    inputs: wiredInputs(o),
    inputSource: {
      kind: o.oneOf('inputs', ['discrete', 'holding'] as const, 'discrete'),
      register: o.int('inputRegister', 0, 0, 0xffff),
    },
    invertInputs: o.listOf('invertInputs', INPUT_ROLES),
    inputPollMs: o.int('inputPollMs', 100, 20, 60_000),
  };
}

/** The inputs a lock's board has wired: `contactInput`, `exitInput`, `fireInput`, `tamperInput`. */
function wiredInputs(o: ReaderOptions): Partial<Record<InputRole, number>> {
  const out: Partial<Record<InputRole, number>> = {};
  for (const role of INPUT_ROLES) {
    const n = o.optionalInt(`${role}Input`, 0, 1999);
    if (n !== undefined) out[role] = n;
  }
  return out;
}

/**
 * Door locks switched by Modbus RTU relay boards on RS-485 (protocols.md §Door locks).
 * Each configured "reader" is one lock: a coil of a board; an `unlock` command pulses
 * it (write single coil on, then off after the unlock time); `deny` does nothing.
 * Readers with the same `path` share one line and one request queue.
 *
 * Reader `options`:
 * - `path` (required): `/dev/ttyUSB0` or `tcp://host:port` (RS-485 over ser2net);
 * - `baudRate`: default 9600; `parity`: none (default), even or odd — the first reader
 *   on a path sets both;
 * - `unit`: board address 1..247, default 1; `coil`: coil address, default 0;
 * - `unlockMs`: pulse length when the command gives no durationMs, default 3000;
 * - `timeoutMs`: reply timeout, default 300; `retries`: default 2;
 * - `probeMs`: health probe (read coils) interval, default 10000;
 * - `contactInput`, `exitInput`, `fireInput`, `tamperInput` (issue 13): the board's inputs
 *   wired to the door contact, exit button, fire-alarm relay and tamper loop, polled every
 *   `inputPollMs` (default 100; a press shorter than that may be missed) and reported as door signals; `inputs`: `discrete`
 *   (function 02, default) or `holding` (the inputs are the bits of holding register
 *   `inputRegister`, function 03); `invertInputs`: roles wired the other way round (a
 *   normally-open contact: by default an input that is on means closed, pressed, in alarm,
 *   tampered).
 */
export class ModbusRelayDriver implements Driver {
  readonly name = 'modbus-relay';
  readonly #ctx: DriverContext;
  readonly #timers: Timers;
  readonly #buses = new Map<string, RelayBus>();
  readonly #locks = new Map<string, { bus: RelayBus; lock: RelayLock }>();
  #running = false;

  constructor(ctx: DriverContext, opts: SerialDriverOptions = {}) {
    this.#ctx = ctx;
    this.#timers = opts.timers ?? realTimers;
    const binding = pickBinding(ctx, opts);
    const units = new Map<string, Set<number>>();
    const wired = new Map<RelayBus, Map<number, { source: InputSource; list: WiredInputs[] }>>();
    for (const reader of ctx.readers) {
      const o = modbusRelayOptions(new ReaderOptions(reader));
      const { path, unit } = o;
      let bus = this.#buses.get(path);
      if (!bus) {
        const seen = new Set<number>();
        units.set(path, seen);
        const timers = this.#timers;
        bus = new RelayBus(
          {
            readerId: reader.id,
            sink: ctx.sink,
            log: ctx.log.child({ module: 'modbus-relay', path }),
            timers,
            binding,
            path,
            baudRate: o.baudRate,
            parity: o.parity,
            createParser: () => createModbusParser({ timers, units: seen }),
          },
          { timeoutMs: o.timeoutMs, retries: o.retries, probeMs: o.probeMs, inputPollMs: o.inputPollMs },
          () => ctx.clock.now(),
        );
        this.#buses.set(path, bus);
        const opened = bus;
        bus.port.link.on('open', () => this.#lineOpen(opened));
      }
      if (Object.keys(o.inputs).length > 0) {
        const byUnit = wired.get(bus) ?? new Map();
        wired.set(bus, byUnit);
        // The first reader wired on a board says how the board reports its inputs.
        const board = byUnit.get(unit) ?? { source: o.inputSource, list: [] };
        byUnit.set(unit, board);
        board.list.push({ readerId: reader.id, unit, inputs: o.inputs, inverted: new Set(o.invertInputs) });
      }
      units.get(path)?.add(unit);
      const lock: RelayLock = {
        readerId: reader.id,
        unit,
        coil: o.coil,
        unlockMs: o.unlockMs,
        status: new StatusReporter(ctx.sink, reader.id),
      };
      bus.locks.push(lock);
      this.#locks.set(reader.id, { bus, lock });
    }
    for (const [bus, byUnit] of wired)
      for (const [unit, b] of byUnit) bus.boards.push(new BoardInputs(unit, b.list, b.source));
  }

  async start(): Promise<void> {
    this.#running = true;
    for (const bus of this.#buses.values()) bus.start();
  }

  /** Switches off every lock still in a pulse, then closes the lines. */
  async stop(): Promise<void> {
    this.#running = false;
    const pulsing = [...this.#locks.values()].filter(({ lock }) => lock.offTimer !== undefined);
    await Promise.all(
      pulsing.map(async ({ bus, lock }) => {
        this.#timers.clearTimeout(lock.offTimer);
        lock.offTimer = undefined;
        await bus
          .writeCoil(lock, false)
          .catch((err: unknown) => this.#log(lock).error({ err }, 'relay left on at stop'));
      }),
    );
    await Promise.all([...this.#buses.values()].map((b) => b.stop()));
  }

  command(readerId: string, cmd: DoorCommand): void {
    const entry = this.#locks.get(readerId);
    if (!entry) {
      this.#ctx.log.warn({ reader: readerId, command: cmd.id }, 'door command for an unknown relay');
      return;
    }
    if (cmd.action !== 'unlock') return; // deny: the lock simply stays shut
    void this.#pulse(entry.bus, entry.lock, cmd.durationMs ?? entry.lock.unlockMs, cmd.id);
  }

  /** Line counters of the bus a lock is on, and its failed input polls. */
  stats(readerId: string): SerialStats & { inputPollFailures: number } {
    const entry = this.#locks.get(readerId);
    if (!entry) throw new GatewayError('UNKNOWN_READER', `no relay ${readerId}`);
    return { ...entry.bus.port.stats(), inputPollFailures: entry.bus.inputPollFailures };
  }

  async #pulse(bus: RelayBus, lock: RelayLock, ms: number, commandId: string): Promise<void> {
    // A second unlock during a pulse extends it rather than cutting it short.
    const extending = lock.offTimer !== undefined;
    this.#timers.clearTimeout(lock.offTimer);
    lock.offTimer = this.#timers.setTimeout(() => void this.#release(bus, lock), ms);
    if (extending) return;
    try {
      await bus.writeCoil(lock, true);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'PORT_CLOSED') {
        // Not a failure yet: a hold sent at start, or a line reopening. The switch-on goes
        // out when the line opens, if the pulse still lasts then (#lineOpen).
        lock.onWhenOpen = true;
        this.#log(lock).info({ command: commandId }, 'unlock waits for the serial line to open');
        return;
      }
      this.#log(lock).warn({ err, command: commandId }, 'unlock failed');
    }
    // The door stays open for the whole pulse from the moment the board confirmed the
    // switch (a busy line can take a while to carry the write), unless a later unlock
    // already extended it or the switch-off already began.
    if (lock.offTimer !== undefined && this.#running) {
      this.#timers.clearTimeout(lock.offTimer);
      lock.offTimer = this.#timers.setTimeout(() => void this.#release(bus, lock), ms);
    }
  }

  /** The line (re)opened: pulses whose switch-on found it closed are switched on now. */
  #lineOpen(bus: RelayBus): void {
    for (const lock of bus.locks) {
      if (!lock.onWhenOpen) continue;
      lock.onWhenOpen = false;
      if (lock.offTimer === undefined) continue; // the pulse ended while the line was down
      void bus.writeCoil(lock, true).catch((err: unknown) => this.#log(lock).warn({ err }, 'unlock failed'));
    }
  }

  async #release(bus: RelayBus, lock: RelayLock): Promise<void> {
    lock.onWhenOpen = false;
    // The pulse is over once its timer fired: an unlock that comes while the switch-off is
    // on the line starts a new pulse (its switch-on queues behind this write), rather than
    // extending the ending one and leaving the door shut.
    lock.offTimer = undefined;
    try {
      await bus.writeCoil(lock, false);
    } catch (err) {
      // A door left unlocked is the worst outcome here: keep trying while running, unless
      // a new pulse has begun (its own timer switches the relay off).
      this.#log(lock).error({ err }, 'relay did not switch off; retrying');
      if (lock.offTimer === undefined && this.#running)
        lock.offTimer = this.#timers.setTimeout(() => void this.#release(bus, lock), RELEASE_RETRY_MS);
    }
  }

  #log(lock: RelayLock) {
    return this.#ctx.log.child({ module: 'modbus-relay', reader: lock.readerId });
  }
}

/** Factory for the registry: `createModbusRelayDriver(ctx, { binding })`. */
export function createModbusRelayDriver(
  ctx: DriverContext,
  opts: SerialDriverOptions = {},
): ModbusRelayDriver {
  return new ModbusRelayDriver(ctx, opts);
}
/** check-config: problems in a relay lock's options. */
createModbusRelayDriver.checkOptions = optionsCheck(modbusRelayOptions);
/** Its "readers" are door locks: a door's `lock` may name one. */
createModbusRelayDriver.switchesLocks = true;
