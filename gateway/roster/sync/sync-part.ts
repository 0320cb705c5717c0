import type { Logger } from 'pino';
import { Backoff } from '../../mqtt/backoff.js';
import type { MqttRosterSource } from './mqtt-source.js';
import type { RosterPull } from './pull-source.js';
import type { Outcome, RosterSync } from './roster-sync.js';
import type { TrustedKey } from './trusted-keys.js';

/** What the roster sync part is built from. */
export interface RosterSyncPartDeps {
  sync: RosterSync;
  keys: ReadonlyMap<string, TrustedKey>;
  mqtt: MqttRosterSource | null;
  pull: RosterPull | null;
  pullIntervalMs: number;
  retry: { minMs: number; maxMs: number };
  log: Logger;
}

/** The roster sync as /healthz and the dashboard show it (no personal data). */
export interface RosterSyncStatus {
  version: number | null;
  signer: { keyId: string; label: string | null } | null;
  at: string | null;
  via: string | null;
  connected: boolean | null;
  lastRefusal: { reason: string; at: string; detail: string | null } | null;
}

/** How long a pointer's news waits for the deltas already on their way before a catch-up. */
const CATCH_UP_GRACE_MS = 1500;

/**
 * The roster sync as a start step: the MQTT topics and/or the HTTPS pull feeding the
 * verifier (RosterSync). When a message says the gateway is behind (a newer pointer, a gap,
 * a local import, an invalid delta), one catch-up runs: a pull since the current version
 * where there is a pull URL, else a request on MQTT for the district system to answer.
 * Catch-ups never overlap; a failed pull is retried with backoff. Nothing here touches the
 * door: the pipeline reads whatever roster index is current.
 */
export class RosterSyncPart {
  readonly #d: RosterSyncPartDeps;
  readonly #backoff: Backoff;
  #timer: NodeJS.Timeout | undefined;
  #pulling: Promise<void> | null = null;
  #again = false;
  #stopped = true;

  constructor(deps: RosterSyncPartDeps) {
    this.#d = deps;
    this.#backoff = new Backoff(deps.retry);
  }

  /** The verifier (tests, the file command). */
  get sync(): RosterSync {
    return this.#d.sync;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#d.sync.load();
    await this.#d.mqtt?.start();
    if (this.#d.pull) this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#d.mqtt?.stop();
    await this.#pulling?.catch(() => undefined);
  }

  /** A message off MQTT (the source calls this). */
  onMessage(payload: Buffer): void {
    if (this.#stopped) return;
    this.#follow(this.#d.sync.accept(payload, 'mqtt'), 'mqtt');
  }

  /** Pulls now (and then on the usual period); resolves when this pull is done. */
  pullNow(): Promise<void> {
    clearTimeout(this.#timer);
    return this.#pull();
  }

  /** The status of the sync for /healthz and the dashboard. */
  status(): RosterSyncStatus {
    const s = this.#d.sync.state;
    const refusal = this.#d.sync.journal.lastRefusal();
    return {
      version: s?.version ?? null,
      signer: s ? { keyId: s.keyId, label: this.#d.keys.get(s.keyId)?.label ?? null } : null,
      at: s ? new Date(s.at).toISOString() : null,
      via: s?.via ?? null,
      connected: this.#d.mqtt ? this.#d.mqtt.connected : null,
      lastRefusal: refusal
        ? { reason: refusal.reason ?? '', at: new Date(refusal.at).toISOString(), detail: refusal.detail }
        : null,
    };
  }

  /** What an outcome asks for next: a catch-up when the district system is ahead. */
  #follow(o: Outcome, via: 'mqtt' | 'https'): void {
    const snapshotNeeded = o.result === 'refused' && o.reason === 'invalid_roster' && o.kind === 'delta';
    if (o.result !== 'behind' && !snapshotNeeded) return;
    const since = snapshotNeeded ? 0 : (o as { since: number }).since;
    if (this.#d.pull) {
      // A pointer's news may be the delta that is already on its way: give it a moment.
      if (via === 'mqtt') this.#schedule(CATCH_UP_GRACE_MS);
      else this.#again = true;
    } else this.#d.mqtt?.request(since, snapshotNeeded ? 'invalid delta' : 'behind');
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#pull(), ms);
    this.#timer.unref();
  }

  #pull(): Promise<void> {
    if (this.#pulling !== null) {
      this.#again = true;
      return this.#pulling;
    }
    const run = this.#pullOnce().finally(() => {
      this.#pulling = null;
    });
    this.#pulling = run;
    return run;
  }

  async #pullOnce(): Promise<void> {
    const pull = this.#d.pull;
    if (!pull || this.#stopped) return;
    let next = this.#d.pullIntervalMs;
    try {
      // A pull may end behind (a gap in what came, an invalid delta): pull again from where
      // the roster now stands, a few times at most, so a broken upstream cannot spin us.
      for (let round = 0; round < 3; round++) {
        this.#again = false;
        const messages = await pull.since(this.#d.sync.since);
        for (const m of messages) {
          if (this.#stopped) return;
          this.#follow(this.#d.sync.accept(m, 'https'), 'https');
        }
        if (!this.#again) break;
      }
      this.#backoff.reset();
    } catch (err) {
      next = Math.min(next, this.#backoff.next());
      this.#d.log.warn({ err: (err as Error).message, retryInMs: next }, 'roster pull failed');
    }
    this.#schedule(next);
  }
}
