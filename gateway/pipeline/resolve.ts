import type { Household } from '../roster/model.js';
import type { ResidentRef, RosterIndex } from '../roster/roster-index.js';
import type { NormalizedRead } from './normalize.js';
import type { ReasonCode } from './reasons.js';

/** Who presented the credential, as far as the roster knows. */
export interface Resolution {
  resident: ResidentRef | null;
  household: Household | null;
  /** Why the credential names nobody on the roster; empty when it names a resident. */
  reasons: ReasonCode[];
}

const UNKNOWN: Record<NormalizedRead['kind'], ReasonCode> = {
  face: 'unknown_person',
  card: 'unknown_card',
  idcard: 'unknown_idcard',
  fingerprint: 'unknown_fingerprint',
  qrcode: 'unknown_qrcode',
};

/** Pure: credential → resident and household through the in-memory roster index. */
export function resolve(n: NormalizedRead, roster: RosterIndex): Resolution {
  if (n.idProblem) return { resident: null, household: null, reasons: ['invalid_id_number'] };
  if (n.key === null) {
    return { resident: null, household: null, reasons: [n.kind === 'face' ? 'stranger' : UNKNOWN[n.kind]] };
  }
  const resident = roster.lookup(n.kind, n.key);
  if (!resident) return { resident: null, household: null, reasons: [UNKNOWN[n.kind]] };
  return { resident, household: roster.households.get(resident.householdId) ?? null, reasons: [] };
}
