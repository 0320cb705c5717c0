import type { ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { Drift, EntryOutcome, LibraryEntry, Provisioner } from '../../core/provisioning.js';

/** The page-level operations of the fingerprint driver the provisioner adapts. */
export interface PageLibrary {
  enroll(readerId: string, page: number, template: Buffer): Promise<void>;
  remove(readerId: string, page: number): Promise<void>;
  drift(readerId: string, expected: Iterable<number>): Promise<{ orphans: number[]; missing: number[] }>;
}

/**
 * Codes that condemn one page, not the run: a page beyond the module's capacity, a store
 * the module refused, a template of the wrong size. Anything else (offline, timeout) ends it.
 */
const PAGE_ERRORS = new Set(['BAD_PAGE', 'FP_REFUSED', 'BAD_TEMPLATE']);

/**
 * The fingerprint modules' side of the provisioning seam (core/provisioning.ts): an entry's
 * key is the page on the module, its `template` the character file written there
 * (DownChar + Store); a resident who left is a DeleteChar. A module is ready for the sync
 * when it answers its probe, which its session reports as "online".
 */
export class FingerprintProvisioner implements Provisioner {
  readonly kind = 'fingerprint' as const;
  readonly #pages: PageLibrary;
  readonly #listeners = new Set<(readerId: string) => void>();
  /** Modules that answered their probe and have not gone offline since. */
  readonly #ready = new Set<string>();

  constructor(pages: PageLibrary) {
    this.#pages = pages;
  }

  /** The sink to give the sessions: the driver's own, telling listeners when a module comes online. */
  watch(inner: ReadSink): ReadSink {
    return {
      submit: (read) => inner.submit(read),
      reject: (readerId, reason, detail) => inner.reject(readerId, reason, detail),
      door: (signal) => inner.door(signal),
      status: (readerId, status) => {
        inner.status(readerId, status);
        if (!status.online) {
          this.#ready.delete(readerId);
          return;
        }
        this.#ready.add(readerId);
        for (const f of this.#listeners) f(readerId);
      },
    };
  }

  onReady(listener: (readerId: string) => void): () => void {
    this.#listeners.add(listener);
    // A module that came online before the listener did is ready now: it is told at once.
    for (const id of this.#ready) listener(id);
    return () => this.#listeners.delete(listener);
  }

  async drift(readerId: string, expected: readonly string[]): Promise<Drift> {
    // Keys come back as the caller spelled them ("07" stays "07").
    const byPage = new Map(expected.map((k) => [Number(k), k]));
    const d = await this.#pages.drift(readerId, byPage.keys());
    return {
      orphans: d.orphans.map(String),
      missing: d.missing.map((p) => byPage.get(p) ?? String(p)),
    };
  }

  put(readerId: string, entry: LibraryEntry): Promise<EntryOutcome> {
    const template = entry.template;
    if (!template) {
      return Promise.resolve({ ok: false, code: 'BAD_TEMPLATE', message: 'the entry carries no template' });
    }
    return outcome(() => this.#pages.enroll(readerId, Number(entry.key), template));
  }

  remove(readerId: string, key: string): Promise<EntryOutcome> {
    return outcome(() => this.#pages.remove(readerId, Number(key)));
  }
}

/** Runs one page operation: a refusal of that page is an outcome, anything else rejects. */
async function outcome(op: () => Promise<void>): Promise<EntryOutcome> {
  try {
    await op();
    return { ok: true };
  } catch (err) {
    if (err instanceof GatewayError && PAGE_ERRORS.has(err.code))
      return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}
