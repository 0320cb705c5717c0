import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { localDate } from '../../core/time.js';
import type { LogLimiter } from '../log-limit.js';
import type { Metrics } from '../metrics.js';

export interface ThumbnailOptions {
  maxPx: number;
  format: 'webp' | 'jpeg';
  quality: number;
  /** Images waiting; past this new ones are dropped (and counted), never the door. */
  queue: number;
}

/** Where a read's thumbnail lives, relative to the data dir: by local day, then a hash. */
export function thumbPath(readerId: string, recordId: string, ts: number, format: 'webp' | 'jpeg'): string {
  const h = createHash('sha1').update(readerId).update('\0').update(recordId).digest('hex').slice(0, 20);
  return `thumbs/${localDate(ts)}/${h}.${format === 'webp' ? 'webp' : 'jpg'}`;
}

/**
 * Makes face thumbnails off the door path: ≤ maxPx, re-encoded (which drops EXIF and
 * every other metadata), written atomically. The raw image is never stored; on a crash
 * the images still queued are lost — a thumbnail is evidence, not a record.
 */
export class Thumbnailer {
  readonly #dir: string;
  readonly #opts: ThumbnailOptions;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #limiter: LogLimiter | undefined;
  readonly #queue: Array<{ rel: string; data: Buffer }> = [];
  #running = 0;
  #idle: Array<() => void> = [];

  /** `limiter`: failures repeat for every image while the disk is full (issue 12 item 6). */
  constructor(dataDir: string, opts: ThumbnailOptions, log: Logger, metrics: Metrics, limiter?: LogLimiter) {
    this.#dir = dataDir;
    this.#opts = opts;
    this.#log = log;
    this.#metrics = metrics;
    this.#limiter = limiter;
  }

  /** Queues an image; false when the queue is full and it was dropped. */
  enqueue(rel: string, data: Buffer): boolean {
    if (this.#queue.length >= this.#opts.queue) {
      this.#metrics.thumbnails.inc({ result: 'dropped' });
      return false;
    }
    this.#queue.push({ rel, data });
    this.#pump();
    return true;
  }

  get pending(): number {
    return this.#queue.length + this.#running;
  }

  /** Resolves when every queued thumbnail is written (or failed). */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#running < 1 && this.#queue.length > 0) {
      const job = this.#queue.shift() as { rel: string; data: Buffer };
      this.#running++;
      this.#make(job.rel, job.data)
        .then(() => this.#metrics.thumbnails.inc({ result: 'ok' }))
        .catch((err: unknown) => {
          this.#metrics.thumbnails.inc({ result: 'failed' });
          const obj = { err: (err as Error).message, thumb: job.rel };
          const code = (err as { code?: string }).code ?? 'error';
          if (this.#limiter) this.#limiter.write('warn', `thumbnail ${code}`, obj, 'thumbnail failed');
          else this.#log.warn(obj, 'thumbnail failed');
        })
        .finally(() => {
          this.#running--;
          this.#pump();
          if (this.pending === 0) for (const f of this.#idle.splice(0)) f();
        });
    }
  }

  async #make(rel: string, data: Buffer): Promise<void> {
    // libvips costs ~20 MB of resident memory: load it with the first image, so boxes
    // whose readers send none (cards, fingerprints) never pay for it.
    const sharp = (await import('sharp')).default;
    const img = sharp(data, { failOn: 'error', limitInputPixels: 40_000_000 })
      .rotate()
      .resize(this.#opts.maxPx, this.#opts.maxPx, { fit: 'inside', withoutEnlargement: true });
    const out = await (this.#opts.format === 'webp'
      ? img.webp({ quality: this.#opts.quality })
      : img.jpeg({ quality: this.#opts.quality, mozjpeg: true })
    ).toBuffer();
    const file = path.join(this.#dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    await writeFile(tmp, out);
    await rename(tmp, file);
  }

  /**
   * Deletes day folders older than `days` (face data retention, design.md §9), except the
   * thumbnails in `keep` — evidence of cases still open (issue 9 item 7): a folder that
   * holds some loses every other file and stays. Returns the folders removed whole.
   */
  async sweep(days: number, now: number, keep: ReadonlySet<string> = new Set()): Promise<number> {
    const root = path.join(this.#dir, 'thumbs');
    const cutoff = localDate(now - days * 86_400_000);
    let removed = 0;
    let dirs: string[];
    try {
      dirs = await readdir(root);
    } catch {
      return 0;
    }
    const keptDays = new Set([...keep].map((ref) => ref.split('/')[1]));
    for (const d of dirs) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || d >= cutoff) continue;
      const dir = path.join(root, d);
      if (!keptDays.has(d)) {
        await rm(dir, { recursive: true, force: true });
        removed++;
        continue;
      }
      for (const f of await readdir(dir)) {
        if (!keep.has(`thumbs/${d}/${f}`)) await rm(path.join(dir, f), { recursive: true, force: true });
      }
    }
    return removed;
  }
}
