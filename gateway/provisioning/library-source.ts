import type { Counter } from 'prom-client';
import type { EntryOutcome, LibraryEntry } from '../../core/provisioning.js';

/** Where a reader stands: its door's building and entrance, when set. */
export interface ReaderScope {
  readerId: string;
  /** The door's building: only its households' residents; null (a gate) for every building. */
  building: string | null;
  /** The door's entrance: households of another entrance are left out; null for any. */
  entrance: string | null;
}

/**
 * The roster's side of one kind of reader library (core/provisioning.ts): which entries
 * the roster wants on a reader, and what the sync last wrote there. The fingerprint source
 * is the first; a face source (person, photo, cards) is the next.
 */
export interface LibrarySource {
  /** How one entry is called in logs: "page" for a fingerprint module. */
  readonly noun: string;
  /** True once a roster with residents was imported: before that, the sync touches nothing. */
  hasRoster(): boolean;
  /**
   * Keys the roster wants on the reader's library, in the order to write them → the
   * entry, or null when the roster lists the key but carries nothing to write (the entry
   * is kept if present but cannot be written from here).
   */
  wanted(scope: ReaderScope): Map<string, LibraryEntry | null>;
  /** key → digest of what the sync last wrote there, for one reader. */
  written(readerId: string): Map<string, string>;
  /** Notes that `entry` now sits on the reader's library. */
  recordWritten(readerId: string, entry: LibraryEntry, at: number): void;
  /** Forgets keys that are no longer on the reader's library. */
  forget(readerId: string, keys: Iterable<string>): void;
  /** A digest of an entry: a wanted entry whose digest differs from the written one is written again. */
  digest(entry: LibraryEntry): string;
  /** How a key appears in a log line: never a person's name or id number. */
  logRef(key: string): Record<string, unknown>;
  /**
   * The entry to write, read when it is about to be written: `wanted` may list entries
   * without their bulk (a face photo), so a gate's list of the whole estate holds none.
   * Null when it is gone meanwhile. Without it, the listed entry is written as it is.
   */
  entry?(key: string, listed: LibraryEntry): LibraryEntry | null;
  /** Where refusals of single entries are kept for the operator (face terminals, issue 11). */
  readonly refusals?: RefusalLog;
}

/** A refusal as the device gave it. */
export type Refusal = Extract<EntryOutcome, { ok: false }>;

/**
 * The refusals of single entries by a reader (a face terminal's "face quality too low"),
 * kept until a write of that entry succeeds or it leaves the reader's library: what the
 * household file and the devices page show.
 */
export interface RefusalLog {
  /** Notes a refusal of `key` (`digest`: of the entry refused, null for a removal). */
  record(
    readerId: string,
    key: string,
    action: string,
    refusal: Refusal,
    digest: string | null,
    at: number,
  ): void;
  /** key → digest of entries refused for a reason that lasts until the entry changes: not sent again. */
  lasting(readerId: string): Map<string, string>;
  /** Forgets the refusals of keys that are no longer the reader's concern. */
  keepOnly(readerId: string, keys: ReadonlySet<string>): void;
  /** Entries refused on the reader now. */
  count(readerId: string): number;
}

/** The counters of one kind's syncs: runs by outcome, entries by action. */
export interface SyncCounters {
  runs: Counter<'outcome'>;
  entries: Counter<'action'>;
}
