/**
 * Whether the journal can commit, as one clear state (issue 12 item 1): `ok`, `full`
 * (SQLITE_FULL: the disk or the database's page limit) or `failed` (any other error of
 * the commit: I/O, read-only file system, corruption, a bug). A failure is logged once
 * when it begins, summed up once a minute while it lasts, and once more when the first
 * commit after it succeeds — instead of an error line per failed commit (11,400 a minute
 * in the probe). Reads refused meanwhile wait on `recovered` to be asked for again.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Metrics } from '../metrics.js';

/** The journal's state. */
export type StoreState = 'ok' | 'full' | 'failed';

/** What health shows of a failure; null fields while the journal is ok. */
export interface JournalFaultView {
  state: StoreState;
  /** When the failure began (epoch ms). */
  since: number | null;
  /** SQLite's code of the last failed commit (SQLITE_FULL, SQLITE_IOERR_WRITE…). */
  error: string | null;
  /** Commits that failed since it began. */
  failedCommits: number;
  /** Reads answered by the door's policy without a commit since it began. */
  answered: number;
  /** Reads refused (not held: memory full) since it began; the broker delivers them again. */
  refused: number;
}

/** A failure that begins this soon after the last one ended is the same trouble: no new alert. */
const REALERT_MS = 600_000;

/** A failure that ended: when it began and what it was (the alert raised for it). */
export interface EndedFault {
  state: Exclude<StoreState, 'ok'>;
  since: number;
  error: string | null;
  /** Whether an alert was recorded while it lasted. */
  alerted: boolean;
}

/** How often a lasting failure is summed up in the log. */
const SUMMARY_MS = 60_000;

/** The state of one pipeline's journal commits. */
export class JournalFault {
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #clock: Clock;
  #state: StoreState = 'ok';
  #since: number | null = null;
  /** When the last failure ended (ms), for REALERT_MS. */
  #endedAt: number | null = null;
  #error: string | null = null;
  #failed = 0;
  #lastSummary = 0;
  #alerted = false;
  /** Counted by the pipeline while a failure lasts. */
  answered = 0;
  refused = 0;
  #recovered: { promise: Promise<void>; resolve: () => void } | null = null;

  constructor(log: Logger, metrics: Metrics, clock: Clock) {
    this.#log = log;
    this.#metrics = metrics;
    this.#clock = clock;
  }

  /** True while commits fail. */
  get active(): boolean {
    return this.#state !== 'ok';
  }

  get state(): StoreState {
    return this.#state;
  }

  /** Settles when a commit succeeds again (never rejects). */
  get recovered(): Promise<void> {
    if (!this.#recovered) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.#recovered = { promise, resolve };
    }
    return this.#recovered.promise;
  }

  /** Whether this failure still needs its alert (none within REALERT_MS of the last one). */
  get alertDue(): boolean {
    return !this.#alerted;
  }

  /** The alert for this failure was recorded (it could be: the failure was not a full disk). */
  alerted(): void {
    this.#alerted = true;
  }

  /**
   * A commit of `rows` reads failed; `held` reads wait in memory. Returns true when this
   * begins a failure (the caller raises the alert), false while one lasts.
   */
  failed(err: unknown, rows: number, held: number): boolean {
    const now = this.#clock.now();
    const code = errorCode(err);
    this.#failed++;
    this.#error = code;
    if (this.#state === 'ok') {
      this.#state = code === 'SQLITE_FULL' ? 'full' : 'failed';
      this.#since = now;
      this.#lastSummary = now;
      // A disk at the brink fails, takes a commit, fails again: one alert, not one a flap.
      if (this.#endedAt !== null && now - this.#endedAt < REALERT_MS) this.#alerted = true;
      this.#metrics.storeState.set(this.#state === 'full' ? 1 : 2);
      this.#log.error(
        { err, code, rows, state: this.#state },
        'journal cannot commit: doors are answered by their onStoreFailure policy, reads held until it can (not acknowledged)',
      );
      return true;
    }
    if (now - this.#lastSummary >= SUMMARY_MS) {
      this.#lastSummary = now;
      this.#log.warn(
        { ...this.view(), held, forS: Math.round((now - (this.#since ?? now)) / 1000) },
        'journal still cannot commit',
      );
    }
    return false;
  }

  /** A commit succeeded. Returns the failure it ended, if one was going on. */
  ok(held: number): EndedFault | null {
    if (this.#state === 'ok') return null;
    const ended: EndedFault = {
      state: this.#state,
      since: this.#since ?? this.#clock.now(),
      error: this.#error,
      alerted: this.#alerted,
    };
    this.#log.info(
      { ...this.view(), held, forS: Math.round((this.#clock.now() - ended.since) / 1000) },
      'journal commits again: held reads are being journaled and acknowledged',
    );
    this.#state = 'ok';
    this.#endedAt = this.#clock.now();
    this.#since = null;
    this.#error = null;
    this.#failed = 0;
    this.#alerted = false;
    this.answered = 0;
    this.refused = 0;
    this.#metrics.storeState.set(0);
    this.#recovered?.resolve();
    this.#recovered = null;
    return ended;
  }

  /** The state for health. */
  view(): JournalFaultView {
    return {
      state: this.#state,
      since: this.#since,
      error: this.#error,
      failedCommits: this.#failed,
      answered: this.answered,
      refused: this.refused,
    };
  }
}

/** SQLite's extended code of a failed statement (better-sqlite3 SqliteError.code), else the error's name. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.name : 'Error';
}
