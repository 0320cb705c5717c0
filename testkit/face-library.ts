import { GatewayError } from '../core/errors.js';
import type { Drift, EntryOutcome, LibraryEntry, Provisioner } from '../core/provisioning.js';
import { importRoster } from '../gateway/roster/face-photo-stage.js';
import type { RosterSnapshot } from '../gateway/roster/model.js';
import type { Db } from '../gateway/store/db.js';
import { TEST_ROSTER } from './gateway.js';
import { testJpeg } from './photos.js';

/**
 * A face terminal's library as a provisioner sees it, in memory (issue 11 tests of the
 * sync itself; the drivers' own tests run against the simulators): it keeps what was put,
 * refuses keys as scripted, counts how many operations were in flight at once, and can be
 * held so a test can act while a run is in progress.
 */
export class FakeFaceLibrary implements Provisioner {
  readonly kind = 'face' as const;
  readonly window: number;
  /** Each terminal's persons by key. */
  readonly libraries = new Map<string, Map<string, LibraryEntry>>();
  readonly calls: string[] = [];
  /** key → the refusal its put gets. */
  readonly refuse = new Map<string, Extract<EntryOutcome, { ok: false }>>();
  inFlight = 0;
  maxInFlight = 0;
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  #fail: ((e: Error) => void) | null = null;
  /** Times abort() was called (LibrarySync.stop). */
  aborts = 0;
  readonly #listeners = new Set<(id: string) => void>();

  constructor(window = 1) {
    this.window = window;
  }

  /** Operations wait until release() (a run held in flight). */
  hold(): void {
    this.#gate = new Promise((r, reject) => {
      this.#open = r;
      this.#fail = reject;
    });
    // A held gate nobody aborts or releases must not count as an unhandled rejection.
    this.#gate.catch(() => undefined);
  }

  /** As a driver's Provisioner.abort: what waits on the (held) terminal fails with STOPPING. */
  abort(): void {
    this.aborts++;
    this.#fail?.(new GatewayError('STOPPING', 'the gateway is stopping'));
    this.#gate = null;
  }

  release(): void {
    this.#open?.();
    this.#gate = null;
    this.#fail = null;
  }

  /** One terminal's persons. */
  of(id: string): Map<string, LibraryEntry> {
    let m = this.libraries.get(id);
    if (!m) {
      m = new Map();
      this.libraries.set(id, m);
    }
    return m;
  }

  async drift(id: string, expected: readonly string[]): Promise<Drift> {
    const want = new Set(expected);
    const have = this.of(id);
    return {
      orphans: [...have.keys()].filter((k) => !want.has(k)),
      missing: expected.filter((k) => !have.has(k)),
    };
  }

  async put(id: string, e: LibraryEntry): Promise<EntryOutcome> {
    return this.#op(`put ${id} ${e.key}`, () => {
      const refusal = this.refuse.get(e.key);
      if (refusal) return refusal;
      this.of(id).set(e.key, e);
      return { ok: true };
    });
  }

  async remove(id: string, key: string): Promise<EntryOutcome> {
    return this.#op(`remove ${id} ${key}`, () => {
      this.of(id).delete(key);
      return { ok: true };
    });
  }

  onReady(f: (id: string) => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  /** Tells the sync the terminal came online. */
  online(id: string): void {
    for (const f of this.#listeners) f(id);
  }

  async #op(call: string, f: () => EntryOutcome): Promise<EntryOutcome> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      this.calls.push(call);
      await (this.#gate ?? Promise.resolve());
      await new Promise((r) => setImmediate(r));
      return f();
    } finally {
      this.inFlight--;
    }
  }
}

/** TEST_ROSTER with a face photo for each active resident's face (and the moved-out one's). */
export async function saveRosterWithPhotos(db: Db, over: Partial<RosterSnapshot> = {}, now = Date.now()) {
  const s: RosterSnapshot = { ...TEST_ROSTER, ...over };
  const faces = s.credentials.filter((c) => c.kind === 'face');
  s.facePhotos = await Promise.all(
    faces.map(async (c, i) => ({
      key: c.key,
      residentId: c.residentId,
      line: null,
      field: `credentials.facePhotos.${c.key}`,
      data: await testJpeg(300, 400, { shade: 60 + i * 20 }),
    })),
  );
  const r = await importRoster(db, s, { mode: 'merge', now, version: `photos-${now}` });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.stats;
}
