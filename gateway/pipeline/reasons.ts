import type { ReasonCode } from '../../core/codes.js';

/**
 * Reasons whose label is what the terminal should show on a deny, in this order of
 * preference: they tell the person what to do next, where the door's denyMessage cannot.
 * The codes and their labels are in core/codes.ts.
 */
export const PROMPT_REASONS: readonly ReasonCode[] = [
  'store_fail_closed',
  'person_card_mismatch',
  'idcard_required',
  'biometric_required',
  'two_factors_required',
];
