import type { ViidFace } from '../../../core/viid-wire.js';
import { isThumbRef, readThumb } from '../../ledger/evidence-refs.js';
import type { QueuedFace } from './viid-queue.js';

/** A thumbnail not written this long after its read will not be: the thumbnailer dropped it. */
const THUMB_GRACE_MS = 60_000;

/** What became of a queued face when its image was looked for. */
export type Loaded = { face: ViidFace } | { wait: true } | { gone: 'no_journal' | 'no_image' | 'bad_ref' };

/**
 * The JPEG of a queued face, made at send time from the stored thumbnail (faces stay on the
 * box until the platform takes them, and then only the thumbnail leaves). The reference is
 * checked by ledger/evidence-refs.ts, so no row can steer a read outside the thumbnail folder. A thumbnail still being written is waited for; one that never came
 * is given up (counted by the caller).
 */
export class ViidFaces {
  readonly #dataDir: string;
  readonly #deviceIdOf: (readerId: string) => string;

  constructor(dataDir: string, deviceIdOf: (readerId: string) => string) {
    this.#dataDir = dataDir;
    this.#deviceIdOf = deviceIdOf;
  }

  async load(q: QueuedFace, now: number): Promise<Loaded> {
    if (q.ts === null || q.readerId === null) return { gone: 'no_journal' };
    if (!isThumbRef(q.thumb)) return { gone: 'bad_ref' };
    const bytes = (await readThumb(this.#dataDir, q.thumb)).data;
    if (bytes === null) return now - q.createdAt < THUMB_GRACE_MS ? { wait: true } : { gone: 'no_image' };
    const sharp = (await import('sharp')).default;
    try {
      const { data, info } = await sharp(bytes, { failOn: 'error' })
        .jpeg({ quality: 85 })
        .toBuffer({ resolveWithObject: true });
      return {
        face: {
          deviceId: this.#deviceIdOf(q.readerId),
          ts: q.ts,
          seq: q.journalSeq,
          jpeg: data,
          width: info.width,
          height: info.height,
        },
      };
    } catch {
      return { gone: 'no_image' };
    }
  }
}
