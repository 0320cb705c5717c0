/**
 * The provisioning seam between the gateway and a reader that keeps its own library of
 * people (issue 8): a fingerprint module's template pages today, a face terminal's person
 * list next (Hikvision, Dahua, ZKTeco, mqtt-face). A driver whose readers hold such a
 * library exposes it as `Driver.provisioning`; the gateway's roster-driven sync keeps any
 * of them in step with the roster, reader by reader, without knowing the driver.
 */

/** What a reader's own library matches on. */
export type LibraryKind = 'fingerprint' | 'face';

/**
 * The size of a fingerprint template as the roster carries it: one character file of the
 * R30x/AS608 family (protocols.md "DownChar"). Roster import checks it, every fingerprint
 * provisioner accepts exactly it.
 */
export const FINGERPRINT_TEMPLATE_BYTES = 512;

/** One person's entry as the roster wants it in a reader's library. */
export interface LibraryEntry {
  /** The entry's key on the device: a fingerprint page number, a face terminal's person id. */
  key: string;
  /** The person's name, for terminals that display it. Personal data: never logged. */
  name?: string;
  /** Validity the terminal enforces on its own, epoch ms; null is open-ended. */
  validFrom?: number | null;
  validTo?: number | null;
  /** A fingerprint template (FINGERPRINT_TEMPLATE_BYTES). */
  template?: Buffer;
  /** A face photo for terminals that build their own model from it. */
  photo?: { mime: string; data: Buffer };
  /** Card UIDs (upper-case hex) the terminal should accept for the person. */
  cards?: readonly string[];
}

/** Keys on the device the roster does not want (orphans), and wanted keys it lacks (missing). */
export interface Drift {
  orphans: string[];
  missing: string[];
}

/**
 * The device's answer for one entry: done, or refused for that entry alone with the
 * device's or vendor's reason (a page beyond capacity, a photo the terminal rejects). A
 * refusal is counted and the run goes on with the next entry.
 */
export type EntryOutcome = { ok: true } | { ok: false; code: string; message: string };

/**
 * A driver's library operations, per reader. A promise that rejects (a GatewayError:
 * READER_OFFLINE, TIMEOUT…) ends the sync run for that reader; it is retried on the next
 * trigger. Operations on one reader are called one at a time.
 */
export interface Provisioner {
  /** What its libraries hold. */
  readonly kind: LibraryKind;
  /** Compares the reader's library with the keys the roster wants there. */
  drift(readerId: string, expected: readonly string[]): Promise<Drift>;
  /** Writes (or overwrites) one entry. */
  put(readerId: string, entry: LibraryEntry): Promise<EntryOutcome>;
  /** Deletes one entry. */
  remove(readerId: string, key: string): Promise<EntryOutcome>;
  /**
   * Calls `listener` for each reader whose library is reachable now, then each time one
   * becomes reachable (a probe answered, a terminal came online): the sync runs then. So a
   * listener that subscribes after the drivers started misses no reader. Returns the
   * function that unsubscribes.
   */
  onReady(listener: (readerId: string) => void): () => void;
}
