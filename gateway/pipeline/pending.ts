/**
 * A read between its arrival and its commit. Its promise is what the driver awaits before
 * it acknowledges the read (MQTT PUBACK, serial ACK): it settles only after the commit.
 */
import type { CredentialRead } from '../../core/contracts.js';
import type { ReaderConfig } from '../config/schema.js';
import type { Checked } from './check.js';

/** One read waiting for its commit. */
export class Pending {
  /** reader id NUL record id: the same read sent twice is one read. */
  readonly key: string;
  readonly read: CredentialRead;
  readonly reader: ReaderConfig;
  /** Set by the check: at arrival if live, in its slice if replayed. */
  checked: Checked | null = null;
  /** Its door was answered before its commit (the journal could not commit): never again. */
  answered = false;
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

/** The dedupe key of a read: design.md §5, record ids are unique per reader. */
export function pendingKey(read: CredentialRead): string {
  return `${read.readerId}\u0000${read.recordId}`;
}
