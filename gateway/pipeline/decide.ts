import type { ReasonCode } from '../../core/codes.js';
import { localDate } from '../../core/time.js';
import type { DoorConfig } from '../config/schema.js';
import { type ScheduleAt, scheduleLabel } from '../doors/schedule.js';
import { type Correlation, factorOf } from './correlate.js';
import type { NormalizedRead } from './normalize.js';
import type { Resolution } from './resolve.js';

export interface Decision {
  outcome: 'granted' | 'denied';
  /** The door command to send; null for offline replays and stale reads (nobody waits). */
  answer: 'unlock' | 'deny' | null;
  policy: DoorConfig['policy'];
  reasons: ReasonCode[];
  /** The door schedule that applied (issue 13), `{schedule}:{mode}`; null outside every window. */
  schedule: string | null;
}

const PASS_REASON = { visitor: 'visitor_pass', courier: 'courier_pass', staff: 'staff_pass' } as const;

export interface DecideOptions {
  faceMinScore: number;
  requireLiveness: boolean;
  idcardExpiry: boolean;
}

/**
 * Pure: the door policy applied to a resolved read.
 * enforce — grant only a valid, active resident of a household this door serves;
 * monitor — open for everyone, keep the reasons (design.md §4).
 * Exits always open: nobody is ever locked in.
 * `corr` is what the correlate stage found (人证比对); it matters at doors that require
 * two factors (idcard+biometric). `sched` is the door's schedule window at the read's time
 * (issue 13): in passage hours the door stands open, so the read is let through like at a
 * monitor door (and alerts as ever); in closed hours no credential opens it, whatever the
 * policy; exits always open.
 */
export function decide(
  n: NormalizedRead,
  res: Resolution,
  door: DoorConfig,
  opts: DecideOptions,
  corr: Correlation | null = null,
  sched: ScheduleAt | null = null,
): Decision {
  const reasons: ReasonCode[] = [...res.reasons];
  if (n.kind === 'face' && n.score !== null && n.key !== null && n.score < opts.faceMinScore)
    reasons.push('low_score');
  if (n.kind === 'face' && opts.requireLiveness && n.liveness === false) reasons.push('no_liveness');
  if (n.kind === 'idcard' && opts.idcardExpiry && n.idExpired) reasons.push('idcard_expired');

  const r = res.resident;
  const pass = r ? null : res.pass;
  if (pass) {
    // A visitor is admitted at the gates and the visited household's building; couriers
    // and staff everywhere (issue 4).
    const h = res.household;
    if (pass.kind === 'visitor' && h && door.building && h.buildingId !== door.building)
      reasons.push('wrong_building');
  }
  if (r) {
    const day = localDate(n.ts);
    if (r.status !== 'active') reasons.push('inactive_resident');
    else if (r.validFrom && day < r.validFrom) reasons.push('resident_not_yet_valid');
    else if (r.validTo && day > r.validTo) reasons.push('resident_expired');
    const h = res.household;
    if (h?.status !== 'active') reasons.push('household_inactive');
    else if (h.leaseEnd && day > h.leaseEnd) reasons.push('lease_expired');
    if (h && door.building && h.buildingId !== door.building) reasons.push('wrong_building');
    else if (h && door.entrance && h.entranceId && h.entranceId !== door.entrance)
      reasons.push('wrong_entrance');
  }

  if (door.factors === 'idcard+biometric' && n.direction === 'in') twoFactors(n, corr, reasons);

  let outcome: Decision['outcome'];
  if (n.direction === 'out') {
    outcome = 'granted';
    reasons.push('exit');
  } else if (sched?.mode === 'closed') {
    outcome = 'denied';
    reasons.push('outside_hours');
  } else if (reasons.length === 0) {
    outcome = 'granted';
    reasons.push(pass ? PASS_REASON[pass.kind] : 'ok');
  } else if (door.policy === 'monitor') {
    outcome = 'granted';
    reasons.push('monitor');
  } else if (sched?.mode === 'passage') {
    outcome = 'granted';
    reasons.push('passage');
  } else {
    outcome = 'denied';
  }
  if (n.offline) reasons.push('offline');
  else if (n.stale) reasons.push('stale');
  const answer = n.offline || n.stale ? null : outcome === 'granted' ? 'unlock' : 'deny';
  return { outcome, answer, policy: door.policy, reasons, schedule: scheduleLabel(sched) };
}

/**
 * A door that requires an ID card and a face or fingerprint of the same resident: a lone
 * factor asks for the other; a pair is refused when it is two people, and carries the
 * first half's own problems (an expired card stays refused when the face comes).
 */
function twoFactors(n: NormalizedRead, corr: Correlation | null, reasons: ReasonCode[]): void {
  const factor = factorOf(n.type);
  const partner = corr?.partner;
  if (!factor) reasons.push('two_factors_required');
  else if (!partner) reasons.push(factor === 'idcard' ? 'biometric_required' : 'idcard_required');
  else {
    if (corr?.mismatch) reasons.push('person_card_mismatch');
    for (const p of partner.problems) if (!reasons.includes(p)) reasons.push(p);
  }
}
