import type { ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { ReaderPort, type ReaderPortOptions, type StatusReporter } from '../serial/reader-port.js';
import type { WaitOptions } from '../serial/requester.js';
import type { Timers } from '../serial/timers.js';
import { EXCEPTION_BIT, FN_READ_COILS, FN_WRITE_COIL } from './constants.js';
import { checkException, encodeReadCoils, encodeWriteCoil, type ModbusFrame, parseCoils } from './frame.js';
import type { BoardInputs } from './inputs.js';

/** One door lock: a coil of a relay board. */
export interface RelayLock {
  readerId: string;
  unit: number;
  coil: number;
  /** Pulse length when the door command names none, ms. */
  unlockMs: number;
  status: StatusReporter;
  /** The pending switch-off of a pulse in progress. */
  offTimer?: unknown;
  /** A pulse's switch-on found the line closed: sent when the line opens, if the pulse lasts. */
  onWhenOpen?: boolean;
}

/** Request timing on the bus. */
export interface BusTiming {
  timeoutMs: number;
  retries: number;
  /** Pause between health probes (read coils) of each lock, ms. */
  probeMs: number;
  /** Pause between polls of the boards' inputs (contacts, exit buttons, fire), ms. */
  inputPollMs: number;
}

/**
 * One RS-485 line and the relay boards on it. Several locks (coils, boards) share it,
 * so all their requests go through one queue. Each lock is probed with read coils and
 * reported online/offline; a write that fails also reports it offline.
 */
export class RelayBus {
  readonly port: ReaderPort<ModbusFrame>;
  readonly locks: RelayLock[] = [];
  /** The boards on this line whose inputs are wired (issue 13). */
  readonly boards: BoardInputs[] = [];
  readonly #timing: BusTiming;
  readonly #timers: Timers;
  readonly #sink: ReadSink;
  #probe: unknown;
  #poll: unknown;
  #running = false;
  #pollFailures = 0;

  readonly #now: () => number;

  constructor(opts: ReaderPortOptions<ModbusFrame>, timing: BusTiming, now: () => number) {
    this.port = new ReaderPort(opts);
    this.#now = now;
    this.#timing = timing;
    this.#timers = opts.timers;
    this.#sink = opts.sink;
    this.port.link.on('open', () => void this.#probeAll());
    this.port.link.on('close', () => {
      for (const lock of this.locks) lock.status.set(false);
      // A door may open or close while the line is down: report every input again after.
      for (const b of this.boards) b.reset();
    });
  }

  start(): void {
    this.#running = true;
    this.port.link.start();
    this.#schedule();
    if (this.boards.length > 0) this.#schedulePoll();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#timers.clearTimeout(this.#probe);
    this.#timers.clearTimeout(this.#poll);
    await this.port.link.stop();
  }

  /** Input polls that failed (timeouts, exceptions) since start. */
  get inputPollFailures(): number {
    return this.#pollFailures;
  }

  /** Sends a read request of `fn` to `unit` and returns its reply (exceptions included: the caller parses). */
  read(unit: number, fn: number, request: Buffer, label: string): Promise<ModbusFrame> {
    return this.port.requester.request(request, {
      accept: (f) => f.unit === unit && (f.fn === fn || f.fn === (fn | EXCEPTION_BIT)),
      timeoutMs: this.#timing.timeoutMs,
      retries: this.#timing.retries,
      label: `${label} unit ${unit}`,
    });
  }

  /** Switches a coil and checks the board's echo (§6.5: the reply repeats the request). */
  async writeCoil(lock: RelayLock, on: boolean): Promise<void> {
    const request = encodeWriteCoil(lock.unit, lock.coil, on);
    try {
      const reply = await this.port.requester.request(request, this.#wait(lock, FN_WRITE_COIL, 'write coil'));
      checkException(reply);
      if (!reply.data.equals(request.subarray(2, 6))) {
        throw new GatewayError('MODBUS_ECHO', `unit ${lock.unit} echoed a different write`, {
          unit: lock.unit,
        });
      }
      lock.status.set(true);
    } catch (err) {
      if (err instanceof GatewayError && err.code !== 'MODBUS_EXCEPTION') lock.status.set(false);
      throw err;
    }
  }

  /** Reads one lock's coil: true when it is energised. */
  async readCoil(lock: RelayLock): Promise<boolean> {
    const reply = await this.port.requester.request(
      encodeReadCoils(lock.unit, lock.coil, 1),
      this.#wait(lock, FN_READ_COILS, 'read coils'),
    );
    return parseCoils(reply, 1)[0] === true;
  }

  #wait(lock: RelayLock, fn: number, label: string): WaitOptions<ModbusFrame> {
    return {
      accept: (f) => f.unit === lock.unit && (f.fn === fn || f.fn === (fn | EXCEPTION_BIT)),
      timeoutMs: this.#timing.timeoutMs,
      retries: this.#timing.retries,
      label: `${label} unit ${lock.unit} coil ${lock.coil}`,
    };
  }

  async #probeAll(): Promise<void> {
    for (const lock of this.locks) {
      if (!this.port.link.isOpen) return;
      try {
        await this.readCoil(lock);
        lock.status.set(true);
      } catch (err) {
        // An exception reply still proves the board is there (e.g. read coils unsupported).
        lock.status.set(err instanceof GatewayError && err.code === 'MODBUS_EXCEPTION');
      }
    }
  }

  /** Polls every wired board, then waits the poll period; signals go to the sink as door signals. */
  #schedulePoll(): void {
    if (!this.#running) return;
    this.#poll = this.#timers.setTimeout(() => {
      const done = this.port.link.isOpen ? this.#pollAll() : Promise.resolve();
      void done.finally(() => this.#schedulePoll());
    }, this.#timing.inputPollMs);
  }

  async #pollAll(): Promise<void> {
    for (const board of this.boards) {
      if (!this.port.link.isOpen) return;
      try {
        const signals = await board.poll((u, fn, req, label) => this.read(u, fn, req, label), 'read inputs');
        const now = this.#now();
        for (const s of signals)
          this.#sink.door({ readerId: s.readerId, kind: s.kind, ts: now, receivedAt: now, input: s.input });
      } catch {
        // Counted; the lock probe reports the board offline when it stops answering.
        this.#pollFailures++;
      }
    }
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#probe = this.#timers.setTimeout(() => {
      const done = this.port.link.isOpen ? this.#probeAll() : Promise.resolve();
      void done.finally(() => this.#schedule());
    }, this.#timing.probeMs);
  }
}
