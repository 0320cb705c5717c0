import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { Drift } from '../../drivers/fingerprint/session.js';
import type { Metrics } from '../metrics.js';
import { digest, type FingerprintLibrary, type ReaderScope } from './fingerprint-library.js';
import type { SyncResult, SyncTrigger } from './sync-result.js';

/** What the sync needs of the fingerprint driver (FingerprintDriver offers exactly this). */
export interface FingerprintEnroller {
  enroll(readerId: string, page: number, template: Buffer): Promise<void>;
  remove(readerId: string, page: number): Promise<void>;
  drift(readerId: string, expected: Iterable<number>): Promise<Drift>;
}

export type { SyncResult, SyncTrigger } from './sync-result.js';

/** What FingerprintSync is built from (the composition root passes each). */
export interface FingerprintSyncDeps {
  library: FingerprintLibrary;
  enroller: FingerprintEnroller;
  /** Every fingerprint reader with its door's building and entrance. */
  readers: readonly ReaderScope[];
  metrics: Pick<Metrics, 'fingerprintSyncs' | 'fingerprintPages'>;
  log: Logger;
  clock: Clock;
}

interface ReaderState {
  scope: ReaderScope;
  busy: boolean;
  /** A trigger that came while busy: one more run follows. */
  again: SyncTrigger | null;
  done: Promise<void>;
  last: SyncResult | null;
}

/** Codes that condemn one page, not the run: the other pages may still go through. */
const PAGE_ERRORS = new Set(['BAD_PAGE', 'FP_REFUSED', 'BAD_TEMPLATE']);

/**
 * Keeps each fingerprint module's library in step with the roster (issue 3): the pages
 * of active residents are enrolled (DownChar + Store) from the templates the roster
 * carries, pages with no active resident are deleted (DeleteChar), and the drift found
 * is reported. Runs per reader when it comes online and after each roster reload,
 * never overlapping itself on one reader; a trigger during a run queues one more run.
 */
export class FingerprintSync {
  readonly #d: FingerprintSyncDeps;
  readonly #state = new Map<string, ReaderState>();
  #stopped = false;

