import type { Logger } from 'pino';
import type { Config } from './config/schema.js';

/** How much a LogLimiter lets through (config `log.rateLimit`). */
export interface LogLimitOptions {
  /** Lines of one key (a reader and a reason) in a window before the rest are only counted. */
  burst: number;
  /** Lines of all keys together in a window. */
  maxLines: number;
  /** Length of a window, ms: what it held back is summed up in one line when it ends. */
  windowMs: number;
  /** Keys told apart in one window; further keys are counted together under `others`. */
  maxKeys?: number;
}

/** The levels a limited line may have. */
export type LimitedLevel = 'info' | 'warn' | 'error';

/** Keys a summary line names one by one; the rest are summed. */
const SUMMARY_KEYS = 50;

/**
 * Rate-limited logging for lines that input from outside can repeat without end: a
 * refused read, a broker that refuses us, a failed thumbnail (issue 12 item 6: one warning
 * per rejected read wrote 78,860 lines, 13 MB, in 90 s — on an SD card that wears the
 * medium and fills the disk that just filled). The first `burst` lines of each key in a
 * window are written as they come; the rest are counted, and when the window ends one
 * line says how many of each were held back. Counters elsewhere (metrics, devices) keep
 * the exact numbers: this only decides what reaches journald.
 *
 * Bounded by design: at most `maxKeys` keys are remembered per window (hostile input may
 * name endless reader ids), and at most `maxLines + 1` lines are written per window.
 */
export class LogLimiter {
  readonly #log: Logger;
  readonly #o: Required<LogLimitOptions>;
  /** Lines written and held back per key in this window. */
  #keys = new Map<string, { written: number; held: number }>();
  #written = 0;
  #held = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(log: Logger, o: LogLimitOptions) {
    this.#log = log;
    this.#o = { maxKeys: 1000, ...o };
  }

  /**
   * Writes the line unless its key (or the window) has had its share; counts it either
   * way. `key` names what repeats, e.g. `T-B01 bad_field`; it is never personal data.
   */
  write(level: LimitedLevel, key: string, obj: Record<string, unknown>, msg: string): void {
    let k = this.#keys.get(key);
    if (k === undefined) {
      if (this.#keys.size >= this.#o.maxKeys) key = 'others';
      k = this.#keys.get(key) ?? { written: 0, held: 0 };
      this.#keys.set(key, k);
    }
    if (this.#timer === undefined) {
      // The window starts with its first line; a quiet limiter keeps no timer.
      this.#timer = setTimeout(() => this.flush(), this.#o.windowMs);
      this.#timer.unref();
    }
    if (k.written < this.#o.burst && this.#written < this.#o.maxLines) {
      k.written++;
      this.#written++;
      this.#log[level](obj, msg);
      return;
    }
    k.held++;
    this.#held++;
  }

  /** Lines held back in the current window. */
  get held(): number {
    return this.#held;
  }

  /** Ends the window now: one summary line if anything was held back, then a fresh window. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#held > 0) {
      const top = [...this.#keys].filter(([, k]) => k.held > 0).sort((a, b) => b[1].held - a[1].held);
      const counts: Record<string, number> = {};
      let rest = 0;
      for (const [i, [key, k]] of top.entries()) {
        if (i < SUMMARY_KEYS) counts[key] = k.held;
        else rest += k.held;
      }
      if (rest > 0) counts.others = (counts.others ?? 0) + rest;
      this.#log.warn(
        { held: this.#held, counts, windowS: Math.round(this.#o.windowMs / 1000) },
        'repeated log lines held back (the counters keep exact numbers)',
      );
    }
    this.#keys = new Map();
    this.#written = 0;
    this.#held = 0;
  }
}

/** The log limiter settings of the config (log.rateLimit). */
export function logLimits(cfg: Config): LogLimitOptions {
  const r = cfg.log.rateLimit;
  return { burst: r.burst, maxLines: r.maxLines, windowMs: r.windowSeconds * 1000 };
}
