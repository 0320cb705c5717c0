/**
 * Person–card check (人证比对) between the pipeline and the correlate stage: each read
 * gets a slot that its journal entry fills at commit; when both halves of a mismatched
 * presentation are recorded — in one commit or in two, in either order — the
 * `person_card_mismatch` alert is raised once, with both entries as evidence.
 */

import type { ReasonCode } from '../../core/codes.js';
import type { EvidenceEntry } from '../alerts/alert-manager.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import { type Correlation, PresentationWindow } from './correlate.js';
import type { NormalizedRead } from './normalize.js';
import type { Resolution } from './resolve.js';

/** Where a read's journal entry lands once committed. */
export interface Slot {
  evidence: EvidenceEntry | null;
  pairs: MismatchPair[];
}

/** Two halves that are different people; alerted once both are in the journal. */
interface MismatchPair {
  halves: [Slot, Slot];
  candidate: AlertCandidate;
  raised: boolean;
}

/** An alert to raise with more than one journal entry as its evidence. */
export interface PairedAlert {
  candidate: AlertCandidate;
  entries: EvidenceEntry[];
}

/** The person–card check of one pipeline. */
export class PersonCardCheck {
  readonly #window: PresentationWindow<Slot>;

  /** `windowMs`: checks.personCardWindowSeconds in ms. */
  constructor(windowMs: number) {
    this.#window = new PresentationWindow<Slot>(windowMs);
  }

  /** A fresh slot for a read. */
  slot(): Slot {
    return { evidence: null, pairs: [] };
  }

  /** Before decide: the other half of this read's presentation, if it is at the door. */
  correlate(n: NormalizedRead, res: Resolution, slot: Slot): Correlation<Slot> {
    const c = this.#window.match(n, res);
    if (c.partner && c.mismatch) {
      const card = c.partner.factor === 'idcard' ? c.partner : null;
      const residentId = card ? card.residentId : (res.resident?.id ?? null);
      const householdId = card ? card.householdId : (res.resident?.householdId ?? null);
      const pair: MismatchPair = {
        halves: [c.partner.tag, slot],
        candidate: {
          kind: 'person_card_mismatch',
          // The card holder is whose identity is being used: repeats coalesce on them.
          subject: `resident:${residentId ?? '?'}`,
          householdId,
          residentId,
          doorId: n.doorId,
          readerId: n.readerId,
          ts: Math.max(n.ts, c.partner.ts),
        },
        raised: false,
      };
      c.partner.tag.pairs.push(pair);
      slot.pairs.push(pair);
    }
    return c;
  }

  /** After decide: a read with no partner waits as the first half of a presentation. */
  remember(
    n: NormalizedRead,
    res: Resolution,
    reasons: readonly ReasonCode[],
    c: Correlation<Slot>,
    slot: Slot,
  ): void {
    if (!c.partner) this.#window.remember(n, res, reasons, slot);
  }

  /**
   * Inside the commit transaction, once the read has its journal row: the alerts whose
   * halves are now both recorded, evidence in event-time order.
   */
  recorded(slot: Slot, evidence: EvidenceEntry): PairedAlert[] {
    slot.evidence = evidence;
    const out: PairedAlert[] = [];
    for (const pair of slot.pairs) {
      const [a, b] = pair.halves;
      if (pair.raised || !a.evidence || !b.evidence) continue;
      pair.raised = true;
      out.push({ candidate: pair.candidate, entries: [a.evidence, b.evidence].sort((x, y) => x.ts - y.ts) });
    }
    return out;
  }

  /** A commit rolled back: the read has no journal entry (nor its alerts) after all. */
  rolledBack(slot: Slot): void {
    slot.evidence = null;
    for (const pair of slot.pairs) pair.raised = false;
  }
}
