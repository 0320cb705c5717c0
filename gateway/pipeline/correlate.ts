/**
 * The correlate stage of design.md §4 (人证比对): an ID card and a face or fingerprint
 * presented at the same door within a short window are one presentation. Pure over
 * plain data plus a small bounded memory of recent reads per door; all times are event
 * times (NormalizedRead.ts), never the wall clock, so a replay correlates like the live day.
 */

import type { ReasonCode } from '../../core/codes.js';
import type { CredentialType } from '../../core/contracts.js';

/** The two halves of a person–card presentation. */
export type Factor = 'idcard' | 'biometric';

/** Which half a credential type is, or null for credentials that are neither (IC card, QR). */
export function factorOf(type: CredentialType): Factor | null {
  if (type === 'idcard') return 'idcard';
  if (type === 'face' || type === 'fingerprint') return 'biometric';
  return null;
}

/** A read remembered as one half of a presentation, waiting for the other. */
export interface Half {
  readonly factor: Factor;
  /** Event time. */
  readonly ts: number;
  readonly residentId: string | null;
  readonly householdId: string | null;
  /** What was wrong with the read itself (its decision's reasons other than NOT_PROBLEMS). */
  problems: readonly ReasonCode[];
  /** Already paired: a half belongs to one presentation only. */
  used: boolean;
}

/** What decide needs of the correlate stage's finding (door policy idcard+biometric). */
export interface Correlation {
  /** The other half, found at the same door within the window; null when there is none. */
  readonly partner: { readonly problems: readonly ReasonCode[] } | null;
  /**
   * The two halves are different people: the card holder is a resident and the face or
   * finger is someone else, or nobody the roster knows.
   */
  readonly mismatch: boolean;
}

/** Reasons that say how a read was handled, not what was wrong with the credential. */
export const NOT_PROBLEMS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'ok',
  'exit',
  'monitor',
  'offline',
  'stale',
  'idcard_required',
  'biometric_required',
  'two_factors_required',
  'person_card_mismatch',
]);

/** Whether a read of `factor` by `residentId` and its partner half are two people. */
export function isMismatch(factor: Factor, residentId: string | null, partner: Half): boolean {
  const card = factor === 'idcard' ? residentId : partner.residentId;
  const person = factor === 'idcard' ? partner.residentId : residentId;
  return card !== null && person !== card;
}

/**
 * Recent unpaired halves per door. Bounded: at most `perDoor` halves a door (a busy door
 * forgets its oldest first), so memory does not grow with traffic.
 */
export class PresentationWindow<H extends Half> {
  readonly #windowMs: number;
  readonly #perDoor: number;
  readonly #doors = new Map<string, H[]>();

  /** `windowMs`: how far apart (event time) two halves may be; `perDoor`: halves kept a door. */
  constructor(windowMs: number, perDoor = 16) {
    this.#windowMs = windowMs;
    this.#perDoor = perDoor;
  }

  /**
   * The other half of an entering read of `factor` at `doorId`, time `ts`: the unpaired
   * half of the other factor closest in event time, within the window; it is then used.
   */
  match(doorId: string, factor: Factor, ts: number): H | null {
    let best: H | null = null;
    for (const h of this.#doors.get(doorId) ?? []) {
      if (h.used || h.factor === factor) continue;
      const gap = Math.abs(h.ts - ts);
      if (gap <= this.#windowMs && (!best || gap < Math.abs(best.ts - ts))) best = h;
    }
    if (best) best.used = true;
    return best;
  }

  /** Keeps a half that found no partner, for a later read at `doorId` to complete. */
  remember(doorId: string, half: H): void {
    const list = this.#doors.get(doorId) ?? [];
    // Paired halves and halves too old for any live read are no use any more.
    const fresh = list.filter((h) => !h.used && half.ts - h.ts <= this.#windowMs);
    fresh.push(half);
    if (fresh.length > this.#perDoor) fresh.splice(0, fresh.length - this.#perDoor);
    this.#doors.set(doorId, fresh);
  }
}
