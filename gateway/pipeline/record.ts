/**
 * The record stage: one synchronous better-sqlite3 transaction per batch writes every
 * read's journal row and decision, the alerts it raises (per entry, person–card, pattern
 * detectors) and the outbox events — so a read is either wholly on disk or not at all
 * (style.md: transactions must not span event-loop ticks). Doors and acknowledgements
 * follow the commit; they are the pipeline's, not this stage's.
 */

import type { Logger } from 'pino';
import { cloudEvent } from '../../core/cloudevent.js';
import { newId } from '../../core/ids.js';
import type { AlertManager, AlertRecord, EvidenceEntry } from '../alerts/alert-manager.js';
import { type AlertCandidate, perEntryAlerts } from '../alerts/per-entry.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { CLASS_ACCESS, type Outbox } from '../upstream/outbox.js';
import type { Checked } from './check.js';
import type { Detector } from './detector.js';
import type { PersonCardCheck } from './person-card.js';

const NO_STAGE = (): Checked | null => null;

/** An alert a commit raised (true) or updated (false), for the live view after the commit. */
export type Raised = [AlertRecord, boolean];

/** What the record stage is built from. */
export interface RecordDeps {
  store: Store;
  alerts: AlertManager;
  outbox: Outbox;
  personCard: PersonCardCheck;
  detectors: readonly Detector[];
  /** Which access records go upstream: config upstream.access, or 'none' when upstream is off. */
  access: 'none' | 'denied' | 'all';
  /** CloudEvents source of this gateway. */
  source: string;
  metrics: Metrics;
  log: Logger;
}

/** The record stage of one pipeline. */
export class Recorder {
  readonly #d: RecordDeps;
  #transaction: ((batch: readonly unknown[], now: number, raised: Raised[]) => void) | null = null;
  /** The running commit's stage (one transaction function serves every commit). */
  #stage: (item: unknown) => Checked | null = NO_STAGE;
  /** The running commit's recorded reads, for the rollback. */
  readonly #staged: Checked[] = [];
  #recorded = 0;

  constructor(deps: RecordDeps) {
    this.#d = deps;
  }

  /** Reads recorded since start. */
  get recorded(): number {
    return this.#recorded;
  }

  /**
   * Records a batch in one transaction and returns the alerts it raised. `stage` writes
   * one item's journal row and decision (checking it there if it must: the pipeline's
   * dedupe is the journal's insert) and returns the checked read, or null when the item
   * has no new row (the journal had it, or it is not to be recorded in this commit);
   * its alerts, detectors and outbox follow at once, item by item. On failure (disk full,
   * I/O error) the transaction has rolled back: the stages' memory is put back to what
   * the database holds, and the error is thrown on, so that nothing is acknowledged.
   */
  commit<T>(batch: readonly T[], now: number, stage: (item: T) => Checked | null): Raised[] {
    const { metrics } = this.#d;
    const raised: Raised[] = [];
    const before = this.#recorded;
    const t0 = process.hrtime.bigint();
    const recorded = this.#staged;
    recorded.length = 0;
    this.#transaction ??= this.#d.store.db.transaction((b: readonly unknown[], t: number, out: Raised[]) => {
      const s = this.#stage as (item: unknown) => Checked | null;
      for (const item of b) {
        const c = s(item);
        if (c === null) continue;
        recorded.push(c);
        this.#record(c, t, out);
      }
      for (const det of this.#d.detectors) det.endBatch?.(t);
      this.#d.alerts.flush();
    });
    this.#stage = stage as (item: unknown) => Checked | null;
    let rows = 0;
    try {
      this.#transaction(batch, now, raised);
      rows = recorded.length;
    } catch (err) {
      this.#recorded = before;
      // Counted here, logged by the pipeline's JournalFault: once per failure, not per commit.
      metrics.storeErrors.inc();
      this.#d.alerts.resetCache();
      this.#d.outbox.resync();
      for (const det of this.#d.detectors) det.rollback?.();
      for (const c of recorded) this.#d.personCard.rolledBack(c.presentation);
      throw err;
    } finally {
      this.#stage = NO_STAGE;
      recorded.length = 0;
    }
    // A commit that wrote no row (every read a duplicate) is not counted as one, as when a
    // lookup before the commit turned those reads away.
    if (rows > 0) {
      metrics.commitSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      metrics.batchRows.observe(rows);
    }
    return raised;
  }

  /**
   * Raises an alert that no read caused (device_offline…), in its own transaction; null
   * (logged) when it could not be stored.
   */
  raise(c: AlertCandidate, now: number): Raised | null {
    try {
      const { alert, isNew } = this.#d.store.db.transaction(() => {
        const r = this.#d.alerts.raise(c, null, now);
        this.#d.alerts.flush();
        return r;
      })();
      return [alert, isNew];
    } catch (err) {
      this.#d.alerts.resetCache();
      this.#d.log.error({ err, kind: c.kind }, 'could not record alert');
      return null;
    }
  }

  /** One recorded read's alerts and outbox events (its rows are written). Inside the transaction. */
  #record(c: Checked, now: number, raised: Raised[]): void {
    const seq = c.seq;
    this.#recorded++;
    const { read: n, resolution: res, decision: d } = c;
    const { alerts, access } = this.#d;
    const evidence: EvidenceEntry = {
      seq,
      readerId: n.readerId,
      recordId: n.recordId,
      ts: n.ts,
      type: n.type,
      score: n.score,
      thumb: c.thumb,
      reasons: d.reasons,
    };
    for (const a of perEntryAlerts(n, res, d)) raised.push(raise(alerts, a, evidence, now));
    for (const paired of this.#d.personCard.recorded(c.presentation, evidence))
      raised.push(raise(alerts, paired.candidate, paired.entries, now));
    // The checked read is the detectors' entry context: no copy per read.
    for (const det of this.#d.detectors)
      for (const a of det.onEntry(c)) raised.push(raise(alerts, a, evidence, now));
    if (access === 'all' || (access === 'denied' && d.outcome === 'denied'))
      this.#d.outbox.add(
        cloudEvent(this.#d.source, {
          id: newId('ac', now),
          type: `estate.access.${d.outcome}`,
          time: n.ts,
          subject: res.household?.id ?? null,
          data: {
            seq,
            readerId: n.readerId,
            recordId: n.recordId,
            doorId: n.doorId,
            direction: n.direction,
            credentialType: n.type,
            outcome: d.outcome,
            reasons: d.reasons,
            residentId: res.resident?.id ?? null,
            householdId: res.household?.id ?? null,
            offline: n.offline,
          },
        }),
        CLASS_ACCESS,
        'access',
        now,
      );
  }
}

function raise(
  alerts: AlertManager,
  c: AlertCandidate,
  e: EvidenceEntry | EvidenceEntry[],
  now: number,
): Raised {
  const { alert, isNew } = alerts.raise(c, e, now);
  return [alert, isNew];
}
