/**
 * The batcher: group commit and replay slices. Every read that arrived in one turn of the
 * event loop shares one fsynced transaction (group commit). Live reads never queue behind
 * a replayed backlog: each turn commits every live read on its own, then one bounded slice
 * of the backlog, and yields to I/O between slices.
 *
 * The live commit and the slice are two callbacks of the same check phase, so the promise
 * callbacks of the live commit (the door commands and PUBACKs leave there: session.ts
 * uncorks in a microtask) run between them: a door is answered before the slice starts,
 * not after the slice's fsync and the next turn's I/O (issue 15, live p99 under replay).
 *
 * When a commit fails (disk full, I/O error) its batch is held, the batcher is blocked
 * and tries again after a delay that doubles up to RETRY_MAX_MS: no commit per arriving
 * read, no error per read, and space that returns is noticed within seconds (issue 12).
 */

/** First wait before a failed commit is tried again, ms. */
const RETRY_MIN_MS = 250;
/** Longest wait between tries while the journal cannot commit, ms. */
const RETRY_MAX_MS = 5000;

/** What the batcher drives. */
export interface BatchHooks<T> {
  /**
   * Makes a backlog item ready to commit just before its slice (replays are checked there,
   * so a flood of them costs a live read at most one slice). False: it is done already.
   */
  ready(item: T): boolean;
  /**
   * Commits a batch (one transaction) and answers it. False: nothing was committed; the
   * batcher holds the batch and tries it again later — what is left in it: the hook may
   * take items out of `batch` in place (done already, or queued again). Must not throw.
   */
  commit(batch: T[]): boolean;
}

/** The store settings of design.md §4's group commit. */
export interface BatchOptions {
  /** Rows a commit takes at most. */
  batchMaxRows: number;
  /** While doors are answering, a backlog slice takes about this long (ms). */
  replaySliceMs: number;
}

/** One pipeline's queues of reads waiting for their commit. */
export class Batcher<T> {
  readonly #hooks: BatchHooks<T>;
  readonly #opts: BatchOptions;
  #live: T[] = [];
  #backlog: T[] = [];
  /** Batches whose commit failed, in the order they failed; committed first once it works. */
  #held: T[] = [];
  #scheduled = false;
  /** A commit failed: nothing is tried until #retry fires. */
  #blocked = false;
  #retryMs = RETRY_MIN_MS;
  #retry: NodeJS.Timeout | undefined;
  /** When (monotonic ms) the last live read was committed; slices shrink while doors are busy. */
  #lastLiveMs = Number.NEGATIVE_INFINITY;
  /** Smoothed cost of one backlog row in a commit, ms (checks, inserts, its share of fsync). */
  #rowMs = 0;

  constructor(opts: BatchOptions, hooks: BatchHooks<T>) {
    this.#opts = opts;
    this.#hooks = hooks;
  }

  /** Items waiting for their commit. */
  get size(): number {
    return this.#live.length + this.#backlog.length + this.#held.length;
  }

  /** A commit failed and has not succeeded since: the journal cannot take reads. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Queues a read a door is waiting for: committed in the next turn, before any backlog. */
  live(item: T): void {
    this.#live.push(item);
    this.#schedule();
  }

  /** Queues a read nobody waits for (a replay, a stale read): committed slice by slice. */
  backlog(item: T): void {
    this.#backlog.push(item);
    this.#schedule();
  }

  /**
   * Commits what is queued and waits until nothing is left (shutdown). If the journal
   * still cannot commit, gives up after one more try and returns what is left, for the
   * caller to refuse: it was never acknowledged, so the sender delivers it again.
   */
  async drain(): Promise<T[]> {
    clearTimeout(this.#retry);
    this.#blocked = false;
    while (this.size > 0) {
      this.#flush();
      if (this.#blocked) {
        clearTimeout(this.#retry);
        const left = [...this.#held, ...this.#live, ...this.#backlog];
        this.#held = [];
        this.#live = [];
        this.#backlog = [];
        return left;
      }
      await new Promise((r) => setImmediate(r));
    }
    return [];
  }

  #schedule(): void {
    if (this.#scheduled || this.#blocked) return;
    this.#scheduled = true;
    // Queued together, so both run in the next check phase with only microtasks between.
    setImmediate(this.#flushLive);
    setImmediate(this.#flushSlice);
  }

  /**
   * Commits a batch; on failure holds it (`front`: a held slice goes back where it was)
   * and blocks until the retry.
   */
  #commit(batch: T[], front = false): boolean {
    if (this.#hooks.commit(batch)) {
      this.#retryMs = RETRY_MIN_MS;
      return true;
    }
    if (front) this.#held.unshift(...batch);
    else this.#held.push(...batch);
    this.#blocked = true;
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => {
      this.#blocked = false;
      this.#flush();
    }, this.#retryMs);
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    return false;
  }

  /** The first callback of a turn: live reads, committed and answered on their own. */
  readonly #flushLive = (): void => {
    if (!this.#blocked) this.#commitLive();
  };

  /** The second: one slice, after the live commit's doors and acknowledgements are out. */
  readonly #flushSlice = (): void => {
    this.#scheduled = false;
    if (this.#blocked || !this.#commitSlice()) return;
    if (this.size > 0) this.#schedule();
  };

  /** Both at once (drain, and the retry after a failed commit). */
  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#blocked || !this.#commitLive() || !this.#commitSlice()) return;
    if (this.size > 0) this.#schedule();
  };

  /**
   * Live reads are committed and answered first, on their own: a door waits for its own
   * commit, never for a slice of backlog. False: the commit failed (held, blocked).
   */
  #commitLive(): boolean {
    const live = this.#live;
    if (live.length === 0) return true;
    this.#live = [];
    this.#lastLiveMs = performance.now();
    return this.#commit(live);
  }

  /**
   * One slice of what a failed commit held, or of the backlog, so that it keeps moving
   * however busy the doors are. False: the commit failed (held, blocked).
   */
  #commitSlice(): boolean {
    if (this.#held.length > 0) {
      const slice = this.#held.splice(0, this.#opts.batchMaxRows);
      return this.#commit(slice, true);
    }
    if (this.#backlog.length === 0) return true;
    const slice: T[] = [];
    const n = Math.min(this.#backlog.length, this.#sliceRows());
    const t0 = performance.now();
    for (const item of this.#backlog.splice(0, n)) if (this.#hooks.ready(item)) slice.push(item);
    if (slice.length > 0 && !this.#commit(slice)) return false;
    const ms = performance.now() - t0;
    this.#rowMs = this.#rowMs === 0 ? ms / n : 0.8 * this.#rowMs + (0.2 * ms) / n;
    return true;
  }

  /**
   * How many backlog rows the next slice takes. With no door answered for a second (a
   * replay at night, `estate-gateway replay`) the whole batchMaxRows; while doors are
   * answering, as many as fit in store.replaySliceMs, because a live read that arrives
   * during a slice waits for it. Measured (npm run bench, 100,000 records replayed at
   * ~23,000/s): 256-row slices, live p50/p99 8.6/41–53 ms; ~2 ms slices, 5/32–36 ms at
   * 8 % less replay speed (the rest of the p99 is not spent in the gateway).
   */
  #sliceRows(): number {
    const { batchMaxRows, replaySliceMs } = this.#opts;
    if (performance.now() - this.#lastLiveMs > 1000 || this.#rowMs === 0) return batchMaxRows;
    return Math.max(8, Math.min(batchMaxRows, Math.floor(replaySliceMs / this.#rowMs)));
  }
}
