import type { AlertKind, ReasonCode } from '../../core/codes.js';
import type { Decision } from '../pipeline/decide.js';
import type { NormalizedRead } from '../pipeline/normalize.js';
import type { Resolution } from '../pipeline/resolve.js';

/** What a detector wants raised; the alert manager coalesces and stores it. */
export interface AlertCandidate {
  kind: AlertKind;
  /** What repeats coalesce on within a door: a person, a card, a resident. */
  subject: string;
  householdId: string | null;
  residentId: string | null;
  doorId: string | null;
  readerId: string | null;
  /** Event time. */
  ts: number;
  /**
   * Set by pattern detectors (issue 4): the alert stands for an ongoing situation and
   * becomes a ledger case; repeats update it until the case is closed, whatever the time.
   */
  finding?: Finding;
  /**
   * What a person needs to judge an alert that no read caused (a door forced or held open,
   * the fire all-open, issue 13): the door, times, the camera snapshot's thumbnail — kept as
   * the alert's evidence chain, references only. A repeat replaces it.
   */
  details?: Record<string, unknown>;
}

/** What a pattern detector knows of a situation it reports. */
export interface Finding {
  /** open: a new situation; update: more evidence for one already reported (never reopens). */
  phase: 'open' | 'update';
  /** When the pattern started, event time (the absence began, the first foreign use). */
  patternTs: number;
  /** One line for the operator, e.g. 承租人 32 天未归，2 名非登记人员使用其门卡. */
  summary: string;
  buildingId: string | null;
  /** The evidence chain: absence window, persons, their counts, entries, thumbnail references. */
  chain: Record<string, unknown>;
  /** Whether the entry being recorded is itself evidence (false for a day's absence check). */
  attachEntry: boolean;
}

const INACTIVE: readonly ReasonCode[] = [
  'inactive_resident',
  'resident_expired',
  'resident_not_yet_valid',
  'household_inactive',
  'lease_expired',
];

/**
 * Pure: the per-entry alerts a read raises (issue 2): stranger, unknown_card,
 * inactive_resident, wrong_building. Only entries count; exits are recorded, not alerted.
 */
export function perEntryAlerts(n: NormalizedRead, res: Resolution, d: Decision): AlertCandidate[] {
  if (n.direction !== 'in') return [];
  const base = { doorId: n.doorId, readerId: n.readerId, ts: n.ts };
  const out: AlertCandidate[] = [];
  const has = (c: ReasonCode) => d.reasons.includes(c);
  if (has('stranger') || has('unknown_person')) {
    const who = n.key ?? n.strangerId ?? '?';
    out.push({ kind: 'stranger', subject: `face:${who}`, householdId: null, residentId: null, ...base });
  }
  if (has('unknown_card') || has('unknown_idcard') || has('unknown_qrcode')) {
    out.push({
      kind: 'unknown_card',
      subject: `${n.kind}:${n.key}`,
      householdId: null,
      residentId: null,
      ...base,
    });
  }
  const r = res.resident;
  if (r && INACTIVE.some(has)) {
    out.push({
      kind: 'inactive_resident',
      subject: `resident:${r.id}`,
      householdId: r.householdId,
      residentId: r.id,
      ...base,
    });
  }
  if (r && (has('wrong_building') || has('wrong_entrance'))) {
    out.push({
      kind: 'wrong_building',
      subject: `resident:${r.id}`,
      householdId: r.householdId,
      residentId: r.id,
      ...base,
    });
  }
  return out;
}
