import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { ReaderStatus } from '../core/contracts.js';
import { ClockOffset } from './clock-offset.js';
import type { ReaderConfig } from './config/schema.js';
import type { SyncResult } from './provisioning/sync-result.js';
import type { Store } from './store/store.js';

/** What the API and dashboard show of a device. */
export interface DeviceView {
  id: string;
  kind: 'reader';
  doorId: string;
  driver: string;
  direction: 'in' | 'out';
  /**
   * null when unknown: the reader has said nothing since the gateway started, or the link
   * that carries its status is down (then `linkDown` is true and the last state heard is
   * not shown as if it were current: issue 12 item 2).
   */
  online: boolean | null;
  /** The gateway's link to this reader (its broker session) is down: nothing is known now. */
  linkDown?: true;
  since: number | null;
  lastSeen: number | null;
  firmware: string | null;
  clockOffsetMs: number | null;
  counters: Record<string, number>;
  /** Readers with a library of their own (fingerprint modules): its last roster sync (null before the first). */
  fingerprintSync?: SyncResult | null;
}

interface DeviceState {
  cfg: ReaderConfig;
  online: boolean | null;
  since: number | null;
  lastSeen: number | null;
  firmware: string | null;
  offset: ClockOffset;
  counters: Record<string, number>;
  offlineAlerted: boolean;
  dirty: boolean;
}

/** Where list() finds a reader's line counters: the drivers (serial drivers count frames, errors…). */
export interface LineStats {
  stats(readerId: string): Readonly<Record<string, number>> | undefined;
}

/**
 * Whether the gateway's link to a reader is up (its broker session): false while it is
 * down, undefined for readers that have no such link (serial lines, the embedded broker).
 */
export interface ReaderLinks {
  linkUp(readerId: string): boolean | undefined;
}

/** Where list() finds the last sync of a reader's own library; undefined for a reader without one. */
export interface LibraryStates {
  last(readerId: string): SyncResult | null | undefined;
}

/** A reader found offline past the grace period by sweep(): raise device_offline for it. */
export interface OfflineReader {
  readerId: string;
  doorId: string;
  /** Since when it is down (or, never heard from, since the gateway started). */
  since: number;
}

/** What the device registry is built from (the composition root passes each). */
export interface DeviceRegistryOptions {
  clock: Clock;
  /** How long a reader may be silent or offline before it counts as down. */
  graceMs: number;
  log: Logger;
  lines?: LineStats;
  libraries?: LibraryStates;
  /** The broker sessions of readers: while one is down its reader's state is unknown. */
  links?: ReaderLinks;
}

/**
 * Tracks every configured reader: online state from status messages and wills, last
 * activity, clock offset, error counters; finds readers down past the grace period
 * (sweep). Kept in memory and written every 30 s (edge boxes run on flash: writes few
 * and batched). What was saved is read back by load(), the devices start step.
 */
export class DeviceRegistry {
  readonly #devices = new Map<string, DeviceState>();
  readonly #store: Store;
  readonly #o: DeviceRegistryOptions;
  readonly #startedAt: number;
  #lastPersist = 0;

