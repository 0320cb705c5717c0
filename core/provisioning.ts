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
  /**
   * SHA-256 (hex) of the photo, known without loading it: the roster's list of wanted
   * entries carries this, and the photo itself is read only when the entry is written.
   */
  photoDigest?: string;
  /** Card UIDs (upper-case hex) the terminal should accept for the person. */
  cards?: readonly string[];
  /**
   * A visitor's pass rather than a resident (issue 11): terminals that know temporary
   * persons enrol it as one; every terminal gets its validity and the sync removes it at
   * expiry or revocation.
   */
  temporary?: boolean;
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
export type EntryOutcome =
  | { ok: true }
  | {
      ok: false;
      /** A code of core/codes.ts `libraryRefusal` (face_quality_low…), or the driver's own. */
      code: string;
      /** The vendor's words, for the operator (e.g. "464 face feature extraction failed"). */
      message: string;
      /** The vendor's own code as it sent it ("464", "faceQualityTooLow", "288686087"). */
      vendorCode?: string;
    };

/**
 * A driver's library operations, per reader. A promise that rejects (a GatewayError:
 * READER_OFFLINE, TIMEOUT…) ends the sync run for that reader; it is retried on the next
 * trigger. Operations on one reader are called at most `window` at a time (default one).
 */
export interface Provisioner {
  /** What its libraries hold. */
  readonly kind: LibraryKind;
  /**
   * Compares the reader's library with the keys the roster wants there. `enrolled` is what
   * the gateway recorded writing there: a terminal that cannot list its persons (mqtt-face)
   * computes the drift from it, one that can count them (ZKTeco) checks it against the count.
   */
  drift(readerId: string, expected: readonly string[], enrolled?: readonly string[]): Promise<Drift>;
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
  /**
   * How many put/remove calls on one reader may be in flight at once: a terminal that takes
   * commands in batches (ZKTeco's command queue, mqtt-face's EditPersonsNew) batches what is
   * in flight. Default 1: one at a time.
   */
  readonly window?: number;
  /**
   * Whether this reader of the driver keeps a library at all (a v1 reader opts in with
   * `options.persons`). Default: every reader of the driver does.
   */
  covers?(readerId: string): boolean;
  /**
   * The gateway is stopping: what waits on a terminal's answer fails now with STOPPING
   * instead of at its timeout (a ZKTeco command waits up to minutes for the next poll), so
   * the sync stops within the stop budget. Default: nothing waits long.
   */
  abort?(): void;
}
