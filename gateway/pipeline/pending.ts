/**
 * A read between its arrival and its commit. Its promise is what the driver awaits before
 * it acknowledges the read (MQTT PUBACK, serial ACK): it settles only after the commit.
 */
import type { CredentialRead } from '../../core/contracts.js';
import type { ReaderConfig } from '../config/schema.js';
import type { Checked, Rejected } from './check.js';

/** One read waiting for its commit. */
export class Pending {
  /** reader id NUL record id: the same read sent twice is one read. */
  readonly key: string;
  readonly read: CredentialRead;
  readonly reader: ReaderConfig;
  /**
   * Set by the check: in its commit once the journal's insert says the read is new (a
   * read answered while the journal fails: at arrival).
   */
  checked: Checked | null = null;
  /**
   * Why its commit wrote no row for it: the journal had it, the check rejected it, or it
   * is stale and goes to the backlog (checked). Settled by the pipeline after the commit.
   */
  aside: Aside | null = null;
  /**
   * Its door was answered before its commit (in the commit's transaction, before the
   * fsync; or without one, while the journal could not commit): never again.
   */
  answered = false;
  /**
   * Its door command left in a commit's transaction that has not ended yet: if that commit
   * fails, it counts as answered without a commit (Failover.failed).
   */
  early = false;
  /** Settles when the read is on disk (or known to be, or rejected). */
  readonly promise: Promise<void>;
  /** Acknowledges the read. */
  readonly resolve: () => void;
  /** Refuses the acknowledgement: the commit failed, the sender must deliver again. */
  readonly reject: (err: Error) => void;

  /** `key`: pendingKey(read), which the caller has computed already to look for it in flight. */
  constructor(key: string, read: CredentialRead, reader: ReaderConfig) {
    this.key = key;
    this.read = read;
    this.reader = reader;
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    this.promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.resolve = resolve;
    this.reject = reject;
  }

  /** The check result of a read in a batch: the batcher commits only checked reads. */
  get result(): Checked {
    return this.checked as Checked;
  }
}

/** Why a commit set a read aside (see Pending.aside). */
export type Aside = 'duplicate' | 'backlog' | Rejected;

/** The dedupe key of a read: design.md §5, record ids are unique per reader. */
export function pendingKey(read: CredentialRead): string {
  return `${read.readerId}\u0000${read.recordId}`;
}
