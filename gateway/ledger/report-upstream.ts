import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { cloudEvent } from '../../core/cloudevent.js';
import { LOCAL_OFFSET_MS } from '../../core/time.js';
import { hasEntryBefore } from '../pipeline/journal.js';
import { getMeta, setMeta } from '../store/db.js';
import type { Store } from '../store/store.js';
import { CLASS_ALERT, type Outbox } from '../upstream/outbox.js';
import { monthlyReport, monthRange, reportCsv } from './report.js';

/** What the sender is built from. */
export interface MonthlySenderDeps {
  store: Store;
  outbox: Outbox;
  /** CloudEvents source of this gateway. */
  source: string;
  estate: { id: string; name: string };
  clock: Clock;
  log: Logger;
  /** Something was added to the outbox: deliver soon. */
  kick: () => void;
}

/** How often the sender looks whether a month has ended. */
const CHECK_MS = 3600_000;
const SENT_KEY = 'report_monthly_sent';
/**
 * Months a box that was off over several month-ends catches up at most: older journal
 * rows are past retention anyway, and the district asks for those months by hand.
 */
const MAX_CATCH_UP = 24;

/** The month (YYYY-MM) after `month`. */
export function nextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * The months to send, oldest first: every month after `sent` up to `last` (a box that was
 * off over several month-ends owes each of them), at most MAX_CATCH_UP of the latest.
 */
export function monthsOwed(sent: string, last: string): string[] {
  const owed: string[] = [];
  for (let m = nextMonth(sent); m <= last; m = nextMonth(m)) owed.push(m);
  return owed.slice(-MAX_CATCH_UP);
}

/** The month (YYYY-MM, Shanghai) before the one `now` falls in. */
export function previousMonth(now: number): string {
  const d = new Date(now + LOCAL_OFFSET_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth(); // 0-based: the previous month's number, 1-based
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

/**
 * Sends the monthly report (月报) upstream once each month has ended (issue 14): one
 * `estate.report.monthly` CloudEvent with the report as JSON and as CSV, into the outbox in
 * one transaction with the note that it was sent, so a restart neither loses nor repeats
 * it (its id is stable: the upstream deduplicates a retry). The report covers the ledger as
 * it stood when the month closed; the dashboard and the API serve later corrections. The
 * first month sent is one the box ran in (it has reads from then), never a month before
 * its installation. A box that was off over several month-ends sends every month it owes,
 * oldest first, each marked `late` (made after later corrections could reach it).
 */
export class MonthlyReportSender {
  readonly #d: MonthlySenderDeps;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: MonthlySenderDeps) {
    this.#d = deps;
  }

  start(): void {
    this.#safeCheck();
    this.#timer = setInterval(() => this.#safeCheck(), CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * Queues the report of each month that ended and was not queued before, oldest first;
   * returns those months (none: nothing was owed).
   */
  check(now = this.#d.clock.now()): string[] {
    const last = previousMonth(now);
    const db = this.#d.store.db;
    const sent = getMeta(db, SENT_KEY);
    if (sent !== undefined && sent >= last) return [];
    if (sent === undefined && !this.#ranBefore(monthRange(last)[1])) {
      // A box installed this month has no month behind it: an empty report upstream would
      // read as an estate where nobody came in. Its first report is this month's.
      setMeta(db, SENT_KEY, last);
      this.#d.log.info({ month: last }, 'monthly reports start after this month: no reads before it');
      return [];
    }
    // A box whose sender never ran (an upgrade) starts with the month that ended.
    const months = sent === undefined ? [last] : monthsOwed(sent, last);
    if (sent !== undefined && months[0] !== nextMonth(sent))
      this.#d.log.warn(
        { from: nextMonth(sent), to: months[0] },
        'monthly reports too old to catch up skipped',
      );
    db.transaction(() => {
      for (const month of months) {
        const report = monthlyReport(db, month, this.#d.estate);
        this.#d.outbox.add(
          cloudEvent(this.#d.source, {
            id: `report-monthly-${this.#d.estate.id}-${month}`,
            type: 'estate.report.monthly',
            time: monthRange(month)[1],
            data: { month, late: month !== last, report, csv: reportCsv(report) },
          }),
          CLASS_ALERT,
          'reports',
          now,
        );
      }
      setMeta(db, SENT_KEY, last);
    })();
    this.#d.log.info({ months }, 'monthly reports queued for upstream');
    this.#d.kick();
    return months;
  }

  /** Whether the journal holds a read from before `end`: the box ran in the month that ended. */
  #ranBefore(end: number): boolean {
    return hasEntryBefore(this.#d.store.db, end);
  }

  #safeCheck(): void {
    try {
      this.check();
    } catch (err) {
      this.#d.outbox.resync();
      this.#d.log.error({ err }, 'monthly report could not be queued; retried within the hour');
    }
  }
}
