import { statfsSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import type { Metrics } from './metrics.js';

/** The file system holding dataDir, at one moment. */
export interface DiskSample {
  freeBytes: number;
  totalBytes: number;
  /** Share of the file system in use, 0–100, one decimal. */
  usedPercent: number;
  at: number;
}

/** What statfs tells of a file system (node:fs StatsFs, the fields used here). */
export interface FsStats {
  blocks: number;
  bsize: number;
  bavail: number;
}

/** How far usage must fall below the watermark before it counts as cleared (no flapping). */
const HYSTERESIS_PERCENT = 2;
/** A sample older than this is taken again when health asks. */
const FRESH_MS = 5000;

/**
 * The disk-space watermark (issue 12 item 1): a full disk stops the journal, so the
 * gateway warns before — at store.diskWarnPercent used, as Hikvision terminals alarm at
 * 90 % of their buffer — in health, in the log and with a disk_space_low alert, once per
 * crossing. statfs is one system call; it is taken every 30 s by housekeeping and when
 * health is asked, never per read.
 */
export class DiskSpace {
  readonly #dir: string;
  readonly #warnPercent: number;
  readonly #clock: Clock;
  readonly #metrics: Metrics;
  readonly #statfs: (dir: string) => FsStats;
  #last: DiskSample | null = null;
  #low = false;

  /** `statfs`: node's by default; tests pass a disk that fills on demand. */
  constructor(
    dir: string,
    warnPercent: number,
    clock: Clock,
    metrics: Metrics,
    statfs: (dir: string) => FsStats = statfsSync,
  ) {
    this.#dir = dir;
    this.#warnPercent = warnPercent;
    this.#clock = clock;
    this.#metrics = metrics;
    this.#statfs = statfs;
  }

  /** The usage that warns, percent. */
  get warnPercent(): number {
    return this.#warnPercent;
  }

  /** Whether usage is past the watermark (as of the last check). */
  get low(): boolean {
    return this.#low;
  }

  /** statfs now; null when it fails (the directory is gone, the mount went away). */
  sample(): DiskSample | null {
    let s: FsStats;
    try {
      s = this.#statfs(this.#dir);
    } catch {
      return null;
    }
    // bavail: what an unprivileged writer may use; root's reserve is no space for us.
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    const used = total > 0 ? Math.round(((total - free) / total) * 1000) / 10 : 0;
    this.#last = { freeBytes: free, totalBytes: total, usedPercent: used, at: this.#clock.now() };
    this.#metrics.diskFreeBytes.set(free);
    return this.#last;
  }

  /** The last sample, taken again when older than a few seconds. */
  get current(): DiskSample | null {
    const l = this.#last;
    if (l && this.#clock.now() - l.at < FRESH_MS) return l;
    return this.sample();
  }

  /**
   * Samples and compares with the watermark: 'crossed' the first time usage reaches it,
   * 'cleared' when it falls back below (by a margin), null otherwise.
   */
  check(): 'crossed' | 'cleared' | null {
    const s = this.sample();
    if (!s) return null;
    if (!this.#low && s.usedPercent >= this.#warnPercent) {
      this.#low = true;
      return 'crossed';
    }
    if (this.#low && s.usedPercent < this.#warnPercent - HYSTERESIS_PERCENT) {
      this.#low = false;
      return 'cleared';
    }
    return null;
  }
}
