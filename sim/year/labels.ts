/** The ground truth a simulated year is written with (labels.json), for `npm run eval`. */
import type { YearParams } from './params.js';

/** Planted situations: what happens, to which household, when. */
export type Scenario =
  | 'sublet_card'
  | 'sublet_face'
  | 'sublet_pass'
  | 'overcrowding'
  | 'lent_card'
  | 'long_absence_hospital'
  | 'long_absence_travel';

/**
 * Hard negatives: look suspicious to a naive rule, are not violations (issue 10 lists
 * most of them as the false cases of the independent year).
 */
export type NegativeScenario =
  | 'large_family'
  | 'relatives_with_pass'
  | 'night_shift'
  | 'spring_festival_travel'
  | 'card_only_resident'
  | 'poor_recogniser'
  | 'moved_in'
  | 'moved_out'
  | 'member_joined'
  | 'member_left'
  | 'member_before_registration'
  | 'holiday_guests'
  | 'house_sitter';

/** A planted case and the detector kinds that should find it. */
export interface PlantedCase {
  id: string;
  scenario: Scenario;
  householdId: string;
  /** When the pattern starts and ends (ISO). A case is right from start to end + 14 days. */
  start: string;
  end: string;
  kinds: string[];
  /** Unregistered people involved (simulated person ids). */
  persons: string[];
  /** How the lodgers come in: card (the household's), face (never a card), idcard (their own). */
  modes?: string[];
}

/** A hard negative: a household (or resident) that must not become a case of a planted kind. */
export interface Negative {
  scenario: NegativeScenario;
  householdId: string;
  residentId?: string;
  start?: string;
  end?: string;
}

/** An unregistered person entering one door 10+ times within 7 days (stranger_recurrent truth). */
export interface RecurrentStranger {
  person: string;
  door: string;
  /** When the count first reached the threshold. */
  ts: string;
}

/** labels.json: the truth a simulated year was written with. */
export interface Labels {
  households: number;
  seed: number;
  start: string;
  days: number;
  reads: number;
  /** The phenomena the year was made with (absent in years written before issue 10). */
  params?: YearParams;
  cases: PlantedCase[];
  negatives: Negative[];
  strangers: RecurrentStranger[];
}
