import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import type { EntryOutcome, LibraryEntry, LibraryKind, Provisioner } from '../../core/provisioning.js';
import type { LibrarySource, ReaderScope, SyncCounters } from './library-source.js';
import type { SyncResult, SyncTrigger } from './sync-result.js';

/** One reader with a library of its own: where it stands, its driver's provisioner, the roster's source. */
export interface SyncedReader {
  scope: ReaderScope;
  provisioner: Provisioner;
  source: LibrarySource;
  counters: SyncCounters;
}

/** Where each reader's last outcome is kept across restarts (library_sync_state). */
export interface SyncStateStore {
  load(): Map<string, SyncResult>;
  save(readerId: string, kind: LibraryKind, r: SyncResult): void;
}

/** What LibrarySync is built from (the composition root passes each). */
export interface LibrarySyncDeps {
  readers: readonly SyncedReader[];
  log: Logger;
  clock: Clock;
  /** Keeps the last outcomes across restarts; without it they live in memory only. */
  state?: SyncStateStore;
  /** Triggers by the clock (pass expiry, the daily reconcile), started and stopped with the sync. */
  schedule?: { start(sync: LibrarySync): void; stop(): void };
}

interface ReaderState {
  reader: SyncedReader;
  busy: boolean;
  /** A trigger that came while busy: one more run follows. */
  again: SyncTrigger | null;
  done: Promise<void>;
  last: SyncResult | null;
}

/** Triggers that mean the roster's wish changed: a run in progress gives way to them. */
const CHANGES: ReadonlySet<SyncTrigger> = new Set(['roster', 'pass', 'expiry']);

