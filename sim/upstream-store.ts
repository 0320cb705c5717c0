/**
 * What the simulated upstream keeps: accepted events deduplicated by id (design.md §7:
 * delivery is at-least-once, "the upstream deduplicates by id"), the latest health report
 * of each gateway, counters, and optionally a JSON-lines file.
 */
import { appendFile } from 'node:fs/promises';
import type { UpstreamEvent } from './upstream-envelope.js';

/** Type of the gateway's periodic health event: kept per source, not counted as an alert. */
export const HEALTH_TYPE = 'estate.gateway.health';

/** An accepted event and when it arrived (host epoch ms). */
export interface UpstreamRecord {
  event: UpstreamEvent;
  receivedAt: number;
}

/** Counters of the store. */
export interface StoreCounts {
  /** Batches accepted. */
  batches: number;
  /** New events recorded (health excluded). */
  accepted: number;
  /** Events whose id had been seen before: retries after a lost acknowledgement. */
  duplicates: number;
  /** Health reports received. */
  health: number;
  /** New events by type. */
  byType: Record<string, number>;
}

/** Options of UpstreamStore. */
export interface UpstreamStoreOptions {
  /** Append every new event as one JSON line to this file. */
  file?: string;
  /** Events kept in memory, oldest forgotten first (ids are never forgotten). */
  maxEvents: number;
  /** Called for each new event, after it is stored. */
  onEvent: (ev: UpstreamEvent, receivedAt: number) => void;
  /** Called for each health report. */
  onHealth: (ev: UpstreamEvent) => void;
}

/** Accepted events, deduplicated. */
export class UpstreamStore {
  readonly #o: UpstreamStoreOptions;
  readonly #seen = new Set<string>();
  readonly #records: UpstreamRecord[] = [];
  readonly #health = new Map<string, UpstreamEvent>();
  /** File appends, chained so lines keep arrival order. */
  #writing: Promise<void> = Promise.resolve();
  readonly #counts: StoreCounts = { batches: 0, accepted: 0, duplicates: 0, health: 0, byType: {} };

  constructor(opts: UpstreamStoreOptions) {
    this.#o = opts;
  }

  /**
   * Takes a valid batch. Resolves once the new events are stored (on disk when there is a
   * file: an acknowledged event is never lost); rejects when the file write fails, and then
   * nothing of the batch counts as seen, so the sender's retry is accepted.
   */
  async accept(events: readonly UpstreamEvent[]): Promise<{ accepted: number; duplicates: number }> {
    const fresh: UpstreamEvent[] = [];
    let duplicates = 0;
    for (const ev of events) {
      if (ev.type === HEALTH_TYPE) {
        this.#counts.health++;
        this.#health.set(ev.source, ev);
        this.#o.onHealth(ev);
      } else if (this.#seen.has(ev.id)) duplicates++;
      else {
        // Claimed at once: a repeat within the batch, or a concurrent retry, is a duplicate.
        this.#seen.add(ev.id);
        fresh.push(ev);
      }
    }
    try {
      if (this.#o.file && fresh.length > 0) await this.#append(this.#o.file, fresh);
    } catch (err) {
      for (const ev of fresh) this.#seen.delete(ev.id);
      throw err;
    }
    const now = Date.now();
    this.#counts.batches++;
    this.#counts.duplicates += duplicates;
    for (const ev of fresh) {
      this.#records.push({ event: ev, receivedAt: now });
      this.#counts.accepted++;
      this.#counts.byType[ev.type] = (this.#counts.byType[ev.type] ?? 0) + 1;
    }
    if (this.#records.length > this.#o.maxEvents)
      this.#records.splice(0, this.#records.length - this.#o.maxEvents);
    for (const ev of fresh) this.#o.onEvent(ev, now);
    return { accepted: fresh.length, duplicates };
  }

  /** Accepted events with their arrival times, oldest first. */
  records(): UpstreamRecord[] {
    return [...this.#records];
  }

  /** The latest health report of each source. */
  health(): Record<string, UpstreamEvent> {
    return Object.fromEntries(this.#health);
  }

  /** A copy of the counters. */
  counts(): StoreCounts {
    return { ...this.#counts, byType: { ...this.#counts.byType } };
  }

  /** Resolves when every file write so far has finished. */
  async flushed(): Promise<void> {
    await this.#writing;
  }

  #append(file: string, events: UpstreamEvent[]): Promise<void> {
    const lines = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    const write = this.#writing.then(() => appendFile(file, lines));
    this.#writing = write.catch(() => undefined);
    return write;
  }
}
