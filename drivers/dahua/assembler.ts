import type { RejectReason } from '../../core/contracts.js';
import { looksLikeJpeg } from '../http/mapped.js';
import type { PartEvent } from '../http/multipart.js';
import { parseEventText } from './codec.js';
import { type ParsedDahua, readEvent } from './event.js';

/** An event with its face picture, if one came. */
export interface DahuaAssembled {
  parsed: ParsedDahua;
  image?: { mime: string; data: Buffer };
}

/** Where the assembler reports. */
export interface DahuaAssemblerSinks {
  event: (e: DahuaAssembled) => void;
  bad: (reason: RejectReason, detail: string) => void;
  pictureDropped: (why: 'oversize' | 'truncated' | 'not_jpeg' | 'stray' | 'bad_slice') => void;
  heartbeat: () => void;
}

/**
 * Pairs Dahua parts into events: a text part (attach line, snap key=value lines, or a push's
 * JSON `info`) with its events, then the picture part(s). A snap event's pictures sit in
 * one image part, cut by each `ImageInfo` Offset/Length; a push sends one JPEG part per
 * picture. Only the first picture (the face) is kept; it is checked before it is attached.
 */
export class DahuaAssembler {
  readonly #zone: number;
  readonly #maxPicture: number;
  readonly #out: DahuaAssemblerSinks;
  #pending: { items: DahuaAssembled[]; want: number } | null = null;

  readonly #onePart: boolean;

  /** `imagesInOnePart`: snapManager's stream (every picture in one part, cut by Offset/Length); false for a push (a part per picture). */
  constructor(
    zoneMinutes: number,
    maxPictureBytes: number,
    out: DahuaAssemblerSinks,
    imagesInOnePart = false,
  ) {
    this.#zone = zoneMinutes;
    this.#maxPicture = maxPictureBytes;
    this.#out = out;
    this.#onePart = imagesInOnePart;
  }

  part(e: PartEvent): void {
    switch (e.kind) {
      case 'part': {
        const p = e.part;
        if (p.type.startsWith('image/') || (p.type === '' && looksLikeJpeg(p.body))) {
          this.#picture(p.body);
          return;
        }
        this.flush();
        const parsed = parseEventText(p.body.toString('utf8'));
        if (!parsed.ok) {
          this.#out.bad(parsed.reason, parsed.detail);
          return;
        }
        if (parsed.kind === 'heartbeat') {
          this.#out.heartbeat();
          return;
        }
        const items = parsed.events.map((raw) => ({ parsed: readEvent(raw, this.#zone, parsed.time) }));
        const want = items.reduce((n, i) => n + (i.parsed.ok ? i.parsed.event.images.length : 0), 0);
        if (want > 0) this.#pending = { items, want };
        else for (const i of items) this.#out.event(i);
        return;
      }
      case 'oversize':
        if (e.type.startsWith('image/')) this.#drop('oversize');
        else this.#out.bad('too_large', `a part of ${e.bytes} bytes was skipped`);
        return;
      case 'truncated':
        if (e.part.type.startsWith('image/')) this.#drop('truncated');
        else {
          this.flush();
          this.#out.bad('bad_frame', `event part cut short after ${e.part.body.length} bytes`);
        }
        return;
      case 'garbage':
        this.#out.bad('bad_frame', `${e.bytes} bytes between parts that are no part`);
        return;
      case 'bad_head':
        this.#out.bad('bad_frame', e.detail);
        return;
      case 'end':
        this.flush();
        return;
    }
  }

  /** Hands on events still waiting for pictures. */
  flush(): void {
    const p = this.#pending;
    this.#pending = null;
    if (p) for (const i of p.items) this.#out.event(i);
  }

  #picture(body: Buffer): void {
    const p = this.#pending;
    if (!p) {
      this.#out.pictureDropped('stray');
      return;
    }
    const first = p.items.find((i) => i.parsed.ok && i.parsed.event.images.length > 0 && !i.image);
    const slices = first?.parsed.ok ? first.parsed.event.images : [];
    const slice = this.#onePart ? slices[0] : undefined;
    const face = slice ? body.subarray(slice.offset, slice.offset + slice.length) : body;
    if (slice && (slice.offset + slice.length > body.length || slice.length === 0))
      this.#out.pictureDropped('bad_slice');
    else if (!looksLikeJpeg(face)) this.#out.pictureDropped('not_jpeg');
    else if (face.length > this.#maxPicture) this.#out.pictureDropped('oversize');
    else if (first) first.image = { mime: 'image/jpeg', data: Buffer.from(face) };
    else if (!this.#onePart) this.#out.pictureDropped('stray');
    // Snap: the one part carried every picture. Push: one picture per part.
    p.want -= this.#onePart ? Math.max(1, slices.length) : 1;
    if (p.want <= 0) this.flush();
  }

  #drop(why: 'oversize' | 'truncated'): void {
    this.#out.pictureDropped(why);
    if (!this.#pending) return;
    this.#pending.want--;
    if (this.#pending.want <= 0) this.flush();
  }
}
