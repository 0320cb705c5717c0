import { createHash } from 'node:crypto';
import * as C from '../../drivers/idcard/constants.js';
import { asRequest, encodeReply, type SamFrame, scanFrame } from '../../drivers/idcard/frame.js';
import { encodeReadData, encodeText, type IdCardText } from '../../drivers/idcard/text.js';
import { SimDevice } from './device.js';

/** Matches a request with this command and parameter: for `reader.expect(samCommand(CMD_FIND))`. */
export function samCommand(c: readonly [number, number]): (f: SamFrame) => boolean {
  return (f) => f.body[0] === c[0] && f.body[1] === c[1];
}

/** A card the simulated reader can hold: its text, and optionally a kind mark ('I', 'J'). */
export interface SimIdCard {
  text: IdCardText;
  /** 1,024 opaque bytes; derived from the number when absent. */
  photo?: Buffer;
  kindMark?: string;
}

/** How the simulated SAM behaves after a card was read. */
export interface SimIdCardReaderOptions {
  /**
   * What find answers while an already-read card stays on the reader: 'found' (the card
   * is found again, as most SAMs do) or 'no-card' (it stays halted until lifted).
   */
  afterRead?: 'found' | 'no-card';
}

/**
 * A second-generation ID-card reader: cards are placed and removed; find answers 9F or
 * 80, select 90 or 81, read a real 1,295-byte reply with a UCS-2 text block.
 */
export class SimIdCardReader extends SimDevice<SamFrame> {
  readonly #afterRead: 'found' | 'no-card';
  #card: SimIdCard | null = null;
  #selected = false;
  #readDone = false;
  /** Read replies sent (one per read command answered with 90). */
  reads = 0;

  constructor(opts: SimIdCardReaderOptions = {}) {
    super(scanFrame);
    this.#afterRead = opts.afterRead ?? 'found';
  }

  /** Puts a card on the reader. */
  place(card: SimIdCard): void {
    this.#card = card;
    this.#selected = false;
    this.#readDone = false;
  }

  /** Takes the card away. */
  remove(): void {
    this.#card = null;
    this.#selected = false;
  }

  protected override respond(frame: SamFrame): Buffer | null {
    const { cmd, param } = asRequest(frame);
    const is = (c: readonly [number, number]) => cmd === c[0] && param === c[1];
    if (is(C.CMD_RESET_SAM) || is(C.CMD_SAM_STATUS)) return encodeReply(C.SW_OK);
    if (is(C.CMD_SAM_ID)) return encodeReply(C.SW_OK, Buffer.from('05000000000000000123456789ABCDEF', 'hex'));
    if (is(C.CMD_FIND)) {
      const visible = this.#card && !(this.#readDone && this.#afterRead === 'no-card');
      return visible ? encodeReply(C.SW_CARD_FOUND, Buffer.alloc(4)) : encodeReply(C.SW_NO_CARD);
    }
    if (is(C.CMD_SELECT)) {
      this.#selected = this.#card !== null;
      return this.#selected ? encodeReply(C.SW_OK, Buffer.alloc(8)) : encodeReply(C.SW_SELECT_FAILED);
    }
    if (is(C.CMD_READ)) {
      if (!this.#card || !this.#selected) return encodeReply(C.SW_READ_FAILED);
      this.reads++;
      this.#readDone = true;
      this.#selected = false;
      return encodeReply(
        C.SW_OK,
        encodeReadData(encodeText(this.#card.text, this.#card.kindMark), photoOf(this.#card)),
      );
    }
    return encodeReply(C.SW_BAD_COMMAND);
  }
}

/** The card's wlt photo: opaque bytes, fixed per card so that its hash is stable. */
export function photoOf(card: SimIdCard): Buffer {
  if (card.photo) return card.photo;
  const seed = createHash('sha256').update(card.text.number).digest();
  const out = Buffer.alloc(C.PHOTO_BYTES);
  for (let i = 0; i < out.length; i++) out[i] = seed[i % seed.length] ?? 0;
  return out;
}
