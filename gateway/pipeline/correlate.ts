/**
 * The correlate stage of design.md §4 (人证比对): an ID card and a face or fingerprint
 * presented at the same door within a short window are one presentation. Pure over
 * plain data plus a small bounded memory of recent reads per door; all times are event
 * times (NormalizedRead.ts), never the wall clock, so a replay correlates like the live day.
 */

import type { ReasonCode } from '../../core/codes.js';
import type { CredentialType } from '../../core/contracts.js';
import type { NormalizedRead } from './normalize.js';
import type { Resolution } from './resolve.js';

/** The two halves of a person–card presentation. */
export type Factor = 'idcard' | 'biometric';

/** Which half a credential type is, or null for credentials that are neither (IC card, QR). */
export function factorOf(type: CredentialType): Factor | null {
  if (type === 'idcard') return 'idcard';
  if (type === 'face' || type === 'fingerprint') return 'biometric';
  return null;
}

/** A read remembered as one half of a presentation, waiting for the other. */
export interface Half<T> {
  factor: Factor;
  /** Event time. */
  ts: number;
  readerId: string;
  residentId: string | null;
  householdId: string | null;
  /** What was wrong with the read itself (reasons other than those in NOT_PROBLEMS). */
  problems: ReasonCode[];
  /** The pipeline's handle on the read (where its journal entry will be). */
  tag: T;
  /** Already paired: a half belongs to one presentation only. */
  used: boolean;
}

/** What the correlate stage says of a read. */
export interface Correlation<T> {
  /** The other half, found at the same door within the window; null when there is none. */
  partner: Half<T> | null;
  /**
   * The two halves are different people: the card holder is a resident and the face or
   * finger is someone else, or nobody the roster knows.
   */
  mismatch: boolean;
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

const NONE: Correlation<never> = { partner: null, mismatch: false };

/**
 * Recent unpaired halves per door. Bounded: at most `perDoor` halves a door (a busy door
 * forgets its oldest first), so memory does not grow with traffic.
 */
export class PresentationWindow<T> {
  readonly #windowMs: number;
  readonly #perDoor: number;
  readonly #doors = new Map<string, Half<T>[]>();

  /** `windowMs`: how far apart (event time) two halves may be; `perDoor`: halves kept a door. */
  constructor(windowMs: number, perDoor = 16) {
    this.#windowMs = windowMs;
    this.#perDoor = perDoor;
  }

  /**
   * Finds the other half of an entering read: the unpaired read of the other factor at
   * the same door closest in event time, within the window. Both are then paired.
   * Exits and credentials that are neither factor never correlate.
   */
  match(n: NormalizedRead, res: Resolution): Correlation<T> {
    const factor = factorOf(n.type);
    if (!factor || n.direction !== 'in') return NONE;
    let best: Half<T> | null = null;
    for (const h of this.#doors.get(n.doorId) ?? []) {
      if (h.used || h.factor === factor) continue;
      const gap = Math.abs(h.ts - n.ts);
      if (gap <= this.#windowMs && (!best || gap < Math.abs(best.ts - n.ts))) best = h;
    }
    if (!best) return NONE;
    best.used = true;
    const me = res.resident?.id ?? null;
    const card = factor === 'idcard' ? me : best.residentId;
    const person = factor === 'idcard' ? best.residentId : me;
    return { partner: best, mismatch: card !== null && person !== card };
  }

  /**
   * Remembers an entering read that found no partner, as the first half of a presentation
   * a later read may complete. `reasons` are its decision's reasons.
   */
  remember(n: NormalizedRead, res: Resolution, reasons: readonly ReasonCode[], tag: T): void {
    const factor = factorOf(n.type);
    if (!factor || n.direction !== 'in') return;
    const list = this.#doors.get(n.doorId) ?? [];
    // Paired halves and halves too old for any live read are no use any more.
    const fresh = list.filter((h) => !h.used && n.ts - h.ts <= this.#windowMs);
    fresh.push({
      factor,
      ts: n.ts,
      readerId: n.readerId,
      residentId: res.resident?.id ?? null,
      householdId: res.household?.id ?? res.resident?.householdId ?? null,
      problems: reasons.filter((r) => !NOT_PROBLEMS.has(r)),
      tag,
      used: false,
    });
    if (fresh.length > this.#perDoor) fresh.splice(0, fresh.length - this.#perDoor);
    this.#doors.set(n.doorId, fresh);
  }
}
