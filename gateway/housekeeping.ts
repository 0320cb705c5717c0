import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { localDate } from '../core/time.js';
import type { AlertCandidate } from './alerts/per-entry.js';
import type { Config } from './config/schema.js';
import type { DeviceRegistry } from './devices.js';
import type { DiskSpace } from './disk-space.js';
import type { CaseBook } from './ledger/case-book.js';
import type { LedgerWorkflow } from './ledger/workflow.js';
import type { Retention, RetentionCounts } from './retention.js';
import type { RosterWatch } from './roster-watch.js';
import { getMeta, setMeta } from './store/db.js';
import type { Store } from './store/store.js';
import type { Upstream } from './upstream/upstream.js';

/** Where alerts that no read caused go (the pipeline). */
export interface Alarms {
  raise(c: AlertCandidate): void;
}

/** What housekeeping is built from (the composition root passes each). */
export interface HousekeepingDeps {
  config: Config;
  store: Store;
  /** The retention of every table of personal data (gateway/retention.ts). */
  retention: Retention;
  clock: Clock;
  log: Logger;
  devices: DeviceRegistry;
  alarms: Alarms;
  roster: RosterWatch;
  cases: CaseBook;
  upstream: Upstream | null;
  /** The disk-space watermark of dataDir (issue 12). */
  disk: DiskSpace;
  /** Uploaded evidence and tipsters' contacts have their own retention (issue 16). */
  workflow: LedgerWorkflow;
}

/** How often readers are checked for outages (and their state written now and then). */
const DEVICE_SWEEP_MS = 5000;
/** How often the store is checked for a roster another process imported. */
const ROSTER_WATCH_MS = 2000;
/** How often housekeeping looks whether today's retention run is done (it runs once a day). */
const RETENTION_CHECK_MS = 3600_000;
/** The local day of the last retention run, kept across restarts. */
const RETENTION_META = 'retention_last_day';
/** How often the disk holding dataDir is measured against its watermark. */
const DISK_CHECK_MS = 30_000;

/**
 * The gateway's periodic work, the last start step: readers down past the grace period
 * raise device_offline; a roster imported by another process is picked up; once a day
 * every table of personal data is cut to its retention (gateway/retention.ts); cases past their
 * rectification deadline become overdue; the disk is measured against its watermark (at
 * start too: a box may boot with a nearly full card). Each run's failure is logged, never thrown into
 * a timer.
 */
export class Housekeeping {
  readonly #d: HousekeepingDeps;
  #timers: NodeJS.Timeout[] = [];

  constructor(deps: HousekeepingDeps) {
    this.#d = deps;
  }

  start(): void {
    const d = this.#d;
    d.roster.mark();
    this.checkDisk();
    this.#every(DISK_CHECK_MS, () => this.checkDisk());
    this.#every(DEVICE_SWEEP_MS, () => this.sweepDevices());
    this.#every(ROSTER_WATCH_MS, () => d.roster.check());
    this.#every(RETENTION_CHECK_MS, async () => {
      await this.dailyRetention();
    });
    this.#every(d.config.ledger.overdueCheckSeconds * 1000, () => {
      d.cases.checkOverdue(d.clock.now());
      d.upstream?.kick();
    });
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  /** Raises device_offline for each reader newly down past the grace period. */
  sweepDevices(): void {
    for (const o of this.#d.devices.sweep()) {
      this.#d.alarms.raise({
        kind: 'device_offline',
        subject: `reader:${o.readerId}`,
        householdId: null,
        residentId: null,
        doorId: o.doorId,
        readerId: o.readerId,
        ts: o.since,
      });
    }
  }

  /** Warns once when the disk crosses its watermark (log, disk_space_low), and when it is clear again. */
  checkDisk(): void {
    const d = this.#d;
    const change = d.disk.check();
    if (change === null) return;
    const s = d.disk.current;
    const info = {
      usedPercent: s?.usedPercent,
      freeMB: s && Math.round(s.freeBytes / 1048576),
      warnPercent: d.disk.warnPercent,
    };
    if (change === 'cleared') {
      d.log.info(info, 'disk space is below its watermark again');
      return;
    }
    d.log.warn(info, 'disk almost full: the journal stops when it is; free space or move dataDir');
    d.alarms.raise({
      kind: 'disk_space_low',
      subject: 'disk:dataDir',
      householdId: null,
      residentId: null,
      doorId: null,
      readerId: null,
      ts: d.clock.now(),
    });
  }

  /**
   * Runs the retention once per local day (issue 9 item 7): the first check of a day
   * runs it, later ones do nothing; the day is stored, so a restart does not run it
   * again. Returns what was deleted, or null when today's run was done already.
   */
  async dailyRetention(): Promise<RetentionCounts | null> {
    const today = localDate(this.#d.clock.now());
    if (getMeta(this.#d.store.db, RETENTION_META) === today) return null;
    const counts = await this.retention();
    setMeta(this.#d.store.db, RETENTION_META, today);
    return counts;
  }

  /**
   * Deletes what is past its retention now. Every run that deleted anything is logged
   * (counts, no personal data) and audited as `retention.run` by `system`: a record of
   * deletion (PIPL Art. 47).
   */
  async retention(): Promise<RetentionCounts> {
    const d = this.#d;
    const now = d.clock.now();
    // Uploaded evidence files and tipsters' contacts (issue 16) have their own periods.
    const workflow = await d.workflow.retention(now);
    const counts = {
      ...(await d.retention.run(now)),
      evidenceFiles: workflow.files,
      tipContacts: workflow.contacts,
    };
    const deleted = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
    if (Object.keys(deleted).length > 0) {
      d.log.info({ deleted }, 'retention applied');
      d.store
        .statement(
          "INSERT INTO audit(ts, actor, role, action, outcome, detail) VALUES (?, 'system', NULL, 'retention.run', 'ok', ?)",
        )
        .run(now, JSON.stringify(deleted));
    }
    return counts;
  }

  #every(ms: number, f: () => void | Promise<void>): void {
    const failed = (err: unknown) => this.#d.log.error({ err }, 'housekeeping failed');
    const t = setInterval(() => {
      try {
        void Promise.resolve(f()).catch(failed);
      } catch (err) {
        failed(err);
      }
    }, ms);
    t.unref();
    this.#timers.push(t);
  }
}
