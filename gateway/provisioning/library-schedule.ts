import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { DAY_MS, dayOf, LOCAL_OFFSET_MS } from '../../core/time.js';
import type { Store } from '../store/store.js';
import type { SyncTrigger } from './sync-result.js';

/** What the schedule drives: the reader libraries' sync. */
export interface Triggerable {
  triggerAll(why: SyncTrigger): Promise<void>;
}

/** What the schedule is built from (createLibrarySync passes each). */
export interface LibraryScheduleDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Local time HH:MM (Asia/Shanghai) of the daily reconcile. */
  reconcileAt: string;
  /** How often boundaries are looked for; default 15 s (a pass leaves the terminals within it). */
  tickMs?: number;
}

/** A pass with a photo begins, ends or is revoked within (last, now]. */
const PASS_BOUNDARY = `SELECT 1 FROM passes s JOIN pass_photos p ON p.pass_id = s.id
  WHERE (s.valid_from > @last AND s.valid_from <= @now) OR (s.valid_to > @last AND s.valid_to <= @now)
     OR (s.revoked_at > @last AND s.revoked_at <= @now) LIMIT 1`;

/**
 * The clock side of the face libraries (issue 11): a visitor's pass is removed from the
 * terminals when it ends (within a tick), residents whose validity or lease ended at
 * midnight leave them then, and once a day every library is reconciled with the roster
 * (what a terminal lost or gained by hand is put right). Failures are logged, never
 * thrown into a timer.
 */
export class LibrarySchedule {
  readonly #d: LibraryScheduleDeps;
  readonly #at: number;
  #sync: Triggerable | null = null;
  #timer: NodeJS.Timeout | undefined;
  #last = 0;

  constructor(deps: LibraryScheduleDeps) {
    this.#d = deps;
    const m = /^(\d{2}):(\d{2})$/.exec(deps.reconcileAt);
    this.#at = m ? (Number(m[1]) * 60 + Number(m[2])) * 60_000 : 3.5 * 3600_000;
  }

  /** Starts ticking for `sync`. */
  start(sync: Triggerable): void {
    this.#sync = sync;
    this.#last = this.#d.clock.now();
    this.#timer = setInterval(() => this.tick(), this.#d.tickMs ?? 15_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sync = null;
  }

  /** Looks for what happened since the last tick and triggers the sync for it (tests call it). */
  tick(): void {
    const sync = this.#sync;
    if (!sync) return;
    const now = this.#d.clock.now();
    const last = this.#last;
    this.#last = now;
    try {
      const reconcile = this.#reconcileDue(last, now);
      if (reconcile) void sync.triggerAll('daily');
      else if (dayOf(last) !== dayOf(now) || this.#d.store.statement(PASS_BOUNDARY).get({ last, now })) {
        void sync.triggerAll('expiry');
      }
    } catch (err) {
      this.#d.log.error({ err }, 'library schedule failed');
    }
  }

  #reconcileDue(last: number, now: number): boolean {
    // Today's reconcile instant (local), and yesterday's: a tick may straddle midnight.
    for (const day of [dayOf(now), dayOf(now) - 1]) {
      const at = day * DAY_MS - LOCAL_OFFSET_MS + this.#at;
      if (at > last && at <= now) return true;
    }
    return false;
  }
}
