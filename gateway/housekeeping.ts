import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { AlertCandidate } from './alerts/per-entry.js';
import type { CameraCaptures } from './cameras/captures.js';
import type { Config } from './config/schema.js';
import type { DeviceRegistry } from './devices.js';
import type { CaseBook } from './ledger/case-book.js';
import type { LedgerWorkflow } from './ledger/workflow.js';
import type { PassService } from './passes/pass-service.js';
import type { Journal } from './pipeline/journal.js';
import type { Thumbnailer } from './pipeline/thumbnails.js';
import type { RosterWatch } from './roster-watch.js';
import type { Upstream } from './upstream/upstream.js';

/** Where alerts that no read caused go (the pipeline). */
export interface Alarms {
  raise(c: AlertCandidate): void;
}

/** What housekeeping is built from (the composition root passes each). */
export interface HousekeepingDeps {
  config: Config;
  /** The journal: its retention is its own (issue 8: the journal's SQL in one module). */
  journal: Journal;
  clock: Clock;
  log: Logger;
  devices: DeviceRegistry;
  alarms: Alarms;
  roster: RosterWatch;
  cases: CaseBook;
  upstream: Upstream | null;
  thumbnails: Thumbnailer;
  passes: PassService;
  /** Camera captures (issue 13): their rows and embeddings go with the thumbnails. */
  captures?: CameraCaptures;
  /** Uploaded evidence and tipsters' contacts have their own retention (issue 16). */
  workflow: LedgerWorkflow;
}

/** How often readers are checked for outages (and their state written now and then). */
const DEVICE_SWEEP_MS = 5000;
/** How often the store is checked for a roster another process imported. */
const ROSTER_WATCH_MS = 2000;
/** How often old entries, thumbnails and pass faces are removed. */
const RETENTION_MS = 3600_000;

/**
 * The gateway's periodic work, the last start step: readers down past the grace period
 * raise device_offline; a roster imported by another process is picked up; the journal,
 * thumbnails and ended passes' faces are removed after their retention; cases past their
 * rectification deadline become overdue. Each run's failure is logged, never thrown into
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
    this.#every(DEVICE_SWEEP_MS, () => this.sweepDevices());
    this.#every(ROSTER_WATCH_MS, () => d.roster.check());
    this.#every(RETENTION_MS, () => this.retention());
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

  /** Removes what is past its retention: journal entries, thumbnails, faces of ended passes. */
  async retention(): Promise<void> {
    const d = this.#d;
    const cfg = d.config.retention;
    const now = d.clock.now();
    const entries = await d.journal.purgeBefore(now - cfg.journalDays * 86_400_000);
    const thumbs = await d.thumbnails.sweep(cfg.thumbnailDays, now);
    d.captures?.sweep(cfg.thumbnailDays, now);
    d.passes.forgetFaces(now);
    await d.workflow.retention(now);
    if (entries > 0 || thumbs > 0) d.log.info({ entries, thumbnailDays: thumbs }, 'retention applied');
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
