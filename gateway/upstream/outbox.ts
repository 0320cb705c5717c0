import type { Statement } from 'better-sqlite3';
import type { CloudEvent } from '../../core/cloudevent.js';
import type { Store } from '../store/store.js';

/** Delivery class: alerts and ledger events are kept longest when the quota bites. */
export const CLASS_ALERT = 0;
export const CLASS_ACCESS = 1;

/** The MQTT topic below `{prefix}/{estateId}` an event goes to; reports: the monthly report (issue 14). */
export type Channel = 'alerts' | 'access' | 'reports';

export interface OutboxRow {
  seq: number;
  eventId: string;
  channel: Channel;
  partition: string | null;
  body: string;
  bytes: number;
}

/**
 * The SQLite outbox: events are written in the same transaction as the journal row that
 * caused them, and leave only when the upstream acknowledged them (at-least-once,
 * design.md §7). Order is the insertion order, which keeps order per household.
 */
export class Outbox {
  readonly #store: Store;
  /** Row count and bytes, read from the table on first use (the store is open by then). */
  #counted = false;
  #bytes = 0;
  #count = 0;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Adds an event. Call inside the transaction that records its cause. */
  add(ev: CloudEvent, klass: number, channel: Channel, now: number): void {
    this.#counters();
    const body = JSON.stringify(ev);
    const bytes = Buffer.byteLength(body);
    const r = this.#store
      .statement(
        'INSERT OR IGNORE INTO outbox(event_id, class, channel, partition, body, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(ev.id, klass, channel, ev.subject ?? null, body, bytes, now);
    if (r.changes > 0) {
      this.#count++;
      this.#bytes += bytes;
    }
  }

  /** Up to `limit` events after `afterSeq`, oldest first. */
  peek(afterSeq: number, limit: number): OutboxRow[] {
    return this.#store
      .statement(
        'SELECT seq, event_id AS eventId, channel, partition, body, bytes FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?',
      )
      .all(afterSeq, limit) as OutboxRow[];
  }

  /** Removes delivered events, in one transaction. */
  remove(rows: readonly OutboxRow[]): void {
    if (rows.length === 0) return;
    this.#counters();
    const del = this.#delete();
    this.#store.db.transaction(() => {
      for (const r of rows) {
        if (del.run(r.seq).changes > 0) {
          this.#count--;
          this.#bytes -= r.bytes;
        }
      }
    })();
  }

  /**
   * Enforces the disk quota: drops the oldest access records first, then the oldest
   * alerts, until the outbox fits. Returns how many of each were dropped.
   */
  enforceQuota(maxBytes: number): { access: number; alerts: number } {
    const dropped = { access: 0, alerts: 0 };
    this.#counters();
    if (this.#bytes <= maxBytes) return dropped;
    const pick = this.#store.statement(
      'SELECT seq, bytes FROM outbox WHERE class = ? ORDER BY seq LIMIT 500',
    );
    const del = this.#delete();
    this.#store.db.transaction(() => {
      for (const klass of [CLASS_ACCESS, CLASS_ALERT]) {
        while (this.#bytes > maxBytes) {
          const rows = pick.all(klass) as Array<{ seq: number; bytes: number }>;
          if (rows.length === 0) break;
          for (const r of rows) {
            if (this.#bytes <= maxBytes) break;
            del.run(r.seq);
            this.#bytes -= r.bytes;
            this.#count--;
            if (klass === CLASS_ACCESS) dropped.access++;
            else dropped.alerts++;
          }
        }
      }
    })();
    return dropped;
  }

  /** Re-reads the counters after a transaction that added rows was rolled back. */
  resync(): void {
    const s = this.#store
      .statement('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM outbox')
      .get() as { n: number; b: number };
    this.#count = s.n;
    this.#bytes = s.b;
    this.#counted = true;
  }

  /** When the oldest event waiting was queued (epoch ms); null when none waits. */
  oldestAt(): number | null {
    if (this.depth === 0) return null;
    try {
      const r = this.#store.statement('SELECT created_at FROM outbox ORDER BY seq LIMIT 1').get() as
        | { created_at: number }
        | undefined;
      return r?.created_at ?? null;
    } catch {
      return null; // a failing store: health still answers
    }
  }

  /** Events waiting. */
  get depth(): number {
    this.#counters();
    return this.#count;
  }
  /** Bytes waiting. */
  get bytes(): number {
    this.#counters();
    return this.#bytes;
  }

  #counters(): void {
    if (!this.#counted) this.resync();
  }

  #delete(): Statement {
    return this.#store.statement('DELETE FROM outbox WHERE seq = ?');
  }
}
