import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { EntryOutcome, Provisioner } from '../../core/provisioning.js';
import type { LibrarySource, ReaderScope, SyncCounters } from './library-source.js';
import type { SyncResult, SyncTrigger } from './sync-result.js';

/** One reader with a library of its own: where it stands, its driver's provisioner, the roster's source. */
export interface SyncedReader {
  scope: ReaderScope;
  provisioner: Provisioner;
  source: LibrarySource;
  counters: SyncCounters;
}

/** What LibrarySync is built from (the composition root passes each). */
export interface LibrarySyncDeps {
  readers: readonly SyncedReader[];
  log: Logger;
  clock: Clock;
}

interface ReaderState {
  reader: SyncedReader;
  busy: boolean;
  /** A trigger that came while busy: one more run follows. */
  again: SyncTrigger | null;
  done: Promise<void>;
  last: SyncResult | null;
}

/**
 * Keeps every reader library in step with the roster (issue 3, generalised in issue 8 to
 * any driver that exposes `provisioning`): wanted entries are written from what the roster
 * carries, entries with no active resident are deleted, and the drift found is reported.
 * Runs per reader when its library becomes reachable and after each roster reload, never
 * overlapping itself on one reader; a trigger during a run queues one more run.
 */
export class LibrarySync {
  readonly #d: LibrarySyncDeps;
  readonly #state = new Map<string, ReaderState>();
  #unsubscribe: Array<() => void> = [];
  #stopped = false;

  constructor(deps: LibrarySyncDeps) {
    this.#d = deps;
    for (const reader of deps.readers) {
      this.#state.set(reader.scope.readerId, {
        reader,
        busy: false,
        again: null,
        done: Promise.resolve(),
        last: null,
      });
    }
  }

  /** Listens for readers becoming reachable (each one reachable already syncs at once). */
  start(): void {
    this.#stopped = false;
    for (const p of new Set(this.#d.readers.map((r) => r.provisioner)))
      this.#unsubscribe.push(p.onReady((id) => void this.trigger(id, 'online')));
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

  /** Syncs every reader with a library (after a roster reload). */
  triggerAll(why: SyncTrigger): Promise<void> {
    return Promise.all([...this.#state.keys()].map((id) => this.trigger(id, why))).then(() => undefined);
  }

  /** Resolves when the reader has no run in progress or queued (tests, stop). */
  settled(readerId: string): Promise<void> {
    return this.#state.get(readerId)?.done ?? Promise.resolve();
  }

  /** The last outcome for a reader, for /api/readers; undefined for a reader without a library. */
  last(readerId: string): SyncResult | null | undefined {
    return this.#state.get(readerId)?.last;
  }

  /** Takes no new work, lets the entry in progress finish and waits for every run to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
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
    const { clock, log } = this.#d;
    const { scope, source, provisioner, counters } = s.reader;
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
      // An empty roster would delete every entry: before the first import, touch nothing.
      if (!source.hasRoster()) {
        r.outcome = 'skipped';
        r.error = 'NO_ROSTER: no roster imported yet';
      } else {
        await this.#reconcile(s.reader, r);
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
    counters.runs.inc({ outcome: r.outcome });
    const { at: _at, error: _e, ...counts } = r;
    const kind = provisioner.kind;
    const reader = scope.readerId;
    if (r.outcome === 'failed')
      log.warn(
        { reader, ...counts, err },
        `${kind} sync failed; retried when the reader comes online again or the roster changes`,
      );
    else if (r.outcome === 'skipped') log.info({ reader, trigger, reason: r.error }, `${kind} sync skipped`);
    else log.info({ reader, ...counts }, `${kind} library synced`);
  }

  async #reconcile(reader: SyncedReader, r: SyncResult): Promise<void> {
    const { provisioner, source } = reader;
    const { clock } = this.#d;
    const id = reader.scope.readerId;
    const want = source.wanted(reader.scope);
    r.expected = want.size;
    const drift = await provisioner.drift(id, [...want.keys()]);
    r.orphans = drift.orphans.length;
    r.missing = drift.missing.length;
    const missing = new Set(drift.missing);
    const written = source.written(id);
    // Entries gone from the device (a replaced or emptied module): forget what was written there.
    const onDevice = new Set([...[...want.keys()].filter((k) => !missing.has(k)), ...drift.orphans]);
    source.forget(
      id,
      [...written.keys()].filter((k) => !onDevice.has(k)),
    );

    // Residents who left first: their fingers or faces should stop matching as soon as possible.
    for (const key of drift.orphans) {
      if (await this.#entry(reader, key, 'removed', r, () => provisioner.remove(id, key))) {
        source.forget(id, [key]);
        r.removed++;
      }
    }
    for (const [key, entry] of want) {
      const absent = missing.has(key);
      if (!entry) {
        if (absent) r.noTemplate++;
        continue;
      }
      // Present entries are rewritten only when the roster's entry differs from what the
      // sync wrote (or it never wrote one: enrolled by hand, or before this sync existed).
      if (!absent && written.get(key) === source.digest(entry)) continue;
      const action = absent ? 'enrolled' : 'replaced';
      if (await this.#entry(reader, key, action, r, () => provisioner.put(id, entry))) {
        source.recordWritten(id, entry, clock.now());
        r[action]++;
      }
    }
  }

  /** One entry's operation: true when done; a refusal of that entry is counted and logged, and the run goes on. */
  async #entry(
    reader: SyncedReader,
    key: string,
    action: 'enrolled' | 'replaced' | 'removed',
    r: SyncResult,
    op: () => Promise<EntryOutcome>,
  ): Promise<boolean> {
    if (this.#stopped) throw new GatewayError('STOPPING', 'the gateway is stopping');
    const out = await op();
    if (out.ok) {
      reader.counters.entries.inc({ action });
      return true;
    }
    r.failed++;
    reader.counters.entries.inc({ action: 'failed' });
    this.#d.log.warn(
      {
        reader: reader.scope.readerId,
        ...reader.source.logRef(key),
        action,
        code: out.code,
        reason: out.message,
      },
      `${reader.provisioner.kind} ${reader.source.noun} not synced`,
    );
    return false;
  }
}
