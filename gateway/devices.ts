import type { Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { ReaderStatus } from '../core/contracts.js';
import { ClockOffset } from './clock-offset.js';
import type { ReaderConfig } from './config/schema.js';
import type { SyncResult } from './roster/fingerprint-sync.js';
import type { Db } from './store/db.js';

/** What the API and dashboard show of a device. */
export interface DeviceView {
  id: string;
  kind: 'reader';
  doorId: string;
  driver: string;
  direction: 'in' | 'out';
  /** null until the reader has said anything since the gateway started. */
  online: boolean | null;
  since: number | null;
  lastSeen: number | null;
  firmware: string | null;
  clockOffsetMs: number | null;
  counters: Record<string, number>;
  /** Fingerprint readers: the last roster sync of the module's library (null before the first). */
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

/**
 * Tracks every configured reader: online state from status messages and wills, last
 * activity, clock offset, error counters; raises device_offline after the grace period.
 * Kept in memory and written every 30 s (edge boxes run on flash: writes few and batched).
 */
export class DeviceRegistry {
  readonly #devices = new Map<string, DeviceState>();
  readonly #clock: Clock;
  readonly #graceMs: number;
  readonly #log: Logger;
  readonly #upsert: Statement;
  readonly #db: Db;
  readonly #onOffline: (readerId: string, since: number) => void;
  readonly #startedAt: number;
  #timer: NodeJS.Timeout | undefined;
  #lastPersist = 0;
  #lineStats: (readerId: string) => Readonly<Record<string, number>> | undefined = () => undefined;
  #syncState: (readerId: string) => SyncResult | null | undefined = () => undefined;

  constructor(
    db: Db,
    readers: readonly ReaderConfig[],
    clock: Clock,
    graceMs: number,
    log: Logger,
    onOffline: (readerId: string, since: number) => void,
  ) {
    this.#db = db;
    this.#clock = clock;
    this.#graceMs = graceMs;
    this.#log = log;
    this.#onOffline = onOffline;
    this.#startedAt = clock.now();
    this.#upsert = db.prepare(
      `INSERT INTO devices(id, kind, online, since, last_seen, firmware, clock_offset_ms, counters)
       VALUES (@id, 'reader', @online, @since, @lastSeen, @firmware, @offset, @counters)
       ON CONFLICT(id) DO UPDATE SET online = excluded.online, since = excluded.since, last_seen = excluded.last_seen,
         firmware = excluded.firmware, clock_offset_ms = excluded.clock_offset_ms, counters = excluded.counters`,
    );
    const rows = new Map(
      (
        db.prepare('SELECT id, last_seen, firmware, clock_offset_ms, counters FROM devices').all() as Array<{
          id: string;
          last_seen: number | null;
          firmware: string | null;
          clock_offset_ms: number | null;
          counters: string | null;
        }>
      ).map((r) => [r.id, r]),
    );
    for (const cfg of readers) {
      const row = rows.get(cfg.id);
      this.#devices.set(cfg.id, {
        cfg,
        online: null,
        since: null,
        lastSeen: row?.last_seen ?? null,
        firmware: row?.firmware ?? null,
        offset: new ClockOffset(row?.clock_offset_ms ?? null),
        counters: row?.counters ? (JSON.parse(row.counters) as Record<string, number>) : {},
        offlineAlerted: false,
        dirty: false,
      });
    }
  }

  start(): void {
    this.#timer = setInterval(() => this.tick(), 5000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
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
      this.#log.info({ reader: readerId, online: s.online }, s.online ? 'reader online' : 'reader offline');
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

  /**
   * Where list() finds each reader's line counters (serial drivers count frames, frame
   * errors, discarded bytes, timeouts, opens): shown as `line.<name>` beside the counters.
   */
  setLineStats(f: (readerId: string) => Readonly<Record<string, number>> | undefined): void {
    this.#lineStats = f;
  }

  /** Where list() finds a fingerprint reader's last roster sync (undefined: not such a reader). */
  setSyncState(f: (readerId: string) => SyncResult | null | undefined): void {
    this.#syncState = f;
  }

  get onlineCount(): number {
    let n = 0;
    for (const d of this.#devices.values()) if (d.online) n++;
    return n;
  }

  list(): DeviceView[] {
    return [...this.#devices.values()].map((d) => {
      const view: DeviceView = {
        id: d.cfg.id,
        kind: 'reader',
        doorId: d.cfg.door,
        driver: d.cfg.driver,
        direction: d.cfg.direction,
        online: d.online,
        since: d.since,
        lastSeen: d.lastSeen,
        firmware: d.firmware,
        clockOffsetMs: d.offset.persistable,
        counters: { ...d.counters, ...prefixed(this.#lineStats(d.cfg.id)) },
      };
      const sync = this.#syncState(d.cfg.id);
      if (sync !== undefined) view.fingerprintSync = sync;
      return view;
    });
  }

  /** Raises device_offline for readers past the grace period; persists now and then. */
  tick(): void {
    const now = this.#clock.now();
    for (const d of this.#devices.values()) {
      if (d.offlineAlerted) continue;
      const downSince = d.online === false ? (d.since ?? now) : d.online === null ? this.#startedAt : null;
      if (downSince !== null && now - downSince >= this.#graceMs) {
        d.offlineAlerted = true;
        this.#onOffline(d.cfg.id, downSince);
      }
    }
    if (now - this.#lastPersist >= 30_000) this.persist(false);
  }

  /** Writes changed devices in one transaction. */
  persist(force: boolean): void {
    const dirty = [...this.#devices.values()].filter((d) => d.dirty || force);
    this.#lastPersist = this.#clock.now();
    if (dirty.length === 0) return;
    try {
      this.#db.transaction(() => {
        for (const d of dirty) {
          this.#upsert.run({
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
      this.#log.error({ err }, 'could not persist device states');
    }
  }
}

function prefixed(stats: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (stats) for (const [k, v] of Object.entries(stats)) out[`line.${k}`] = v;
  return out;
}