/**
 * Keeps every reader library in step with the roster (issue 3, generalised in issue 8 to
 * any driver that exposes `provisioning`, and in issue 11 to face terminals): wanted
 * entries are written from what the roster carries, entries with no active resident are
 * deleted first, and the drift found is reported. Runs per reader when its library becomes
 * reachable, after each roster change and on the daily reconcile, never overlapping itself
 * on one reader; a trigger during a run queues one more run, and a roster change cuts the
 * run in progress short (between entries), so a moved-out resident's deletion never waits
 * behind a long enrolment. Up to the provisioner's `window` entries are in flight at once.
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

  /** Reads back the last outcomes, then listens for readers becoming reachable (each one reachable already syncs at once). */
  start(): void {
    this.#stopped = false;
    const saved = this.#d.state?.load() ?? new Map<string, SyncResult>();
    for (const [id, s] of this.#state) s.last ??= saved.get(id) ?? null;
    for (const p of new Set(this.#d.readers.map((r) => r.provisioner)))
      this.#unsubscribe.push(p.onReady((id) => void this.trigger(id, 'online')));
    this.#d.schedule?.start(this);
  }

  /** Syncs one reader now, or once more after the run in progress. Resolves when it is idle; never rejects. */
  trigger(readerId: string, why: SyncTrigger): Promise<void> {
    const s = this.#state.get(readerId);
    if (!s || this.#stopped) return Promise.resolve();
    // A roster change is not demoted by a later "online": the queued run says why it runs.
    if (!(s.again && CHANGES.has(s.again) && !CHANGES.has(why))) s.again = why;
    if (!s.busy) {
      s.busy = true;
      s.done = this.#drain(s);
    }
    return s.done;
  }

  /** Syncs every reader with a library (after a roster reload, a pass, the daily reconcile). */
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

  /** What kind of library the reader keeps; undefined for a reader without one. */
  kind(readerId: string): LibraryKind | undefined {
    return this.#state.get(readerId)?.reader.provisioner.kind;
  }

  /** Entries the reader refuses now (face terminals keep these); 0 without a refusal log. */
  refused(readerId: string): number {
    return this.#state.get(readerId)?.reader.source.refusals?.count(readerId) ?? 0;
  }

  /**
   * Takes no new work, fails what waits on a terminal (Provisioner.abort) and waits for
   * every run to end.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#d.schedule?.stop();
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    for (const p of new Set([...this.#state.values()].map((s) => s.reader.provisioner))) p.abort?.();
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
        await this.#reconcile(s, r);
        if (r.failed > 0) r.outcome = 'partial';
      }
    } catch (e) {
      err = e;
      const code = e instanceof GatewayError ? e.code : 'ERROR';
      r.outcome =
        code === 'READER_OFFLINE' || code === 'STOPPING' || code === 'SUPERSEDED' ? 'skipped' : 'failed';
      r.error = `${code}: ${(e as Error).message}`;
    }
    r.at = clock.now();
    r.ms = Math.round(performance.now() - t0);
    s.last = r;
    counters.runs.inc({ outcome: r.outcome });
    const kind = provisioner.kind;
    const reader = scope.readerId;
    try {
      this.#d.state?.save(reader, kind, r);
    } catch (e) {
      log.warn({ reader, err: e }, `${kind} sync outcome not saved`);
    }
    const { at: _at, error: _e, ...counts } = r;
    if (r.outcome === 'failed')
      log.warn(
        { reader, ...counts, err },
        `${kind} sync failed; retried when the reader comes online again or the roster changes`,
      );
    else if (r.outcome === 'skipped') log.info({ reader, trigger, reason: r.error }, `${kind} sync skipped`);
    else log.info({ reader, ...counts }, `${kind} library synced`);
  }

  async #reconcile(s: ReaderState, r: SyncResult): Promise<void> {
    const reader = s.reader;
    const { provisioner, source } = reader;
    const { clock } = this.#d;
    const id = reader.scope.readerId;
    const window = Math.max(1, Math.floor(provisioner.window ?? 1));
    const want = source.wanted(reader.scope);
    r.expected = want.size;
    const written = source.written(id);
    const drift = await provisioner.drift(id, [...want.keys()], [...written.keys()]);
    r.orphans = drift.orphans.length;
    r.missing = drift.missing.length;
    const missing = new Set(drift.missing);
    // Entries gone from the device (a replaced or emptied library): forget what was written there.
    const onDevice = new Set([...[...want.keys()].filter((k) => !missing.has(k)), ...drift.orphans]);
    source.forget(
      id,
      [...written.keys()].filter((k) => !onDevice.has(k)),
    );
    const refusals = source.refusals;
    // Refused for a reason that lasts (a face the terminal cannot use): not sent again until
    // the roster's entry changes, except by the daily reconcile (a firmware may have changed).
    const lasting = r.trigger === 'daily' ? new Map<string, string>() : (refusals?.lasting(id) ?? new Map());

    // Residents who left first: their fingers or faces should stop matching as soon as possible.
    await this.#pool(s, drift.orphans, window, async (key) => {
      if (await this.#entry(reader, key, 'removed', r, null, () => provisioner.remove(id, key))) {
        source.forget(id, [key]);
        r.removed++;
      }
    });
    const writes: Array<{
      key: string;
      entry: LibraryEntry;
      digest: string;
      action: 'enrolled' | 'replaced';
    }> = [];
    for (const [key, entry] of want) {
      const absent = missing.has(key);
      if (!entry) {
        if (absent) r.noTemplate++;
        continue;
      }
      // Present entries are rewritten only when the roster's entry differs from what the
      // sync wrote (or it never wrote one: enrolled by hand, or before this sync existed).
      const digest = source.digest(entry);
      if (!absent && written.get(key) === digest) continue;
      if (lasting.get(key) === digest) {
        r.failed++;
        continue;
      }
      writes.push({ key, entry, digest, action: absent ? 'enrolled' : 'replaced' });
    }
    await this.#pool(s, writes, window, async ({ key, entry, digest, action }) => {
      const full = source.entry ? source.entry(key, entry) : entry;
      if (!full) {
        r.noTemplate++;
        return;
      }
      if (await this.#entry(reader, key, action, r, digest, () => provisioner.put(id, full))) {
        source.recordWritten(id, full, clock.now());
        r[action]++;
      }
    });
    refusals?.keepOnly(id, new Set([...want.keys(), ...drift.orphans]));
  }

  /**
   * Runs `f` over `items`, at most `n` at a time, in order of start. Before each item: a
   * stop or a roster change ends the run (the items in flight finish first). The first
   * failure ends it too, once the items in flight have settled.
   */
  async #pool<T>(
    s: ReaderState,
    items: readonly T[],
    n: number,
    f: (item: T) => Promise<void>,
  ): Promise<void> {
    let next = 0;
    let failure: { err: unknown } | null = null;
    const worker = async (): Promise<void> => {
      while (!failure && next < items.length) {
        if (this.#stopped) failure = { err: new GatewayError('STOPPING', 'the gateway is stopping') };
        else if (s.again && CHANGES.has(s.again))
          failure = {
            err: new GatewayError(
              'SUPERSEDED',
              `a newer change (${s.again}) arrived; the next run goes on from here`,
            ),
          };
        if (failure) return;
        const item = items[next++] as T;
        try {
          await f(item);
        } catch (err) {
          failure ??= { err };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
    if (failure) throw (failure as { err: unknown }).err;
  }

  /** One entry's operation: true when done; a refusal of that entry is counted, logged and kept, and the run goes on. */
  async #entry(
    reader: SyncedReader,
    key: string,
    action: 'enrolled' | 'replaced' | 'removed',
    r: SyncResult,
    digest: string | null,
    op: () => Promise<EntryOutcome>,
  ): Promise<boolean> {
    const out = await op();
    if (out.ok) {
      reader.counters.entries.inc({ action });
      return true;
    }
    r.failed++;
    reader.counters.entries.inc({ action: 'failed' });
    const id = reader.scope.readerId;
    reader.source.refusals?.record(id, key, action, out, digest, this.#d.clock.now());
    this.#d.log.warn(
      {
        reader: id,
        ...reader.source.logRef(key),
        action,
        code: out.code,
        vendorCode: out.vendorCode,
        reason: out.message,
      },
      `${reader.provisioner.kind} ${reader.source.noun} not synced`,
    );
    return false;
  }
}
