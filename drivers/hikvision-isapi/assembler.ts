import type { RejectReason } from '../../core/contracts.js';
import { looksLikeJpeg } from '../http/mapped.js';
import type { PartEvent } from '../http/multipart.js';
import { type ParsedEvent, parseEventText } from './event.js';

/** An event with the picture that came after it, if one did. */
export interface AssembledEvent {
  parsed: ParsedEvent;
  image?: { mime: string; data: Buffer };
}

/** What the assembler reports besides events. */
export interface AssemblerSinks {
  event: (e: AssembledEvent) => void;
  /** Input that is no event: counted and logged by the caller (never with the bytes). */
  bad: (reason: RejectReason, detail: string) => void;
  /** A picture dropped while its event is kept: too large, truncated, not a JPEG, or with no event. */
  pictureDropped: (why: 'oversize' | 'truncated' | 'not_jpeg' | 'stray') => void;
}

const EVENT_TYPES = new Set([
  'application/json',
  'text/json',
  'application/xml',
  'text/xml',
  'text/plain',
  '',
]);
const PICTURE_NAMES = /^(picture|faceimage|img|image|pic)/i;

/**
 * Pairs Hikvision parts into events: an `event_log` (or alertStream event) part, then as many
 * picture parts as its `picturesNumber` says. Tolerant of firmware that omits a part's
 * Content-Type (the part is judged by its first byte) or sends fewer pictures than announced
 * (the event goes on without when the next event or the end comes). A picture is checked
 * (JPEG, size) before it is attached; a bad one is dropped and the event kept.
 */
export class HikAssembler {
  readonly #zone: number;
  readonly #maxPicture: number;
  readonly #out: AssemblerSinks;
  #pending: { parsed: ParsedEvent; want: number; image?: { mime: string; data: Buffer } } | null = null;

  constructor(zoneMinutes: number, maxPictureBytes: number, out: AssemblerSinks) {
    this.#zone = zoneMinutes;
    this.#maxPicture = maxPictureBytes;
    this.#out = out;
  }

  /** True while an event waits for its picture. */
  get waiting(): boolean {
    return this.#pending !== null;
  }

  /** Takes one parser event. */
  part(e: PartEvent): void {
    switch (e.kind) {
      case 'part': {
        const p = e.part;
        if (isPicture(p.type, p.name, p.body)) {
          this.#picture(p.type, p.body);
          return;
        }
        if (!EVENT_TYPES.has(p.type)) {
          this.#out.bad('bad_frame', `part of type ${p.type} is neither an event nor a picture`);
          return;
        }
        this.flush();
        const parsed = parseEventText(p.body.toString('utf8'), this.#zone);
        const want = parsed.ok && parsed.kind === 'access' ? parsed.event.pictures : 0;
        if (want > 0) this.#pending = { parsed, want };
        else this.#out.event({ parsed });
        return;
      }
      case 'oversize':
        if (isPicture(e.type, e.name, null)) {
          this.#dropPicture('oversize');
          return;
        }
        this.#out.bad('too_large', `a part of ${e.bytes} bytes (type ${e.type || 'none'}) was skipped`);
        return;
      case 'truncated':
        if (isPicture(e.part.type, e.part.name, e.part.body)) {
          this.#dropPicture('truncated');
          return;
        }
        this.flush();
        this.#out.bad('bad_frame', `event part cut short after ${e.part.body.length} bytes`);
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

  /** Hands on an event still waiting for pictures (the next event came, the body or stream ended, a wait ran out). */
  flush(): void {
    const p = this.#pending;
    this.#pending = null;
    if (p) this.#out.event({ parsed: p.parsed, ...(p.image ? { image: p.image } : {}) });
  }

  #picture(type: string, body: Buffer): void {
    if (!this.#pending) {
      this.#out.pictureDropped('stray');
      return;
    }
    if (!looksLikeJpeg(body)) this.#dropPicture('not_jpeg');
    else if (body.length > this.#maxPicture) this.#dropPicture('oversize');
    else {
      // The first picture is the face snapshot; later ones (a scene shot) are not kept.
      this.#pending.image ??= { mime: type.startsWith('image/') ? type : 'image/jpeg', data: body };
      this.#pending.want--;
    }
    if (this.#pending && this.#pending.want <= 0) this.flush();
  }

  #dropPicture(why: 'oversize' | 'truncated' | 'not_jpeg'): void {
    this.#out.pictureDropped(why);
    if (!this.#pending) return;
    this.#pending.want--;
    if (this.#pending.want <= 0) this.flush();
  }
}

function isPicture(type: string, name: string | null, body: Buffer | null): boolean {
  if (type.startsWith('image/')) return true;
  if (name !== null && PICTURE_NAMES.test(name)) return true;
  // A part without a type: a JPEG says so in its first bytes.
  return type === '' && body !== null && looksLikeJpeg(body);
}