  constructor(store: Store, readers: readonly ReaderConfig[], o: DeviceRegistryOptions) {
    this.#store = store;
    this.#o = o;
    this.#startedAt = o.clock.now();
    for (const cfg of readers) {
      this.#devices.set(cfg.id, {
        cfg,
        online: null,
        since: null,
        lastSeen: null,
        firmware: null,
        offset: new ClockOffset(null),
        counters: {},
        offlineAlerted: false,
        dirty: false,
      });
    }
  }

  /** Reads back what was saved before a restart: last activity, firmware, clock offset, counters. */
  load(): void {
    const rows = this.#store
      .statement('SELECT id, last_seen, firmware, clock_offset_ms, counters FROM devices')
      .all() as Array<{
      id: string;
      last_seen: number | null;
      firmware: string | null;
      clock_offset_ms: number | null;
      counters: string | null;
    }>;
    for (const row of rows) {
      const d = this.#devices.get(row.id);
      if (!d) continue;
      d.lastSeen = row.last_seen ?? null;
      d.firmware = row.firmware ?? null;
      d.offset = new ClockOffset(row.clock_offset_ms ?? null);
      d.counters = row.counters ? (JSON.parse(row.counters) as Record<string, number>) : {};
    }
  }

  /** Writes every device (the last thing before the store closes). */
  stop(): void {
    this.persist(true);
  }

  has(readerId: string): boolean {
    return this.#devices.has(readerId);
  }

  /** A status message or will from a reader. */
  status(readerId: string, s: ReaderStatus, receivedAt: number): void {
    const d = this.#devices.get(readerId);
    if (!d) return;
    if (!s.retained && typeof s.ts === 'number' && s.online) d.offset.fromStatus(receivedAt, s.ts);
    if (s.firmware) d.firmware = s.firmware;
    if (d.online !== s.online) {
      // A retained "online" from before a restart says little; a retained "offline" is news.
      d.online = s.online;
      d.since = receivedAt;
      d.offlineAlerted = false;
      d.dirty = true;
      this.#o.log.info({ reader: readerId, online: s.online }, s.online ? 'reader online' : 'reader offline');
      this.persist(true);
    }
    if (s.online) d.lastSeen = receivedAt;
  }

  /** Any traffic from the reader proves it alive. */
  seen(readerId: string, at: number): void {
    const d = this.#devices.get(readerId);
    if (!d) return;
    d.lastSeen = at;
    if (d.online !== true) {
      d.online = true;
      d.since = at;
      d.offlineAlerted = false;
    }
    d.dirty = true;
  }

  /** The reader's clock-offset tracker. */
  offset(readerId: string): ClockOffset | undefined {
    return this.#devices.get(readerId)?.offset;
  }

  /** Counts an error for a reader (bad payloads, dropped frames). */
  count(readerId: string, key: string): void {
    const d = this.#devices.get(readerId);
    if (!d) return;
    d.counters[key] = (d.counters[key] ?? 0) + 1;
    d.dirty = true;
  }

  /** Readers online now (a reader behind a link that is down is not known to be). */
  get onlineCount(): number {
    let n = 0;
    for (const d of this.#devices.values()) if (d.online && this.#o.links?.linkUp(d.cfg.id) !== false) n++;
    return n;
  }

  list(): DeviceView[] {
    return [...this.#devices.values()].map((d) => {
      const linkDown = this.#o.links?.linkUp(d.cfg.id) === false;
      const view: DeviceView = {
        id: d.cfg.id,
        kind: 'reader',
        doorId: d.cfg.door,
        driver: d.cfg.driver,
        direction: d.cfg.direction,
        online: linkDown ? null : d.online,
        since: d.since,
        lastSeen: d.lastSeen,
        firmware: d.firmware,
        clockOffsetMs: d.offset.persistable,
        counters: { ...d.counters, ...prefixed(this.#o.lines?.stats(d.cfg.id)) },
      };
      if (linkDown) view.linkDown = true;
      const sync = this.#o.libraries?.last(d.cfg.id);
      if (sync !== undefined) view.fingerprintSync = sync;
      return view;
    });
  }

  /**
   * Readers down past the grace period, each once per outage (the caller raises
   * device_offline); persists now and then. Run every few seconds by housekeeping.
   */
  sweep(): OfflineReader[] {
    const now = this.#o.clock.now();
    const out: OfflineReader[] = [];
    for (const d of this.#devices.values()) {
      // Behind a link that is down nothing is known of the reader: a broker outage is one
      // problem of the link (health), not an offline alert for every reader.
      if (d.offlineAlerted || this.#o.links?.linkUp(d.cfg.id) === false) continue;
      const downSince = d.online === false ? (d.since ?? now) : d.online === null ? this.#startedAt : null;
      if (downSince !== null && now - downSince >= this.#o.graceMs) {
        d.offlineAlerted = true;
        out.push({ readerId: d.cfg.id, doorId: d.cfg.door, since: downSince });
      }
    }
    if (now - this.#lastPersist >= 30_000) this.persist(false);
    return out;
  }

  /** Writes changed devices in one transaction. */
  persist(force: boolean): void {
    const dirty = [...this.#devices.values()].filter((d) => d.dirty || force);
    this.#lastPersist = this.#o.clock.now();
    if (dirty.length === 0) return;
    try {
      const upsert = this.#store.statement(UPSERT);
      this.#store.db.transaction(() => {
        for (const d of dirty) {
          upsert.run({
            id: d.cfg.id,
            online: d.online ? 1 : 0,
            since: d.since,
            lastSeen: d.lastSeen,
            firmware: d.firmware,
            offset: d.offset.persistable,
            counters: JSON.stringify(d.counters),
          });
          d.dirty = false;
        }
      })();
    } catch (err) {
      this.#o.log.error({ err }, 'could not persist device states');
    }
  }
}

const UPSERT = `INSERT INTO devices(id, kind, online, since, last_seen, firmware, clock_offset_ms, counters)
  VALUES (@id, 'reader', @online, @since, @lastSeen, @firmware, @offset, @counters)
  ON CONFLICT(id) DO UPDATE SET online = excluded.online, since = excluded.since, last_seen = excluded.last_seen,
    firmware = excluded.firmware, clock_offset_ms = excluded.clock_offset_ms, counters = excluded.counters`;

function prefixed(stats: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (stats) for (const [k, v] of Object.entries(stats)) out[`line.${k}`] = v;
  return out;
}
