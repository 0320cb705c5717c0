import type { Logger } from 'pino';
import type { MqttBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { DoorCommand, Driver, ReadSink, Snapshot, SnapshotRequest } from '../core/contracts.js';
import { GatewayError } from '../core/errors.js';
import type { HttpIngress } from '../core/ingress.js';
import type { Provisioner } from '../core/provisioning.js';
import type { DriverFactory, DriverSecrets, DriverState, SerialBinding } from '../drivers/types.js';
import type { ReaderConfig } from './config/schema.js';
import type { LineStats } from './devices.js';

/** What the driver set is built from (the composition root passes each). */
export interface DriverSetOptions {
  readers: readonly ReaderConfig[];
  /** The registry (drivers/registry.ts): protocol name → factory. */
  factories: Readonly<Record<string, DriverFactory>>;
  /** Where every driver delivers what it decodes. */
  sink: ReadSink;
  bus: MqttBus;
  topicPrefix: string;
  serialBinding?: SerialBinding;
  /** The terminal listener HTTP-push drivers register their routes on. */
  ingress: HttpIngress;
  /** Drivers' durable per-reader values (catch-up cursors). */
  state?: DriverState;
  /** What drivers may read of the secrets file (terminal logins). */
  secrets?: DriverSecrets;
  log: Logger;
  clock: Clock;
}

/** A reader whose driver keeps a library of people on it, and that driver's provisioner. */
export interface ProvisionedReader {
  reader: ReaderConfig;
  provisioner: Provisioner;
}

/**
 * The drivers of the configured readers, one instance per protocol serving all its
 * readers, made by the registry's factories: the root knows no driver by name. Routes door
 * commands and line-counter queries to the reader's driver.
 */
export class DriverSet implements LineStats {
  readonly #drivers = new Map<string, Driver>();
  readonly #byReader = new Map<string, Driver>();
  readonly #readers: readonly ReaderConfig[];

  constructor(o: DriverSetOptions) {
    this.#readers = o.readers;
    for (const name of new Set(o.readers.map((r) => r.driver))) {
      const factory = o.factories[name];
      if (!factory) continue; // config validation refuses unknown drivers
      const readers = o.readers.filter((r) => r.driver === name);
      const driver = factory({
        readers,
        sink: o.sink,
        log: o.log.child({ module: 'driver', driver: name }),
        clock: o.clock,
        bus: o.bus,
        topicPrefix: o.topicPrefix,
        serialBinding: o.serialBinding,
        ingress: o.ingress,
        state: o.state,
        secrets: o.secrets,
      });
      this.#drivers.set(name, driver);
      for (const r of readers) this.#byReader.set(r.id, driver);
    }
  }

  /** Every driver by protocol name, in the order of first use in the config. */
  get drivers(): ReadonlyMap<string, Driver> {
    return this.#drivers;
  }

  /** Sends a door command through the reader's driver (unknown readers: nothing). */
  command(readerId: string, cmd: DoorCommand): void {
    this.#byReader.get(readerId)?.command(readerId, cmd);
  }

  /** Whether a reader's driver takes snapshots (a camera, issue 13). */
  isCamera(readerId: string): boolean {
    return typeof this.#byReader.get(readerId)?.snapshot === 'function';
  }

  /** A snapshot of a camera reader; rejects with NOT_A_CAMERA for any other reader. */
  snapshot(readerId: string, req: SnapshotRequest): Promise<Snapshot> {
    const d = this.#byReader.get(readerId);
    if (!d?.snapshot)
      return Promise.reject(new GatewayError('NOT_A_CAMERA', `reader ${readerId} takes no snapshots`));
    return d.snapshot(readerId, req);
  }

  /** The line counters of a reader, when its driver keeps any (LineStats). */
  stats(readerId: string): Readonly<Record<string, number>> | undefined {
    return this.#byReader.get(readerId)?.stats?.(readerId);
  }

  /** Readers whose driver exposes a library (core/provisioning.ts), in config order. */
  provisioned(): ProvisionedReader[] {
    const out: ProvisionedReader[] = [];
    for (const reader of this.#readers) {
      const provisioner = this.#byReader.get(reader.id)?.provisioning;
      if (provisioner) out.push({ reader, provisioner });
    }
    return out;
  }
}
