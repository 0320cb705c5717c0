import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import type { RosterRefusal } from '../../../core/codes.js';
import { hasCode } from '../../../core/errors.js';
import { type OpenedRoster, openRosterMessage } from '../../../core/roster-message.js';
import type { AlertCandidate } from '../../alerts/per-entry.js';
import type { Metrics } from '../../metrics.js';
import { getMeta, setMeta } from '../../store/db.js';
import type { Store } from '../../store/store.js';
import { applyRosterPayload } from './apply.js';
import { SyncLog, type Via } from './sync-log.js';
import type { TrustedKey } from './trusted-keys.js';

/** Where the roster stands against the district system, kept in the meta table. */
export interface SyncState {
  version: number;
  keyId: string;
  digest: string;
  /** When it was applied (ms). */
  at: number;
  via: Via;
  /** The roster version label written with it: another label means a file import since. */
  label: string;
}

/** What became of one message. */
export type Outcome =
  | { result: 'applied'; version: number }
  | { result: 'duplicate' | 'current'; version: number }
  /** The district system is ahead: `since` is where a catch-up starts (0: a snapshot is needed). */
  | { result: 'behind'; version: number; since: number; why: string }
  | { result: 'refused'; reason: RosterRefusal; detail: string; kind: string | null }
  | { result: 'failed'; detail: string };

/** What the roster sync is built from. */
export interface RosterSyncDeps {
  store: Store;
  estateId: string;
  keys: ReadonlyMap<string, TrustedKey>;
  /** The ID-number hash key (secrets), read when a message is applied. */
  idHashKey: () => string;
  maxBytes: number;
  /** Swaps the roster index and syncs the reader libraries, as after an import. */
  reload: () => void;
  /** Where a refusal's alert goes (the pipeline). */
  alarms: { raise(c: AlertCandidate): void };
  metrics: Metrics;
  log: Logger;
  clock: Clock;
}

const STATE_KEY = 'roster_sync';

/**
 * Verifies and applies roster messages from the district system (issue 14). Each message is
 * checked against the trusted keys, its estate and the version chain, then applied in one
 * transaction with the new sync state, so the roster is the last good one or the new one,
 * never between. A refusal is counted, logged, alerted and kept in the sync log; the same
 * message applied before is a redelivery (MQTT QoS 1, a pull), taken quietly.
 */
export class RosterSync {
  readonly #d: RosterSyncDeps;
  readonly #keys: Map<string, import('node:crypto').KeyObject>;
  readonly #log: SyncLog;
  #state: SyncState | null = null;

  constructor(deps: RosterSyncDeps) {
    this.#d = deps;
    this.#keys = new Map([...deps.keys].map(([id, k]) => [id, k.key]));
    this.#log = new SyncLog(deps.store);
  }

