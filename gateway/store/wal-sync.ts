/**
 * The WAL's fsync off the event loop (issue 15). The pipeline commits a batch with
 * synchronous=NORMAL (Store.deferredCommit): SQLite writes its WAL frames to the OS and
 * returns without the fsync that synchronous=FULL would make. WalSync then fdatasyncs the
 * `-wal` file on libuv's threadpool and calls the batch back once it returns: the batch
 * is on disk exactly as a FULL commit would have left it, and the event loop ran other
 * reads meanwhile. A sync makes durable every frame written before it began, so when one
 * returns, every batch committed before it began is released, in commit order. Up to two
 * run at once: a live batch committed while one runs starts its own at once instead of
 * waiting for it to end (one wait for the disk, not up to two); past two, batches gather
 * for the next. Why this is as durable as FULL: docs/durability.md.
 */
import { closeSync, fdatasync, openSync } from 'node:fs';

/** Makes every write to the file `fd` has seen so far durable (fdatasync in production). */
export type SyncFn = (fd: number) => Promise<void>;

/**
 * Told that its batch is on disk (null), or why the sync failed: then true keeps it
 * waiting, in its place, for the next try.
 */
export type SyncDone = (err: Error | null) => boolean;

/** fs.fdatasync on the threadpool: flushes the file's data and the size it needs to read it. */
export const fdatasyncFn: SyncFn = (fd) =>
  new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));

/** First wait before a failed sync is tried again, ms. */
const RETRY_MIN_MS = 250;
/** Longest wait between tries while the WAL cannot be synced, ms. */
const RETRY_MAX_MS = 5000;
/** Syncs in flight at most. */
const MAX_IN_FLIGHT = 2;

/** A batch waiting for a sync that began after its commit. */
interface Waiter {
  ticket: number;
  done: SyncDone;
}

/** The syncs of one database's WAL file. */
export class WalSync {
  readonly #file: string;
  readonly #sync: SyncFn;
  #fd: number | null = null;
  /** Batches not released yet, in commit order. */
  #waiting: Waiter[] = [];
  #tickets = 0;
  /** The last ticket a sync that was started covers. */
  #started = 0;
  #inFlight = 0;
  #retryMs = 0;
  #retry: NodeJS.Timeout | undefined;
  #idle: Array<() => void> = [];

  /** `file`: the database's `-wal` file; `sync`: fdatasyncFn unless a test injects one. */
  constructor(file: string, sync: SyncFn = fdatasyncFn) {
    this.#file = file;
    this.#sync = sync;
  }

  /** A sync is running or waiting to be retried. */
  get busy(): boolean {
    return this.#inFlight > 0 || this.#retry !== undefined;
  }

  /** No further sync can start now (two run, or a failed one waits for its retry). */
  get full(): boolean {
    return this.#inFlight >= MAX_IN_FLIGHT || this.#retry !== undefined;
  }

  /** Batches waiting for a sync. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Calls `done` once every WAL frame written before this call is on disk, or with the
   * error of a sync that failed (then `done` returns whether to wait for the next try).
   * Not `urgent` (a replay slice): it starts no second sync, but waits for the next one,
   * so the second stays free for a door's batch.
   */
  after(done: SyncDone, urgent = true): void {
    this.#waiting.push({ ticket: ++this.#tickets, done });
    if (!this.full && (urgent || this.#inFlight === 0)) this.#start();
  }

  /** Resolves once no batch waits and no sync runs (shutdown). */
  idle(): Promise<void> {
    if (!this.busy && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops retrying and closes the file (after the store's last commit). */
  close(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #start(): void {
    const upTo = this.#tickets;
    this.#started = upTo;
    this.#inFlight++;
    let sync: Promise<void>;
    try {
      // Opened on first use: the WAL file exists once the first batch has committed.
      this.#fd ??= openSync(this.#file, 'r+');
      sync = this.#sync(this.#fd);
    } catch (err) {
      sync = Promise.reject(err);
    }
    sync.then(
      () => this.#settled(upTo, null),
      (err: unknown) => this.#settled(upTo, err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** A sync that covers tickets up to `upTo` returned. */
  #settled(upTo: number, err: Error | null): void {
    this.#inFlight--;
    let n = 0;
    while (n < this.#waiting.length && (this.#waiting[n] as Waiter).ticket <= upTo) n++;
    const covered = this.#waiting.slice(0, n);
    this.#waiting = this.#waiting.slice(n);
    if (err === null) {
      this.#retryMs = 0;
      for (const w of covered) w.done(null);
    } else {
      this.#retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.#retryMs * 2));
      this.#waiting = [...covered.filter((w) => w.done(err)), ...this.#waiting];
      // Those kept wait for the retry, a sync that begins after it.
      this.#started = 0;
    }
    this.#next();
  }

  /** Starts the sync that batches not covered yet need, or waits out a failure first. */
  #next(): void {
    const last = this.#waiting.at(-1);
    if (last !== undefined && (last.ticket > this.#started || this.#started === 0) && !this.full) {
      if (this.#retryMs === 0) this.#start();
      else
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          if (this.#waiting.length > 0) this.#start();
          else this.#settleIdle();
        }, this.#retryMs);
      return;
    }
    this.#settleIdle();
  }

  #settleIdle(): void {
    if (this.busy || this.#waiting.length > 0) return;
    const idle = this.#idle;
    this.#idle = [];
    for (const r of idle) r();
  }
}
