/**
 * What the pipeline does while the journal cannot commit (issue 12 item 1): doors are
 * answered once, at once, by their policy (store-policy.ts); held reads lose their images;
 * reads past the memory limit are refused with a promise of when to ask again; the
 * storage alert is raised when the store can take it. The pipeline keeps the flow (which
 * read is held, which committed); this stage keeps the state and the rules.
 */
import type { Logger } from 'pino';
import type { RetryLater } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { Metrics } from '../metrics.js';
import type { Act } from './act.js';
import { JournalFault, type JournalFaultView } from './journal-fault.js';
import type { Pending } from './pending.js';
import { applyStoreFailurePolicy } from './store-policy.js';
import { AnsweredUnstored } from './unstored.js';

/** What the failover stage is built from. */
export interface FailoverDeps {
  act: Act;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  /** checks.staleAfterMs: how long a refused read's answer is remembered. */
  staleAfterMs: number;
  /** Records an alert no read caused; null when the store could not take it. */
  raise(c: AlertCandidate): unknown;
}

/** The journal-failure stage of one pipeline. */
export class Failover {
  readonly #d: FailoverDeps;
  readonly #fault: JournalFault;
  /** Refused reads already answered: a redelivery before they go stale is not answered again. */
  readonly #unstored: AnsweredUnstored;

  constructor(deps: FailoverDeps) {
    this.#d = deps;
    this.#fault = new JournalFault(deps.log, deps.metrics, deps.clock);
    this.#unstored = new AnsweredUnstored(deps.staleAfterMs);
  }

  /** True while commits fail. */
  get active(): boolean {
    return this.#fault.active;
  }

  /** The state for health, with the reads held now. */
  view(held: number): JournalFaultView & { held: number } {
    return { ...this.#fault.view(), held: this.#fault.active ? held : 0 };
  }

  /** Whether a read was answered and refused lately (so its redelivery is not answered). */
  answeredBefore(key: string): boolean {
    return this.#unstored.size > 0 && this.#unstored.has(key, this.#d.clock.now());
  }

  /** Answers a checked live read without its commit, by its door's policy; once. */
  answerNow(item: Pending): void {
    const c = item.checked;
    if (c === null || item.answered || c.decision.answer === null) return;
    applyStoreFailurePolicy(c);
    // Handled either way: a read too old to answer now is never answered later.
    item.answered = true;
    if (!this.#d.act.answer(c)) {
      // Gone stale before it could be answered: journaled as what it was, unanswered.
      c.decision.answer = null;
      c.decision.reasons.push('stale');
      c.read.stale = true;
      return;
    }
    this.#fault.answered++;
    this.#d.metrics.storeFailureAnswers.inc({ policy: c.door.onStoreFailure ?? 'memory' });
  }

  /**
   * Past the memory limit: answers the read if `check()` makes it an answerable live read
   * (and it was not answered before), and refuses it until the journal commits again.
   */
  refuse(item: Pending, check: () => boolean): Promise<void> {
    this.#fault.refused++;
    if (!item.read.offline && !this.answeredBefore(item.key) && check()) {
      this.answerNow(item);
      if (item.answered) this.#unstored.add(item.key, this.#d.clock.now());
    }
    const err = Object.assign(new Error('the journal cannot commit; deliver again once it can'), {
      code: 'STORE_UNAVAILABLE',
      retryAfter: this.#fault.recovered,
    }) satisfies RetryLater;
    return Promise.reject(err);
  }

  /**
   * A commit of `batch` failed: its doors are answered, it keeps no image; if this begins
   * a failure, every read in flight (`pending`) drops its image too and the alert is raised
   * if the store still takes it. `held`: the reads held now, this batch included.
   */
  failed(err: unknown, batch: readonly Pending[], pending: Iterable<Pending>, held: number): void {
    const begins = this.#fault.failed(err, batch.length, held);
    for (const item of batch) {
      if (item.early) {
        // Answered in the transaction that failed, before its fsync: that answer stands,
        // given without a commit (answersBeforeSync: the answer its policy would give).
        item.early = false;
        this.#fault.answered++;
        this.#d.metrics.storeFailureAnswers.inc({ policy: item.result.door.onStoreFailure ?? 'memory' });
      } else this.answerNow(item);
      if (item.checked) item.checked.thumb = null;
    }
    if (begins) {
      // Held reads keep no image: a full disk takes no thumbnail, and 1,000 held face
      // images would be half a gigabyte.
      for (const item of pending) {
        item.read.image = undefined;
        if (item.checked) item.checked.thumb = null;
      }
      // Recorded now if the store still takes a small write (not when it is full), else on recovery.
      if (
        this.#fault.alertDue &&
        this.#d.raise(this.#alert(this.#fault.state === 'full' ? 'storage_full' : 'storage_failed'))
      )
        this.#fault.alerted();
    }
    this.#d.metrics.heldReads.set(held);
  }

  /** Called after every successful commit: ends a failure, raising the alert it could not record. */
  committed(held: number): void {
    if (!this.#fault.active) return;
    const ended = this.#fault.ok(held);
    this.#d.metrics.heldReads.set(0);
    if (ended && !ended.alerted)
      this.#d.raise(this.#alert(ended.state === 'full' ? 'storage_full' : 'storage_failed', ended.since));
  }

  #alert(kind: 'storage_full' | 'storage_failed', ts = this.#d.clock.now()): AlertCandidate {
    return {
      kind,
      subject: 'store:journal',
      householdId: null,
      residentId: null,
      doorId: null,
      readerId: null,
      ts,
    };
  }
}
