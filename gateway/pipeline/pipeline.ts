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
import type { LogLimiter } from '../log-limit.js';
import type { Metrics } from '../metrics.js';
import type { RosterIndex } from '../roster/roster-index.js';
import type { Act } from './act.js';
import { Batcher } from './batcher.js';
import { type Check, type Checked, isRejected } from './check.js';
import { Failover } from './failover.js';
import type { Journal } from './journal.js';
import { errorCode, type JournalFaultView } from './journal-fault.js';
import { Pending, pendingKey } from './pending.js';
import type { Raised, Recorder } from './record.js';
import { answersBeforeSync } from './store-policy.js';

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
  /** Refused input is logged through this (issue 12 item 6); without it, every line is written. */
  limiter?: LogLimiter;
}

const RESOLVED = Promise.resolve();

/**
 * What a replay knows of the journal's keys (gateway/replay/seen-filter.ts): a read whose
 * key it has never seen skips the journal's dedupe query (now asked only for reads that
 * get no row in their commit: rejected, stale, or answered while the journal fails).
 * Never a false "no".
 */
export interface SeenKeys {
  mayHave(readerId: string, recordId: string): boolean;
  add(readerId: string, recordId: string): void;
}

/**
 * The pipeline of design.md §4, the read sink of every driver: batcher → in one
 * transaction, dedupe and check (the journal's own insert is the dedupe: issue 15) and
 * record (journal row, decision, alerts and outbox) → act (doors, live view) →
 * acknowledgement. A read is acknowledged only once its commit is on disk; the same
 * reader's record id is recorded once however often it is sent.
 *
 * While the journal cannot commit (issue 12 item 1) a live read is answered at once by
 * its door's policy (store-policy.ts) and held, unacknowledged and without its image,
 * until a commit succeeds; then it is journaled as answered and acknowledged. A read sent
 * again meanwhile is the one held: never answered twice, never a clock-offset sample.
 * Past store.maxHeldReads a read is answered and refused until the journal recovers.
 */
export class Pipeline implements ReadSink {
  readonly #s: PipelineStages;
  readonly #readers: Map<string, ReaderConfig>;
  readonly #pending = new Map<string, Pending>();
  readonly #batcher: Batcher<Pending>;
  readonly #failover: Failover;
  #stopping = false;
  #seen: SeenKeys | null = null;

