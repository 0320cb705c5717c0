/**
 * The person–card check (人证比对) as one stage object. The pipeline never calls it: the
 * check stage asks it, before and after decide, whether a read completes a presentation;
 * the record stage tells it, inside the commit, which reads now have journal entries, and
 * raises `person_card_mismatch` once both halves of a mismatched presentation are recorded
 * — in one commit or in two, in either order — with both entries as evidence.
 */

import type { ReasonCode } from '../../core/codes.js';
import type { EvidenceEntry } from '../alerts/alert-manager.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import {
  type Correlation,
  factorOf,
  type Half,
  isMismatch,
  NOT_PROBLEMS,
  PresentationWindow,
} from './correlate.js';
import type { NormalizedRead } from './normalize.js';
import type { Resolution } from './resolve.js';

/**
 * An entering ID-card, face or fingerprint read: one half of a presentation. It is also
 * what decide reads as the correlation (partner and mismatch).
 */
export interface Presentation extends Half, Correlation {
  /** The other half, found at the door when this read was checked; null: none. */
  readonly partner: Presentation | null;
  readonly mismatch: boolean;
  /** This read's journal entry once committed; null before and after a rollback. */
  evidence: EvidenceEntry | null;
  /** The mismatches this read is half of (null: none), alerted once both are recorded. */
  pairs: MismatchPair[] | null;
}

/** Two halves that are different people; alerted once both are in the journal. */
interface MismatchPair {
  readonly halves: readonly [Presentation, Presentation];
  readonly candidate: AlertCandidate;
  raised: boolean;
}

/** An alert to raise with more than one journal entry as its evidence. */
export interface PairedAlert {
  candidate: AlertCandidate;
  entries: EvidenceEntry[];
}

const NO_PROBLEMS: readonly ReasonCode[] = [];
const NO_ALERTS: readonly PairedAlert[] = [];

/** The person–card check of one pipeline: a window of waiting halves per door. */
export class PersonCardCheck {
  readonly #window: PresentationWindow<Presentation>;

  /** `windowMs`: checks.personCardWindowSeconds in ms. */
  constructor(windowMs: number) {
    this.#window = new PresentationWindow<Presentation>(windowMs);
  }

  /**
   * Check, before decide: the read's half of a presentation, paired with the other half
   * if it waits at the door. Null for reads that are neither factor, and for exits:
   * they never correlate, and cost nothing here.
   */
  correlate(n: NormalizedRead, res: Resolution): Presentation | null {
    const factor = factorOf(n.type);
    if (!factor || n.direction !== 'in') return null;
    const residentId = res.resident?.id ?? null;
    const partner = this.#window.match(n.doorId, factor, n.ts);
    const p: Presentation = {
      factor,
      ts: n.ts,
      residentId,
      householdId: res.household?.id ?? res.resident?.householdId ?? null,
      problems: NO_PROBLEMS,
      used: partner !== null,
      partner,
      mismatch: partner !== null && isMismatch(factor, residentId, partner),
      evidence: null,
      pairs: null,
    };
    if (partner && p.mismatch) {
      // The card holder is whose identity is being used: repeats coalesce on them.
      const card = partner.factor === 'idcard' ? partner : null;
      const holder = card ? card.residentId : residentId;
      const pair: MismatchPair = {
        halves: [partner, p],
        candidate: {
          kind: 'person_card_mismatch',
          subject: `resident:${holder ?? '?'}`,
          householdId: card ? card.householdId : (res.resident?.householdId ?? null),
          residentId: holder,
          doorId: n.doorId,
          readerId: n.readerId,
          ts: Math.max(n.ts, partner.ts),
        },
        raised: false,
      };
      if (partner.pairs) partner.pairs.push(pair);
      else partner.pairs = [pair];
      p.pairs = [pair];
    }
    return p;
  }

  /**
   * Check, after decide: a half with no partner waits for a later read to complete it,
   * carrying what was wrong with it (a two-factor door refuses the pair for it).
   */
  decided(p: Presentation | null, doorId: string, reasons: readonly ReasonCode[]): void {
    if (!p || p.partner) return;
    p.problems = reasons.filter((r) => !NOT_PROBLEMS.has(r));
    this.#window.remember(doorId, p);
  }

  /**
   * Record, inside the commit transaction once the read has its journal row: the alerts
   * whose halves are now both recorded, evidence in event-time order.
   */
  recorded(p: Presentation | null, evidence: EvidenceEntry): readonly PairedAlert[] {
    if (!p) return NO_ALERTS;
    p.evidence = evidence;
    if (!p.pairs) return NO_ALERTS;
    const out: PairedAlert[] = [];
    for (const pair of p.pairs) {
      const [a, b] = pair.halves;
      if (pair.raised || !a.evidence || !b.evidence) continue;
      pair.raised = true;
      out.push({ candidate: pair.candidate, entries: [a.evidence, b.evidence].sort((x, y) => x.ts - y.ts) });
    }
    return out;
  }

  /** Rollback: the commit failed, so the read has no journal entry (nor its alerts) after all. */
  rolledBack(p: Presentation | null): void {
    if (!p) return;
    p.evidence = null;
    for (const pair of p.pairs ?? []) pair.raised = false;
  }
}
