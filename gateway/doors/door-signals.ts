import type { Logger } from 'pino';
import type { DoorSignal, DoorSignalKind } from '../../core/contracts.js';
import type { ReaderConfig } from '../config/schema.js';
import type { Metrics } from '../metrics.js';

/** The last signal of one kind family seen at a door. */
export interface DoorSignalSeen {
  kind: DoorSignalKind;
  readerId: string;
  ts: number;
  receivedAt: number;
}

/** What the door-signal part is built from. */
export interface DoorSignalsOptions {
  readers: readonly ReaderConfig[];
  metrics: Metrics;
  log: Logger;
}

/**
 * Where drivers' door signals arrive (core/contracts.ts DoorSignal): checked against the
 * config, counted by kind, and the last one kept per door. This is the seam the door model
 * of issue 13 (forced, held open, fire all-open, the devices page's door state) builds on;
 * today it records what the hardware said and judges nothing.
 */
export class DoorSignals {
  readonly #doorOf: Map<string, string>;
  readonly #last = new Map<string, DoorSignalSeen>();
  readonly #o: DoorSignalsOptions;

  constructor(o: DoorSignalsOptions) {
    this.#o = o;
    this.#doorOf = new Map(o.readers.map((r) => [r.id, r.door]));
  }

  /** Takes one signal; a signal of a reader that is not configured is counted and dropped. */
  report(s: DoorSignal): void {
    const doorId = this.#doorOf.get(s.readerId);
    if (doorId === undefined) {
      this.#o.metrics.rejects.inc({ reason: 'unknown_reader' });
      this.#o.log.warn(
        { reader: s.readerId, kind: s.kind },
        'door signal from a reader that is not in the config',
      );
      return;
    }
    this.#o.metrics.doorSignals.inc({ kind: s.kind });
    if (s.offline) return;
    this.#last.set(doorId, { kind: s.kind, readerId: s.readerId, ts: s.ts, receivedAt: s.receivedAt });
    this.#o.log.debug({ reader: s.readerId, door: doorId, kind: s.kind }, 'door signal');
  }

  /** The last live signal at a door, if any. */
  last(doorId: string): DoorSignalSeen | undefined {
    return this.#last.get(doorId);
  }
}
