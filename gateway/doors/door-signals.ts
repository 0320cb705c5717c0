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

/** Where live signals go on to: the door model (gateway/doors/doors.ts). */
export interface DoorSignalTarget {
  signal(doorId: string, s: DoorSignal): void;
}

/** What the door-signal part is built from. */
export interface DoorSignalsOptions {
  readers: readonly ReaderConfig[];
  metrics: Metrics;
  log: Logger;
}

/**
 * Where drivers' door signals arrive (core/contracts.ts DoorSignal): checked against the
 * config, counted by kind, the last one kept per door, and live ones handed to the door
 * model (issue 13: forced, held open, fire all-open, the devices page's door state). A
 * signal from a device's offline buffer is history, counted and not judged.
 */
export class DoorSignals {
  readonly #doorOf: Map<string, string>;
  readonly #last = new Map<string, DoorSignalSeen>();
  readonly #o: DoorSignalsOptions;
  #target: DoorSignalTarget | null = null;

  constructor(o: DoorSignalsOptions) {
    this.#o = o;
    this.#doorOf = new Map(o.readers.map((r) => [r.id, r.door]));
  }

  /** Hands live signals on to the door model (the composition root closes this loop once). */
  attach(target: DoorSignalTarget): void {
    this.#target = target;
  }

  /** Takes one signal; a signal of a reader that is not configured is counted and dropped. Never throws. */
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
    try {
      this.#target?.signal(doorId, s);
    } catch (err) {
      // A fault in the judgement of one signal must not reach the driver that reported it.
      this.#o.log.error({ err, reader: s.readerId, kind: s.kind }, 'door signal not judged');
    }
  }

  /** The last live signal at a door, if any. */
  last(doorId: string): DoorSignalSeen | undefined {
    return this.#last.get(doorId);
  }
}