  constructor(stages: PipelineStages) {
    this.#s = stages;
    this.#readers = new Map(stages.config.readers.map((r) => [r.id, r]));
    this.#failover = new Failover({
      ...stages,
      staleAfterMs: stages.config.checks.staleAfterMs,
      raise: (c) => this.raise(c),
    });
    this.#batcher = new Batcher(stages.config.store, {
      ready: () => true, // checked in the commit (#stage)
      commit: (batch) => this.#commit(batch),
    });
  }

  /** Whether the journal commits, and what a failure has cost so far (health). */
  get store(): JournalFaultView & { held: number } {
    return this.#failover.view(this.#batcher.size);
  }

  /** The roster index reads are resolved against. */
  get roster(): RosterIndex {
    return this.#s.check.roster;
  }

  /** Reads recorded since start (for the reads/s of the health report). */
  get recorded(): number {
    return this.#s.recorder.recorded;
  }

  /**
   * From now on, reads whose key `seen` has never seen skip the dedupe query; it is told of
   * every key committed. `seen` must already hold every key the journal holds.
   */
  useSeenKeys(seen: SeenKeys): void {
    this.#seen = seen;
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
    if (this.#batcher.blocked) return this.#submitWhileFailing(item);
    this.#pending.set(key, item);
    // Checked at its commit, inside the transaction, where the journal's own insert is
    // the dedupe (issue 15: no lookup, no WAL read lock per read). A replayed backlog is
    // committed slice by slice, so arriving in a flood it costs a live read at most one
    // slice, not the whole flood.
    if (read.offline) this.#batcher.backlog(item);
    else {
      // Answered before it was refused (the journal had failed): not twice. (Only a read
      // with an answer reads the flag.)
      if (this.#failover.answeredBefore(key)) item.answered = true;
      this.#batcher.live(item);
    }
    return item.promise;
  }

  /**
   * The journal cannot commit: the door is answered now, by its policy, and the read held
   * (image dropped: a full disk takes no thumbnail) until a commit succeeds; past the
   * limit it is answered and refused, for the sender to deliver again after recovery.
   */
  #submitWhileFailing(item: Pending): Promise<void> {
    const { read } = item;
    read.image = undefined;
    if (this.#batcher.size >= this.#s.config.store.maxHeldReads)
      return this.#failover.refuse(item, () => this.#check(item));
    this.#pending.set(item.key, item);
    if (read.offline) this.#batcher.backlog(item);
    else if (this.#check(item)) {
      if (item.checked?.decision.answer) {
        this.#failover.answerNow(item);
        this.#batcher.live(item);
      } else this.#batcher.backlog(item);
    }
    this.#s.metrics.heldReads.set(this.#batcher.size);
    return item.promise;
  }

  /**
   * Dedupes and checks a read outside a commit (while the journal fails: its door is
   * answered before any commit); false when the read is done already (recorded before,
   * or rejected).
   */
  #check(item: Pending): boolean {
    const { read } = item;
    if (this.#had(read)) {
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

  /** Whether the journal has the read already (never a false "yes"). */
  #had(read: CredentialRead): boolean {
    try {
      return (
        (this.#seen?.mayHave(read.readerId, read.recordId) ?? true) &&
        this.#s.journal.has(read.readerId, read.recordId)
      );
    } catch {
      // A failing store may not even read: the commit's own dedupe (seq 0) still holds.
      return false;
    }
  }

  /**
   * One item of a commit, inside its transaction: its journal row and decision, or null
   * with the reason set aside. A read not checked yet is checked here, in arrival order:
   * `admit` (pure) names its row, the journal's `INSERT OR IGNORE` says whether it is new,
   * and only then does `finish` take its side effects (clock-offset sample, person–card
   * half) and decide — so a duplicate teaches the check nothing, exactly as when a lookup
   * before the check turned it away. A read that gets no row here (rejected, or stale and
   * sent to the backlog) asks the journal first, as before.
   */
  readonly #stage = (item: Pending): Checked | null => {
    const { journal, check } = this.#s;
    if (item.checked !== null) {
      if (journal.append(item.checked) !== 0) return item.checked;
      item.aside = 'duplicate';
      return null;
    }
    const a = check.admit(item.read, item.reader);
    if (isRejected(a) || a.read.stale) {
      if (this.#had(item.read)) item.aside = 'duplicate';
      else if (isRejected(a)) item.aside = a;
      else {
        // Stale: recorded in a backlog slice, not answered (decide gives it no answer).
        item.checked = check.finish(a);
        item.aside = 'backlog';
      }
      return null;
    }
    const seq = journal.appendEntry(a.read, a.thumb);
    if (seq === 0) {
      item.aside = 'duplicate';
      return null;
    }
    const c = check.finish(a);
    journal.appendDecision(c, seq);
    item.checked = c;
    // The door does not wait for the disk (design.md §4: act, then record). Its rows are
    // written, so it is no duplicate; a door whose answer is the same whether or not this
    // commit reaches the disk (answersBeforeSync) is answered now, before the commit's
    // fsync. Its acknowledgement still waits for the commit, and if the commit fails the
    // read is held as answered: never answered twice.
    if (!item.answered && c.decision.answer !== null && answersBeforeSync(c)) {
      item.answered = true;
      item.early = this.#s.act.answer(c);
    }
    return c;
  };

  /**
   * After a commit (or its failure): the items it set aside are settled — duplicates and
   * rejected reads acknowledged and counted, stale ones queued in the backlog — and taken
   * out of `batch` (in place: the batcher holds what is left if the commit failed).
   */
  #settleAside(batch: Pending[]): void {
    let kept = 0;
    for (const item of batch) {
      const aside = item.aside;
      if (aside === null) {
        batch[kept++] = item;
        continue;
      }
      item.aside = null;
      if (aside === 'backlog') this.#batcher.backlog(item);
      else if (aside === 'duplicate') {
        this.#s.metrics.duplicates.inc();
        this.#done(item);
      } else {
        this.reject(item.read.readerId, aside.reason, aside.detail);
        this.#done(item);
      }
    }
    batch.length = kept;
  }

  #done(item: Pending): false {
    this.#pending.delete(item.key);
    item.resolve();
    return false;
  }

  reject(readerId: string, reason: RejectReason, detail: string): void {
    this.#s.metrics.rejects.inc({ reason });
    this.#s.devices.count(readerId, `rejected_${reason}`);
    // A flood of bad input must not flood the log (issue 12 item 6): the first few of each
    // reader and reason, then a count; the counters above keep the exact numbers.
    const obj = { reader: readerId, reason, detail };
    if (this.#s.limiter) this.#s.limiter.write('warn', `${readerId} ${reason}`, obj, 'read rejected');
    else this.#s.log.warn(obj, 'read rejected');
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

  /**
   * Commits what is queued and waits until nothing is left (shutdown). Reads the journal
   * still cannot take are refused, unacknowledged: the broker delivers them again.
   */
  async drain(): Promise<void> {
    this.#stopping = true;
    const left = await this.#batcher.drain();
    if (left.length === 0) return;
    this.#s.log.error({ reads: left.length }, 'journal cannot commit at shutdown: reads left unacknowledged');
    const err = Object.assign(new Error('the journal could not commit before shutdown'), {
      code: 'STORE_UNAVAILABLE',
    });
    for (const item of left) {
      this.#pending.delete(item.key);
      item.reject(err);
    }
  }

  /**
   * Records a batch; then doors, acknowledgements, live view. If it failed: the doors
   * that wait are answered by their policy, and the batch is held for the batcher to try
   * again; nothing is acknowledged.
   */
  #commit(batch: Pending[]): boolean {
    const { act } = this.#s;
    let raised: Raised[];
    try {
      raised = this.#s.recorder.commit(batch, this.#s.clock.now(), this.#stage);
    } catch (err) {
      // What was set aside stands (a duplicate's row was there before this transaction).
      this.#settleAside(batch);
      if (errorCode(err) === 'STORE_CLOSED') {
        // Closed for good (stopped): no retry will succeed; refuse, the sender delivers again.
        for (const item of batch) {
          this.#pending.delete(item.key);
          item.reject(err as Error);
        }
        return true;
      }
      this.#checkUnchecked(batch);
      const held = this.#batcher.size + batch.length;
      this.#failover.failed(err, batch, this.#pending.values(), held);
      return false;
    }
    this.#settleAside(batch);
    this.#failover.committed(this.#batcher.size);
    for (const item of batch) {
      this.#pending.delete(item.key);
      const c = item.result;
      this.#seen?.add(c.read.readerId, c.read.recordId);
      act.recorded(c, this.#stopping ? undefined : item.read.image, item.answered);
      item.resolve();
    }
    act.announce(raised);
    this.#s.afterCommit?.();
    return true;
  }

  /**
   * A failed commit's items that it did not reach are checked now, as a read arriving
   * while the journal fails is: its door is answered by its policy, and it is held.
   */
  #checkUnchecked(batch: Pending[]): void {
    let kept = 0;
    for (const item of batch) {
      if (item.checked === null) {
        if (!this.#check(item)) continue;
        if (!item.read.offline && item.result.decision.answer === null) {
          this.#batcher.backlog(item); // stale: recorded, not answered
          continue;
        }
      }
      batch[kept++] = item;
    }
    batch.length = kept;
  }
}