  constructor(deps: FingerprintSyncDeps) {
    this.#d = deps;
    for (const scope of deps.readers) {
      this.#state.set(scope.readerId, {
        scope,
        busy: false,
        again: null,
        done: Promise.resolve(),
        last: null,
      });
    }
  }

  /** Syncs one reader now, or once more after the run in progress. Resolves when it is idle; never rejects. */
  trigger(readerId: string, why: SyncTrigger): Promise<void> {
    const s = this.#state.get(readerId);
    if (!s || this.#stopped) return Promise.resolve();
    s.again = why;
    if (!s.busy) {
      s.busy = true;
      s.done = this.#drain(s);
    }
    return s.done;
  }

  /** Syncs every fingerprint reader (after a roster reload). */
  triggerAll(why: SyncTrigger): Promise<void> {
    return Promise.all([...this.#state.keys()].map((id) => this.trigger(id, why))).then(() => undefined);
  }

  /** Resolves when the reader has no run in progress or queued (tests, stop). */
  settled(readerId: string): Promise<void> {
    return this.#state.get(readerId)?.done ?? Promise.resolve();
  }

  /** The last outcome for a reader, for /api/readers; undefined for other readers. */
  last(readerId: string): SyncResult | null | undefined {
    return this.#state.get(readerId)?.last;
  }

  /** Takes no new work, lets the page in progress finish and waits for every run to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#state.values()].map((s) => s.done));
  }

  async #drain(s: ReaderState): Promise<void> {
    try {
      while (s.again && !this.#stopped) {
        const why = s.again;
        s.again = null;
        await this.#run(s, why);
      }
    } finally {
      s.busy = false;
    }
  }

  async #run(s: ReaderState, trigger: SyncTrigger): Promise<void> {
    const { clock, log, metrics, library } = this.#d;
    const readerId = s.scope.readerId;
    const t0 = performance.now();
    const r: SyncResult = {
      trigger,
      at: 0,
      ms: 0,
      outcome: 'ok',
      expected: 0,
      orphans: 0,
      missing: 0,
      enrolled: 0,
      replaced: 0,
      removed: 0,
      failed: 0,
      noTemplate: 0,
    };
    let err: unknown;
    try {
      // An empty roster would delete every page: before the first import, touch nothing.
      if (!library.hasRoster()) {
        r.outcome = 'skipped';
        r.error = 'NO_ROSTER: no roster imported yet';
      } else {
        await this.#reconcile(s.scope, r);
        if (r.failed > 0) r.outcome = 'partial';
      }
    } catch (e) {
      err = e;
      const code = e instanceof GatewayError ? e.code : 'ERROR';
      r.outcome = code === 'READER_OFFLINE' || code === 'STOPPING' ? 'skipped' : 'failed';
      r.error = `${code}: ${(e as Error).message}`;
    }
    r.at = clock.now();
    r.ms = Math.round(performance.now() - t0);
    s.last = r;
    metrics.fingerprintSyncs.inc({ outcome: r.outcome });
    const { at: _at, error: _e, ...counts } = r;
    if (r.outcome === 'failed')
      log.warn(
        { reader: readerId, ...counts, err },
        'fingerprint sync failed; retried when the reader comes online again or the roster changes',
      );
    else if (r.outcome === 'skipped')
      log.info({ reader: readerId, trigger, reason: r.error }, 'fingerprint sync skipped');
    else log.info({ reader: readerId, ...counts }, 'fingerprint library synced');
  }

  async #reconcile(scope: ReaderScope, r: SyncResult): Promise<void> {
    const { enroller, library, clock } = this.#d;
    const id = scope.readerId;
    const want = [...library.wanted(scope)].sort((a, b) => a[0] - b[0]);
    r.expected = want.length;
    const drift = await enroller.drift(
      id,
      want.map(([page]) => page),
    );
    r.orphans = drift.orphans.length;
    r.missing = drift.missing.length;
    const missing = new Set(drift.missing);
    const ledger = library.enrolled(id);
    // Pages gone from the module (a replaced or emptied module): forget what was written there.
    const onModule = new Set([...want.map(([p]) => p).filter((p) => !missing.has(p)), ...drift.orphans]);
    library.forget(
      id,
      [...ledger.keys()].filter((p) => !onModule.has(p)),
    );

    // Residents who left first: their fingers should stop matching as soon as possible.
    for (const page of drift.orphans) {
      if (await this.#page(id, page, 'removed', r, () => enroller.remove(id, page))) {
        library.forget(id, [page]);
        r.removed++;
      }
    }
    for (const [page, template] of want) {
      const absent = missing.has(page);
      if (!template) {
        if (absent) r.noTemplate++;
        continue;
      }
      // Present pages are rewritten only when the roster's template differs from what the
      // sync stored (or it never stored one: enrolled by hand, or before this sync existed).
      if (!absent && ledger.get(page) === digest(template)) continue;
      const action = absent ? 'enrolled' : 'replaced';
      if (await this.#page(id, page, action, r, () => enroller.enroll(id, page, template))) {
        library.recordEnrolled(id, page, template, clock.now());
        r[action]++;
      }
    }
  }

  /** One page's operation: true when done; a refusal of that page is counted, anything else ends the run. */
  async #page(
    readerId: string,
    page: number,
    action: 'enrolled' | 'replaced' | 'removed',
    r: SyncResult,
    op: () => Promise<void>,
  ): Promise<boolean> {
    if (this.#stopped) throw new GatewayError('STOPPING', 'the gateway is stopping');
    try {
      await op();
      this.#d.metrics.fingerprintPages.inc({ action });
      return true;
    } catch (err) {
      if (!(err instanceof GatewayError && PAGE_ERRORS.has(err.code))) throw err;
      r.failed++;
      this.#d.metrics.fingerprintPages.inc({ action: 'failed' });
      this.#d.log.warn({ reader: readerId, page, action, err }, 'fingerprint page not synced');
      return false;
    }
  }
}

/**
 * The sink the composition root gives the fingerprint driver: the pipeline's, plus a call
 * when a reader reports online (its probe succeeded), so the driver need not know the sync.
 */
export function onOnline(inner: ReadSink, online: (readerId: string) => void): ReadSink {
  return {
    submit: (read) => inner.submit(read),
    reject: (readerId, reason, detail) => inner.reject(readerId, reason, detail),
    status: (readerId, status) => {
      inner.status(readerId, status);
      if (status.online) online(readerId);
    },
  };
}
