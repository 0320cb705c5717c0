import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type {
  CredentialRead,
  DoorSignal,
  ReaderStatus,
  ReadSink,
  RejectReason,
} from '../../core/contracts.js';
import type { AlertRecord } from '../alerts/alert-manager.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { Config, ReaderConfig } from '../config/schema.js';
import type { DeviceRegistry } from '../devices.js';
import type { DoorSignals } from '../doors/door-signals.js';
import type { Metrics } from '../metrics.js';
import type { RosterIndex } from '../roster/roster-index.js';
import type { Act } from './act.js';
import { Batcher } from './batcher.js';
import { type Check, isRejected } from './check.js';
import type { Journal } from './journal.js';
import { Pending, pendingKey } from './pending.js';
import type { Raised, Recorder } from './record.js';

export type { Detector, EntryContext } from './detector.js';

/** The stages a pipeline runs and what it reports to; createPipeline builds them. */
export interface PipelineStages {
  config: Config;
  journal: Journal;
  check: Check;
  recorder: Recorder;
  act: Act;
  devices: DeviceRegistry;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  /** Called after each successful commit (wakes the upstream delivery). */
  afterCommit?: () => void;
  /** Where door hardware signals go (issue 13); without it they are counted only. */
  doors?: DoorSignals;
}

const RESOLVED = Promise.resolve();

/**
 * The pipeline of design.md §4, the read sink of every driver: dedupe → check → batcher →
 * record (journal row, decision, alerts and outbox in one transaction) → act (doors,
 * live view) → acknowledgement. A read is acknowledged only once its commit is on disk;
 * the same reader's record id is recorded once however often it is sent.
 */
export class Pipeline implements ReadSink {
  readonly #s: PipelineStages;
  readonly #readers: Map<string, ReaderConfig>;
  readonly #pending = new Map<string, Pending>();
  readonly #batcher: Batcher<Pending>;
  #stopping = false;

  constructor(stages: PipelineStages) {
    this.#s = stages;
    this.#readers = new Map(stages.config.readers.map((r) => [r.id, r]));
    this.#batcher = new Batcher(stages.config.store, {
      ready: (item) => item.checked !== null || this.#check(item),
      commit: (batch) => this.#commit(batch),
    });
  }

  /** The roster index reads are resolved against. */
  get roster(): RosterIndex {
    return this.#s.check.roster;
  }

  /** Reads recorded since start (for the reads/s of the health report). */
  get recorded(): number {
    return this.#s.recorder.recorded;
  }

  /** Reads waiting for their commit. */
  get backlog(): number {
    return this.#batcher.size;
  }

  submit(read: CredentialRead): Promise<void> {
    const reader = this.#readers.get(read.readerId);
    if (!reader) {
      this.reject(read.readerId, 'unknown_reader', 'reader is not in the config');
      return RESOLVED;
    }
    this.#s.devices.seen(read.readerId, read.receivedAt);
    const key = pendingKey(read);
    const inFlight = this.#pending.get(key);
    if (inFlight) {
      this.#s.metrics.duplicates.inc();
      return inFlight.promise;
    }
    const item = new Pending(key, read, reader);
    this.#pending.set(key, item);
    // A replayed backlog is checked slice by slice at commit time, so arriving in a
    // flood it costs a live read at most one slice, not the whole flood.
    if (read.offline) this.#batcher.backlog(item);
    else if (this.#check(item)) {
      if (item.checked?.decision.answer) this.#batcher.live(item);
      else this.#batcher.backlog(item); // stale: recorded, not answered
    }
    return item.promise;
  }

  /** Dedupes and checks; false when the read is done already (recorded before, or rejected). */
  #check(item: Pending): boolean {
    const { read } = item;
    if (this.#s.journal.has(read.readerId, read.recordId)) {
      this.#s.metrics.duplicates.inc();
      return this.#done(item);
    }
    const c = this.#s.check.check(read, item.reader);
    if (isRejected(c)) {
      this.reject(read.readerId, c.reason, c.detail);
      return this.#done(item);
    }
    item.checked = c;
    return true;
  }

  #done(item: Pending): false {
    this.#pending.delete(item.key);
    item.resolve();
    return false;
  }

  reject(readerId: string, reason: RejectReason, detail: string): void {
    this.#s.metrics.rejects.inc({ reason });
    this.#s.devices.count(readerId, `rejected_${reason}`);
    this.#s.log.warn({ reader: readerId, reason, detail }, 'read rejected');
  }

  status(readerId: string, s: ReaderStatus): void {
    if (!this.#s.devices.has(readerId)) {
      this.reject(readerId, 'unknown_reader', 'status from a reader that is not in the config');
      return;
    }
    this.#s.devices.status(readerId, s, this.#s.clock.now());
    this.#s.metrics.readersOnline.set(this.#s.devices.onlineCount);
  }

  /** A door's hardware signal: to the door model, never into the journal of reads. */
  door(signal: DoorSignal): void {
    if (this.#s.doors) this.#s.doors.report(signal);
    else this.#s.metrics.doorSignals.inc({ kind: signal.kind });
  }

  /** Raises an alert that no read caused (device_offline…), in its own transaction. */
  raise(c: AlertCandidate): AlertRecord | null {
    const raised = this.#s.recorder.raise(c, this.#s.clock.now());
    if (raised) this.#s.act.announce([raised]);
    return raised?.[0] ?? null;
  }

  /** Commits what is queued and waits until nothing is left (shutdown). */
  async drain(): Promise<void> {
    this.#stopping = true;
    await this.#batcher.drain();
  }

  /** Records a batch; then doors, acknowledgements, live view — or, if it failed, doors only. */
  #commit(batch: Pending[]): void {
    const { act } = this.#s;
    let raised: Raised[];
    try {
      raised = this.#s.recorder.commit(
        batch.map((item) => item.result),
        this.#s.clock.now(),
      );
    } catch (err) {
      // Nothing is acknowledged, so brokers and readers will deliver again.
      for (const item of batch) {
        this.#pending.delete(item.key);
        act.answer(item.result);
        item.reject(err as Error);
      }
      return;
    }
    for (const item of batch) {
      this.#pending.delete(item.key);
      const c = item.result;
      if (c.seq === 0)
        this.#s.metrics.duplicates.inc(); // the journal had it: a replay
      else act.recorded(c, this.#stopping ? undefined : item.read.image);
      item.resolve();
    }
    act.announce(raised);
    this.#s.afterCommit?.();
  }
}