  /** Reads the sync state (the store is open). */
  load(): void {
    const raw = getMeta(this.#d.store.db, STATE_KEY);
    this.#state = raw ? (JSON.parse(raw) as SyncState) : null;
  }

  /** Where the roster stands; null before the first synced roster. */
  get state(): SyncState | null {
    return this.#state;
  }

  /** The version a catch-up starts from: 0 (a snapshot) before any, or after a file import. */
  get since(): number {
    const s = this.#state;
    return s && !this.#diverged() ? s.version : 0;
  }

  /** The sync log (dashboard, health). */
  get journal(): SyncLog {
    return this.#log;
  }

  /** Verifies, checks and applies one message. Never throws. */
  accept(raw: string | Buffer, via: Via): Outcome {
    const now = this.#d.clock.now();
    const opened = openRosterMessage(raw, this.#keys, this.#d.maxBytes);
    if (!opened.ok) return this.#refuse(via, null, opened.why, opened.detail, now);
    const m = opened.message;
    const p = m.payload;
    if (p.estate !== this.#d.estateId)
      return this.#refuse(via, m, 'wrong_estate', `for estate ${p.estate}`, now);
    const s = this.#state;
    const diverged = this.#diverged();
    if (p.kind === 'pointer') {
      if (s && !diverged && p.version === s.version) return this.#quiet(via, m, 'current', now);
      if (s && !diverged && p.version < s.version)
        return this.#refuse(
          via,
          m,
          'replayed',
          `pointer to version ${p.version}, roster is at ${s.version}`,
          now,
        );
      return this.#behind(
        via,
        m,
        this.since,
        diverged ? 'roster imported locally since' : 'newer version upstream',
        now,
      );
    }
    if (this.#log.applied(m.digest)) return this.#quiet(via, m, 'duplicate', now);
    if (p.kind === 'snapshot') {
      if (s && !diverged && p.version <= s.version)
        return this.#refuse(via, m, 'replayed', `snapshot ${p.version}, roster is at ${s.version}`, now);
    } else {
      if (!s || diverged)
        return this.#behind(via, m, 0, s ? 'roster imported locally since' : 'no snapshot yet', now);
      if (p.version <= s.version)
        return this.#refuse(via, m, 'replayed', `delta ${p.version}, roster is at ${s.version}`, now);
      if ((p.base ?? 0) > s.version)
        return this.#behind(via, m, s.version, `gap: roster at ${s.version}`, now);
    }
    return this.#apply(via, m, now);
  }

  #apply(via: Via, m: OpenedRoster, now: number): Outcome {
    const p = m.payload;
    const label = `upstream:${p.version}`;
    const state: SyncState = { version: p.version, keyId: m.keyId, digest: m.digest, at: now, via, label };
    const db = this.#d.store.db;
    let stats: ReturnType<typeof applyRosterPayload>;
    try {
      stats = db.transaction(() => {
        const st = applyRosterPayload(db, p, this.#d.idHashKey(), now, label);
        setMeta(db, STATE_KEY, JSON.stringify(state));
        this.#log.add(this.#row(via, m, 'applied', null, null, now));
        return st;
      })();
    } catch (err) {
      if (hasCode(err, 'ROSTER_INVALID'))
        return this.#refuse(via, m, 'invalid_roster', (err as Error).message, now);
      this.#d.log.error({ err, kind: p.kind, version: p.version }, 'roster message could not be stored');
      this.#d.metrics.rosterSync.inc({ kind: p.kind, outcome: 'failed' });
      return { result: 'failed', detail: (err as Error).message };
    }
    this.#state = state;
    this.#d.metrics.rosterSync.inc({ kind: p.kind, outcome: 'applied' });
    this.#d.log.info(
      { kind: p.kind, version: p.version, signer: m.keyId, via, ...stats },
      `roster ${p.kind} ${p.version} applied`,
    );
    this.#d.reload();
    return { result: 'applied', version: p.version };
  }

  #quiet(via: Via, m: OpenedRoster, outcome: 'current' | 'duplicate', now: number): Outcome {
    this.#d.metrics.rosterSync.inc({ kind: m.payload.kind, outcome });
    this.#d.log.debug({ kind: m.payload.kind, version: m.payload.version, via }, `roster message ${outcome}`);
    if (outcome === 'duplicate') this.#record(via, m, outcome, null, null, now);
    return { result: outcome, version: m.payload.version };
  }

  #behind(via: Via, m: OpenedRoster, since: number, why: string, now: number): Outcome {
    const gap = m.payload.kind === 'delta';
    this.#d.metrics.rosterSync.inc({ kind: m.payload.kind, outcome: gap ? 'gap' : 'behind' });
    this.#d.log.warn(
      { kind: m.payload.kind, version: m.payload.version, have: this.#state?.version ?? null, via, why },
      gap ? 'roster delta does not chain: asking for what is missing' : 'roster behind upstream: catching up',
    );
    this.#record(via, m, 'behind', gap ? 'gap' : null, why, now);
    return { result: 'behind', version: m.payload.version, since, why };
  }

  #refuse(via: Via, m: OpenedRoster | null, reason: RosterRefusal, detail: string, now: number): Outcome {
    const kind = m?.payload.kind ?? null;
    this.#d.metrics.rosterSync.inc({ kind: kind ?? 'unknown', outcome: reason });
    this.#d.log.warn(
      { reason, detail, kind, version: m?.payload.version ?? null, signer: m?.keyId ?? null, via },
      'roster message refused; the last good roster is kept',
    );
    this.#record(via, m, 'refused', reason, detail, now);
    this.#d.alarms.raise({
      kind: 'roster_refused',
      subject: `roster:${reason}`,
      householdId: null,
      residentId: null,
      doorId: null,
      readerId: null,
      ts: now,
    });
    return { result: 'refused', reason, detail, kind };
  }

  #record(
    via: Via,
    m: OpenedRoster | null,
    outcome: 'refused' | 'behind' | 'duplicate',
    reason: string | null,
    detail: string | null,
    now: number,
  ): void {
    try {
      this.#log.add(this.#row(via, m, outcome, reason, detail, now));
    } catch (err) {
      this.#d.log.error({ err }, 'could not write the roster sync log');
    }
  }

  #row(
    via: Via,
    m: OpenedRoster | null,
    outcome: 'applied' | 'refused' | 'behind' | 'duplicate',
    reason: string | null,
    detail: string | null,
    now: number,
  ) {
    return {
      at: now,
      via,
      kind: m?.payload.kind ?? null,
      version: m?.payload.version ?? null,
      keyId: m?.keyId ?? null,
      digest: m?.digest ?? null,
      outcome,
      reason,
      detail: detail === null ? null : detail.slice(0, 500),
    };
  }

  /** A roster was imported from a file since the last sync: the chain no longer holds. */
  #diverged(): boolean {
    const s = this.#state;
    return s !== null && getMeta(this.#d.store.db, 'roster_version') !== s.label;
  }
}
