import { GatewayError } from '../../core/errors.js';
import { ReaderPort, type ReaderPortOptions, type StatusReporter } from '../serial/reader-port.js';
import type { WaitOptions } from '../serial/requester.js';
import type { Timers } from '../serial/timers.js';
import { EXCEPTION_BIT, FN_READ_COILS, FN_WRITE_COIL } from './constants.js';
import { checkException, encodeReadCoils, encodeWriteCoil, type ModbusFrame, parseCoils } from './frame.js';

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
}

/** Request timing on the bus. */
export interface BusTiming {
  timeoutMs: number;
  retries: number;
  /** Pause between health probes (read coils) of each lock, ms. */
  probeMs: number;
}

/**
 * One RS-485 line and the relay boards on it. Several locks (coils, boards) share it,
 * so all their requests go through one queue. Each lock is probed with read coils and
 * reported online/offline; a write that fails also reports it offline.
 */
export class RelayBus {
  readonly port: ReaderPort<ModbusFrame>;
  readonly locks: RelayLock[] = [];
  readonly #timing: BusTiming;
  readonly #timers: Timers;
  #probe: unknown;
  #running = false;

  constructor(opts: ReaderPortOptions<ModbusFrame>, timing: BusTiming) {
    this.port = new ReaderPort(opts);
    this.#timing = timing;
    this.#timers = opts.timers;
    this.port.link.on('open', () => void this.#probeAll());
    this.port.link.on('close', () => {
      for (const lock of this.locks) lock.status.set(false);
    });
  }

  start(): void {
    this.#running = true;
    this.port.link.start();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#timers.clearTimeout(this.#probe);
    await this.port.link.stop();
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

  #schedule(): void {
    if (!this.#running) return;
    this.#probe = this.#timers.setTimeout(() => {
      const done = this.port.link.isOpen ? this.#probeAll() : Promise.resolve();
      void done.finally(() => this.#schedule());
    }, this.#timing.probeMs);
  }
}
