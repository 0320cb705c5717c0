import type { ResidentRef } from '../roster/roster-index.js';

/** One half of a card↔face pair: the credential read, or the face read beside it. */
export interface Half {
  ts: number;
  seq: number;
  thumb: string | null;
  /** Face half: the person key of the face. */
  person?: string;
  /** Credential half: the resident who owns the card or fingerprint, and the credential. */
  owner?: ResidentRef;
  cred?: string;
  paired: boolean;
}

/**
 * Pairs a card or fingerprint read with the face read at the same reader within a short
 * window (design.md §4 correlate: the terminal's camera sees who swiped). Only the latest
 * read of each kind per reader is held, so memory is bounded by the readers. Not
 * persisted: a restart loses at most the pairs within the window.
 */
export class Pairing {
  readonly #cred = new Map<string, Half>();
  readonly #face = new Map<string, Half>();
  readonly #windowMs: number;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** A credential read; returns the face it pairs with, if one is waiting. */
  credential(readerId: string, h: Half): Half | null {
    const f = this.#face.get(readerId);
    if (f && !f.paired && Math.abs(f.ts - h.ts) <= this.#windowMs) {
      f.paired = true;
      h.paired = true;
    }
    this.#cred.set(readerId, h);
    return h.paired ? (f as Half) : null;
  }

  /** A face read; returns the credential it pairs with, if one is waiting. */
  face(readerId: string, h: Half): Half | null {
    const c = this.#cred.get(readerId);
    if (c && !c.paired && Math.abs(c.ts - h.ts) <= this.#windowMs) {
      c.paired = true;
      h.paired = true;
    }
    this.#face.set(readerId, h);
    return h.paired ? (c as Half) : null;
  }
}
