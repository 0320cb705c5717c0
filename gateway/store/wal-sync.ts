/**
 * The WAL's fsync off the event loop (issue 15). The pipeline commits a batch with
 * synchronous=NORMAL (Store.deferredCommit): SQLite writes its WAL frames to the OS and
 * returns without the fsync that synchronous=FULL would make. WalSync then fdatasyncs the
 * `-wal` file on libuv's threadpool and calls the batch back once it returns: the batch
 * is on disk exactly as a FULL commit would have left it, and the event loop ran other
 * reads meanwhile. One sync is in flight at a time; batches committed while it runs wait
 * for the next one, which covers them all (group commit across batches). Callbacks run
 * in the order their batches committed. Why this is as durable as FULL: docs/durability.md.
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

/** The syncs of one database's WAL file. */
export class WalSync {
  readonly #file: string;
  readonly #sync: SyncFn;
  #fd: number | null = null;
  #waiting: SyncDone[] = [];
  #inFlight = false;
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
    return this.#inFlight || this.#retry !== undefined;
  }

  /** Batches waiting for a sync. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Calls `done` once every WAL frame written before this call is on disk, or with the
   * error of a sync that failed (then `done` returns whether to wait for the next try).
   */
  after(done: SyncDone): void {
    this.#waiting.push(done);
    if (!this.busy) this.#start();
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
    const batch = this.#waiting;
    this.#waiting = [];
    this.#inFlight = true;
    let sync: Promise<void>;
    try {
      // Opened on first use: the WAL file exists once the first batch has committed.
      this.#fd ??= openSync(this.#file, 'r+');
      sync = this.#sync(this.#fd);
    } catch (err) {
      sync = Promise.reject(err);
    }
    sync.then(
      () => this.#settled(batch, null),
      (err: unknown) => this.#settled(batch, err instanceof Error ? err : new Error(String(err))),
    );
  }

  #settled(batch: SyncDone[], err: Error | null): void {
    this.#inFlight = false;
    if (err === null) this.#retryMs = 0;
    else this.#retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.#retryMs * 2));
    if (err === null) for (const done of batch) done(null);
    else this.#waiting = [...batch.filter((done) => done(err)), ...this.#waiting];
    if (this.#waiting.length > 0) {
      // After a failure the next try waits (a failing disk is not hammered once per batch).
      if (this.#retryMs === 0) this.#start();
      else
        this.#retry ??= setTimeout(() => {
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
