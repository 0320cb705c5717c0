import type { Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { cloudEvent } from '../../core/cloudevent.js';
import type {
  CredentialRead,
  DoorCommand,
  ReaderStatus,
  ReadSink,
  RejectReason,
} from '../../core/contracts.js';
import { newId } from '../../core/ids.js';
import type { AlertManager, AlertRecord, EvidenceEntry } from '../alerts/alert-manager.js';
import { type AlertCandidate, perEntryAlerts } from '../alerts/per-entry.js';
import type { Config, DoorConfig, ReaderConfig } from '../config/schema.js';
import type { DeviceRegistry } from '../devices.js';
import type { EntryView, LiveBus } from '../live-bus.js';
import type { Metrics } from '../metrics.js';
import type { PassIndex } from '../passes/pass-index.js';
import type { RosterIndex } from '../roster/roster-index.js';
import type { RosterSource } from '../roster/roster-state.js';
import type { Db } from '../store/db.js';
import { CLASS_ACCESS, type Outbox } from '../upstream/outbox.js';
import { type Decision, decide } from './decide.js';
import { type NormalizedRead, normalize } from './normalize.js';
import { PersonCardCheck, type Slot } from './person-card.js';
import { PROMPT_REASONS, REASONS } from './reasons.js';
import { type Resolution, resolve } from './resolve.js';
import { type Thumbnailer, thumbPath } from './thumbnails.js';

/** What a detector sees of each recorded entry, in commit order. */
export interface EntryContext {
  seq: number;
  read: NormalizedRead;
  resolution: Resolution;
  decision: Decision;
  door: DoorConfig;
  thumb: string | null;
}

/**
 * Seam for pattern detectors (issue 4): called inside the commit transaction for every
 * recorded entry, in order; returns alerts to raise. Must be synchronous and fast.
 */
export interface Detector {
  readonly name: string;
  onEntry(e: EntryContext): AlertCandidate[];
  /** Called once at the end of each commit's transaction (detectors persist their state here). */
  endBatch?(now: number): void;
  /** Called when a commit failed and its transaction rolled back (state must be reloaded). */
  rollback?(): void;
}

export interface PipelineDeps {
  db: Db;
  config: Config;
  /** The roster's one owner (issue 8): a reload swaps its index for the pipeline and the detectors alike. */
  roster: RosterSource;
  devices: DeviceRegistry;
  alerts: AlertManager;
  outbox: Outbox;
  thumbnails: Thumbnailer;
  live: LiveBus;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  idHashKey: string;
  /** CloudEvents source of this gateway. */
  source: string;
  /** Sends a door command through the reader's driver. */
  command: (readerId: string, cmd: DoorCommand) => void;
  detectors?: Detector[];
  /** Visitor, courier and staff passes (issue 4): a valid pass makes its holder known. */
  passes?: PassIndex;
  /** Called after each successful commit (wakes the upstream delivery). */
  afterCommit?: () => void;
}

interface Pending {
  key: string;
  /** The read as the driver gave it; checked (n, res, d set) at arrival if live, in its slice if replayed. */
  read: CredentialRead;
  reader: ReaderConfig;
  checked: boolean;
  n: NormalizedRead;
  res: Resolution;
  d: Decision;
  door: DoorConfig;
  image: CredentialRead['image'];
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
  seq: number;
  thumb: string | null;
  duplicate: boolean;
  /** Where its journal entry lands, for the person–card check. */
  slot: Slot;
}

const RESOLVED = Promise.resolve();

/**
 * The pipeline of design.md §4: ingest → resolve → decide → record → act → detect →
 * outbox → live bus. Reads are checked as they arrive and committed in groups: every read
 * that arrived in one turn of the event loop shares one fsynced transaction (group
 * commit), then doors are answered and reads acknowledged. Live reads never queue behind
 * a replayed backlog: each commit takes every live read but only a bounded slice of the
 * backlog, and yields to I/O between slices.
 */
export class Pipeline implements ReadSink {
  readonly #d: PipelineDeps;
  readonly #readers: Map<string, ReaderConfig>;
  readonly #doors: Map<string, DoorConfig>;
  readonly #pending = new Map<string, Pending>();
  #live: Pending[] = [];
  #bulk: Pending[] = [];
  #scheduled = false;
  readonly #exists: Statement;
  readonly #insJournal: Statement;
  readonly #insDecision: Statement;
  readonly #detectors: Detector[];
  readonly #accessMode: 'none' | 'denied' | 'all';
  readonly #personCard: PersonCardCheck;
  #stopping = false;
  #recorded = 0;
  /** When (monotonic ms) the last live read was answered; slices shrink while doors are busy. */
  #lastLiveMs = Number.NEGATIVE_INFINITY;
  /** Smoothed cost of one backlog row in a commit, ms (checks, inserts, its share of fsync). */
  #rowMs = 0;

  constructor(deps: PipelineDeps) {
    this.#d = deps;
    this.#readers = new Map(deps.config.readers.map((r) => [r.id, r]));
    this.#doors = new Map(deps.config.doors.map((d) => [d.id, d]));
    this.#detectors = deps.detectors ?? [];
    this.#personCard = new PersonCardCheck(deps.config.checks.personCardWindowSeconds * 1000);
    this.#accessMode = deps.config.upstream.enabled ? deps.config.upstream.access : 'none';
    this.#exists = deps.db.prepare('SELECT 1 FROM journal WHERE reader_id = ? AND record_id = ?').pluck();
    this.#insJournal = deps.db.prepare(
      `INSERT OR IGNORE INTO journal(reader_id, record_id, door_id, direction, ts, reader_ts, received_at, type,
                                     credential, score, liveness, offline, stale, thumb, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insDecision = deps.db.prepare(
      'INSERT INTO decisions(seq, resident_id, household_id, outcome, answer, policy, reasons) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** The roster index reads are checked against now. */
  get roster(): RosterIndex {
    return this.#d.roster.index;
  }

  /** Reads recorded since start (for the reads/s of the health report). */
  get recorded(): number {
    return this.#recorded;
  }

  /** Reads waiting for their commit. */
  get backlog(): number {
    return this.#live.length + this.#bulk.length;
  }

  submit(read: CredentialRead): Promise<void> {
    const reader = this.#readers.get(read.readerId);
    if (!reader) {
      this.reject(read.readerId, 'unknown_reader', 'reader is not in the config');
      return RESOLVED;
    }
    this.#d.devices.seen(read.readerId, read.receivedAt);
    const key = `${read.readerId}\u0000${read.recordId}`;
    const inFlight = this.#pending.get(key);
    if (inFlight) {
      this.#d.metrics.duplicates.inc();
      return inFlight.promise;
    }
    const item = this.#item(key, read, reader);
    this.#pending.set(key, item);
    if (read.offline) {
      // A replayed backlog is checked slice by slice at commit time, so arriving in a
      // flood it costs a live read at most one slice, not the whole flood.
      this.#bulk.push(item);
    } else if (this.#check(item)) {
      if (item.d.answer) this.#live.push(item);
      else this.#bulk.push(item);
    }
    this.#schedule();
    return item.promise;
  }

  #item(key: string, read: CredentialRead, reader: ReaderConfig): Pending {
    let resolveFn!: () => void;
    let rejectFn!: (err: Error) => void;
    const promise = new Promise<void>((res_, rej) => {
      resolveFn = res_;
      rejectFn = rej;
    });
    return {
      key,
      read,
      reader,
      checked: false,
      n: undefined as unknown as NormalizedRead,
      res: undefined as unknown as Resolution,
      d: undefined as unknown as Decision,
      door: this.#doors.get(reader.door) as DoorConfig,
      image: read.image,
      promise,
      resolve: resolveFn,
      reject: rejectFn,
      seq: 0,
      thumb: null,
      duplicate: false,
      slot: this.#personCard.slot(),
    };
  }

  /**
   * Dedupe, normalize, resolve, decide. Returns false when the read is done already
   * (a duplicate of a recorded read, or rejected): it is then resolved (acknowledged).
   */
  #check(item: Pending): boolean {
    const { read, reader } = item;
    const finish = () => {
      this.#pending.delete(item.key);
      item.resolve();
      return false;
    };
    if (this.#exists.get(read.readerId, read.recordId)) {
      this.#d.metrics.duplicates.inc();
      return finish();
    }
    const offset = this.#d.devices.offset(read.readerId);
    const r = normalize(read, { doorId: reader.door, direction: reader.direction }, offset?.value ?? 0, {
      staleAfterMs: this.#d.config.checks.staleAfterMs,
      maxFutureMs: this.#d.config.checks.maxFutureMs,
      idHashKey: this.#d.idHashKey,
    });
    if (!r.ok) {
      this.reject(read.readerId, r.reason, r.detail);
      return finish();
    }
    const n = r.read;
    if (!n.offline) offset?.fromRead(n.receivedAt, n.readerTs, n.stale);
    item.n = n;
    item.res = resolve(n, this.#d.roster.index, this.#d.passes);
    const corr = this.#personCard.correlate(n, item.res, item.slot);
    item.d = decide(n, item.res, item.door, this.#d.config.checks, corr);
    this.#personCard.remember(n, item.res, item.d.reasons, corr, item.slot);
    item.thumb = read.image
      ? thumbPath(n.readerId, n.recordId, n.ts, this.#d.config.thumbnails.format)
      : null;
    item.checked = true;
    return true;
  }

  reject(readerId: string, reason: RejectReason, detail: string): void {
    this.#d.metrics.rejects.inc({ reason });
    this.#d.devices.count(readerId, `rejected_${reason}`);
    this.#d.log.warn({ reader: readerId, reason, detail }, 'read rejected');
  }

  status(readerId: string, s: ReaderStatus): void {
    if (!this.#d.devices.has(readerId)) {
      this.reject(readerId, 'unknown_reader', 'status from a reader that is not in the config');
      return;
    }
    this.#d.devices.status(readerId, s, this.#d.clock.now());
    this.#d.metrics.readersOnline.set(this.#d.devices.onlineCount);
  }

  /** Raises an alert that no read caused (device_offline…), in its own transaction. */
  raise(c: AlertCandidate): AlertRecord | null {
    try {
      const { alert, isNew } = this.#d.db.transaction(() =>
        this.#d.alerts.raise(c, null, this.#d.clock.now()),
      )();
      if (isNew) this.#d.metrics.alerts.inc({ kind: c.kind });
      this.#d.live.emit('alert', alert, isNew);
      return alert;
    } catch (err) {
      this.#d.alerts.resetCache();
      this.#d.log.error({ err, kind: c.kind }, 'could not record alert');
      return null;
    }
  }

  /** Commits what is queued and waits until nothing is left (shutdown). */
  async drain(): Promise<void> {
    this.#stopping = true;
    while (this.#live.length + this.#bulk.length > 0) {
      this.#flush();
      await new Promise((r) => setImmediate(r));
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    // Live reads are committed and answered first, on their own: a door waits for its
    // own commit, never for a slice of backlog. Then one slice of the backlog, so that
    // it keeps moving however busy the doors are.
    const live = this.#live;
    this.#live = [];
    if (live.length > 0) {
      this.#lastLiveMs = performance.now();
      this.#commit(live);
    }
    if (this.#bulk.length > 0) {
      const slice: Pending[] = [];
      const n = Math.min(this.#bulk.length, this.#sliceRows());
      const t0 = performance.now();
      for (const item of this.#bulk.splice(0, n)) if (item.checked || this.#check(item)) slice.push(item);
      if (slice.length > 0) this.#commit(slice);
      const ms = performance.now() - t0;
      this.#rowMs = this.#rowMs === 0 ? ms / n : 0.8 * this.#rowMs + (0.2 * ms) / n;
    }
    if (this.#bulk.length > 0 || this.#live.length > 0) this.#schedule();
  };

  /**
   * How many backlog rows the next slice takes. With no door answered for a second (a
   * replay at night, `estate-gateway replay`) the whole batchMaxRows; while doors are
   * answering, as many as fit in store.replaySliceMs, because a live read that arrives
   * during a slice waits for it. Measured (npm run bench, 100,000 records replayed at
   * ~23,000/s): 256-row slices, live p50/p99 8.6/41–53 ms; ~2 ms slices, 5/32–36 ms at
   * 8 % less replay speed (the rest of the p99 is not spent in the gateway).
   */
  #sliceRows(): number {
    const { batchMaxRows, replaySliceMs } = this.#d.config.store;
    if (performance.now() - this.#lastLiveMs > 1000 || this.#rowMs === 0) return batchMaxRows;
    return Math.max(8, Math.min(batchMaxRows, Math.floor(replaySliceMs / this.#rowMs)));
  }

  /** One transaction for the batch, then doors, acknowledgements, live view. */
  #commit(batch: Pending[]): void {
    const { db, metrics, clock } = this.#d;
    const now = clock.now();
    const alerts: Array<[AlertRecord, boolean]> = [];
    const t0 = process.hrtime.bigint();
    try {
      db.transaction(() => {
        for (const item of batch) this.#record(item, now, alerts);
        for (const det of this.#detectors) det.endBatch?.(now);
      })();
    } catch (err) {
      this.#failed(batch, err as Error);
      return;
    }
    metrics.commitSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    metrics.batchRows.observe(batch.length);
    for (const item of batch) {
      this.#pending.delete(item.key);
      if (item.duplicate) {
        metrics.duplicates.inc();
        item.resolve();
        continue;
      }
      if (item.d.answer) this.#act(item);
      item.resolve();
      this.#recorded++;
      metrics.reads.inc({
        outcome: item.d.outcome,
        type: item.n.type,
        mode: item.n.offline ? 'offline' : item.n.stale ? 'stale' : 'live',
      });
      if (item.image && item.thumb && !this.#stopping)
        this.#d.thumbnails.enqueue(item.thumb, item.image.data);
      if (this.#d.live.listenerCount('entry') > 0) this.#d.live.emit('entry', this.#view(item));
    }
    for (const [a, isNew] of alerts) {
      if (a.id === '') continue; // an update of a situation whose case is closed
      if (isNew) metrics.alerts.inc({ kind: a.kind });
      this.#d.live.emit('alert', a, isNew);
    }
    this.#d.afterCommit?.();
  }

  /** Writes one read's journal row, decision, alerts and outbox events. Inside the transaction. */
  #record(item: Pending, now: number, alerts: Array<[AlertRecord, boolean]>): void {
    const { n, res, d } = item;
    const extra =
      n.idMasked || n.strangerId
        ? JSON.stringify({ idMasked: n.idMasked ?? undefined, strangerId: n.strangerId ?? undefined })
        : null;
    const info = this.#insJournal.run(
      n.readerId,
      n.recordId,
      n.doorId,
      n.direction,
      n.ts,
      n.readerTs,
      n.receivedAt,
      n.type,
      n.key,
      n.score,
      n.liveness === null ? null : n.liveness ? 1 : 0,
      n.offline ? 1 : 0,
      n.stale ? 1 : 0,
      item.thumb,
      extra,
    );
    if (info.changes === 0) {
      item.duplicate = true;
      return;
    }
    const seq = Number(info.lastInsertRowid);
    item.seq = seq;
    this.#insDecision.run(
      seq,
      res.resident?.id ?? null,
      res.household?.id ?? null,
      d.outcome,
      d.answer,
      d.policy,
      d.reasons.join(' '),
    );
    const evidence: EvidenceEntry = {
      seq,
      readerId: n.readerId,
      recordId: n.recordId,
      ts: n.ts,
      type: n.type,
      score: n.score,
      thumb: item.thumb,
      reasons: d.reasons,
    };
    for (const c of perEntryAlerts(n, res, d)) alerts.push(this.#raise(c, evidence, now));
    for (const paired of this.#personCard.recorded(item.slot, evidence))
      alerts.push(this.#raise(paired.candidate, paired.entries, now));
    if (this.#detectors.length > 0) {
      const ctx: EntryContext = {
        seq,
        read: n,
        resolution: res,
        decision: d,
        door: item.door,
        thumb: item.thumb,
      };
      for (const det of this.#detectors)
        for (const c of det.onEntry(ctx)) alerts.push(this.#raise(c, evidence, now));
    }
    if (this.#accessMode === 'all' || (this.#accessMode === 'denied' && d.outcome === 'denied')) {
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

  #raise(c: AlertCandidate, e: EvidenceEntry | EvidenceEntry[], now: number): [AlertRecord, boolean] {
    const { alert, isNew } = this.#d.alerts.raise(c, e, now);
    return [alert, isNew];
  }

  /**
   * Answers the reader (terminals show the message), and on unlock pulses the door's own
   * lock when it has one: a door whose readers have no relay (serial readers) opens too.
   */
  #act(item: Pending): void {
    const { n, d, door } = item;
    const unlock = d.answer === 'unlock';
    const prompt = PROMPT_REASONS.find((r) => d.reasons.includes(r));
    this.#d.command(n.readerId, {
      id: `c-${n.recordId}`,
      event: n.recordId,
      action: unlock ? 'unlock' : 'deny',
      durationMs: unlock ? door.unlockMs : undefined,
      message: unlock ? door.welcome : prompt ? REASONS[prompt] : door.denyMessage,
    });
    if (unlock && door.lock && door.lock !== n.readerId)
      this.#d.command(door.lock, {
        id: `c-${n.recordId}-lock`,
        event: n.recordId,
        action: 'unlock',
        durationMs: door.unlockMs,
      });
    this.#d.metrics.commands.inc({ action: d.answer as string });
    this.#d.metrics.answerSeconds.observe((this.#d.clock.now() - n.receivedAt) / 1000);
  }

  /**
   * A commit failed (disk full, I/O error). Nothing is acknowledged, so brokers and
   * readers will deliver again. Doors are still answered: a resident must not stand in
   * the rain because the SD card failed.
   */
  #failed(batch: Pending[], err: Error): void {
    this.#d.metrics.storeErrors.inc();
    this.#d.log.error({ err, rows: batch.length }, 'journal commit failed; reads not acknowledged');
    this.#d.alerts.resetCache();
    this.#d.outbox.resync();
    for (const det of this.#detectors) det.rollback?.();
    for (const item of batch) {
      this.#pending.delete(item.key);
      this.#personCard.rolledBack(item.slot);
      if (item.d.answer) this.#act(item);
      item.reject(err);
    }
  }

  #view(item: Pending): EntryView {
    const { n, d, res } = item;
    return {
      seq: item.seq,
      ts: n.ts,
      readerId: n.readerId,
      doorId: n.doorId,
      direction: n.direction,
      type: n.type,
      outcome: d.outcome,
      answer: d.answer,
      reasons: d.reasons,
      residentId: res.resident?.id ?? null,
      householdId: res.household?.id ?? null,
      thumb: item.thumb,
      offline: n.offline,
      stale: n.stale,
    };
  }
}
