import type { ReasonCode } from '../../core/codes.js';
import type { Pass } from '../passes/model.js';
import type { PassIndex } from '../passes/pass-index.js';
import type { Household } from '../roster/model.js';
import type { ResidentRef, RosterIndex } from '../roster/roster-index.js';
import type { NormalizedRead } from './normalize.js';

/** Who presented the credential, as far as the roster knows. */
export interface Resolution {
  resident: ResidentRef | null;
  household: Household | null;
  /** Why the credential names nobody on the roster; empty when it names a resident or a pass. */
  reasons: ReasonCode[];
  /** The valid visitor/courier/staff pass that names the holder, when no resident does (issue 4). */
  pass?: Pass | null;
}

const UNKNOWN: Record<NormalizedRead['kind'], ReasonCode> = {
  face: 'unknown_person',
  card: 'unknown_card',
  idcard: 'unknown_idcard',
  fingerprint: 'unknown_fingerprint',
  qrcode: 'unknown_qrcode',
};

/**
 * Pure: credential → resident and household through the in-memory roster index; failing
 * that, a pass valid at the read's event time makes its holder known (issue 4): a visitor
 * resolves to the household visited, couriers and staff to no household.
 */
export function resolve(n: NormalizedRead, roster: RosterIndex, passes?: PassIndex): Resolution {
  if (n.idProblem) return { resident: null, household: null, reasons: ['invalid_id_number'] };
  const resident = n.key === null ? undefined : roster.lookup(n.kind, n.key);
  if (resident)
    return { resident, household: roster.households.get(resident.householdId) ?? null, reasons: [] };
  const pass = passes?.match(n) ?? null;
  if (pass) {
    const household = pass.householdId ? (roster.households.get(pass.householdId) ?? null) : null;
    return { resident: null, household, reasons: [], pass };
  }
  if (n.key === null) {
    return { resident: null, household: null, reasons: [n.kind === 'face' ? 'stranger' : UNKNOWN[n.kind]] };
  }
  return { resident: null, household: null, reasons: [UNKNOWN[n.kind]] };
}
