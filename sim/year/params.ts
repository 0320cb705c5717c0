/**
 * The phenomena of a simulated year as named parameters (issue 10): every way the real
 * estate makes the detectors' life hard is a knob of `estate-gateway sim year`
 * (`--card-only 0.08`, `--set poorRecognisers=0.1`), so a year can be made harder than we
 * think reality is, one phenomenon at a time. The defaults are the "hard" year the
 * detectors were tuned and evaluated on; `plain` turns every new phenomenon off (the
 * year of issue 4).
 */

/** One named phenomenon: its default, the range it may take, what it does. */
export interface ParamSpec {
  default: number;
  min: number;
  max: number;
  /** What the knob does (the help text). */
  doc: string;
}

/** Every phenomenon of the year, by name. Shares are of residents unless the text says otherwise. */
export const YEAR_PARAMS = {
  cardOnly: {
    default: 0.05,
    min: 0,
    max: 0.5,
    doc: 'residents with no enrolled face who always swipe a card (3× as many among the over-65s); the terminal captures their face unregistered',
  },
  poorRecognisers: {
    default: 0.06,
    min: 0,
    max: 0.5,
    doc: 'enrolled residents the terminal often fails (personId null with their own embedding); they try the face first, then swipe their own card',
  },
  poorNullMin: { default: 0.3, min: 0, max: 1, doc: 'lowest failure rate of a poor recogniser' },
  poorNullMax: { default: 0.85, min: 0, max: 1, doc: 'highest failure rate of a poor recogniser' },
  baseNull: {
    default: 0.02,
    min: 0,
    max: 0.5,
    doc: 'failure rate of every other enrolled face (they swipe their card if they have one, else try again)',
  },
  moveIns: {
    default: 0.08,
    min: 0,
    max: 0.5,
    doc: 'share of households whose lease starts during the year (nobody comes before)',
  },
  moveOuts: {
    default: 0.05,
    min: 0,
    max: 0.5,
    doc: 'share of households whose lease ends during the year (terminated in the roster, nobody comes after)',
  },
  memberMoves: {
    default: 0.03,
    min: 0,
    max: 0.5,
    doc: 'residents who join (validFrom) or leave (validTo, moved_out) their household during the year',
  },
  earlyMembers: {
    default: 0.03,
    min: 0,
    max: 0.3,
    doc: 'share of households where a new member lives 2–12 weeks before being registered (face unknown to the terminal until then)',
  },
  captureDelayMax: {
    default: 5,
    min: 0.2,
    max: 15,
    doc: 'seconds after a swipe the terminal’s face capture may arrive (most 1–5 s; fast terminals 0.3–1.2 s)',
  },
  fastTerminals: {
    default: 0.3,
    min: 0,
    max: 1,
    doc: 'share of readers whose capture comes 0.3–1.2 s after the swipe',
  },
  captureRate: { default: 0.9, min: 0, max: 1, doc: 'chance a swipe comes with a face capture at all' },
  doorHolding: {
    default: 0.12,
    min: 0,
    max: 0.6,
    doc: 'chance someone else comes through behind a swipe (their face captured 1–6 s later, nothing presented); twice as often at busy hours',
  },
  tailgating: {
    default: 0.08,
    min: 0,
    max: 0.5,
    doc: 'chance a resident walks in behind someone without presenting anything (face captured half the time)',
  },
  bidirectional: {
    default: 0.3,
    min: 0,
    max: 1,
    doc: 'share of entrance terminals that also capture people leaving',
  },
  staffPer1000: {
    default: 2.5,
    min: 0,
    max: 20,
    doc: 'unregistered property staff per 1,000 households, with staff cards that are in no roster, doing rounds of the entrances',
  },
  ridersPer1000: {
    default: 10,
    min: 0,
    max: 60,
    doc: 'delivery riders per 1,000 households, at meal times, let in at random entrances',
  },
  holidayGuests: {
    default: 0.06,
    min: 0,
    max: 0.5,
    doc: 'share of households hosting guests for 3–14 days around public holidays (some use the host’s card)',
  },
  houseSitters: {
    default: 0.5,
    min: 0,
    max: 1,
    doc: 'share of long absences during which a relative comes every 4–7 days, with the household’s card when it has one',
  },
  sitterGapMin: {
    default: 4,
    min: 1,
    max: 14,
    doc: 'fewest days between a house sitter’s visits (1: it may come two days running, as someone feeding a pet does)',
  },
  sitterGapMax: {
    default: 7,
    min: 1,
    max: 14,
    doc: 'most days between a house sitter’s visits',
  },
  lodgerFaceOnly: {
    default: 0.25,
    min: 0,
    max: 1,
    doc: 'share of lodgers (sublets, overcrowding) who never touch a card: let in, face captured',
  },
  lodgerOwnId: {
    default: 0.15,
    min: 0,
    max: 1,
    doc: 'share of lodgers who use their own (unregistered) ID card',
  },
  subletFace: {
    default: 0.2,
    min: 0,
    max: 1,
    doc: 'share of sublets whose tenants never use the household’s credentials',
  },
  faceNoise: {
    default: 0.035,
    min: 0.005,
    max: 0.08,
    doc: 'per-dimension noise of a face capture (0.035: two captures of one face ≈ 0.86 cosine; 0.02 was issue 4)',
  },
  badCaptures: {
    default: 0.08,
    min: 0,
    max: 0.5,
    doc: 'share of captures twice as noisy (blur, mask, backlight)',
  },
  familyLikeness: {
    default: 0.55,
    min: 0,
    max: 0.78,
    doc: 'cosine between the faces of blood relatives in a household (0: unrelated faces)',
  },
  newRegulars: {
    default: 0.3,
    min: 0,
    max: 2,
    doc: 'unregistered regular visitors who start coming in the middle of the year, per entrance',
  },
  rosterUpdates: {
    default: 0,
    min: 0,
    max: 1,
    doc: '0: one roster with lease and validity dates (roster.json, as an integrator imports it); 1: also import the roster as it changes, month by month, inside reads.jsonl',
  },
} as const satisfies Record<string, ParamSpec>;

/** The name of a phenomenon. */
export type ParamName = keyof typeof YEAR_PARAMS;
/** Values of every phenomenon. */
export type YearParams = Record<ParamName, number>;

/** Every phenomenon at its default. */
export function defaultParams(): YearParams {
  const out = {} as YearParams;
  for (const [k, spec] of Object.entries(YEAR_PARAMS)) out[k as ParamName] = spec.default;
  return out;
}

/** The year of issue 4: none of the phenomena of issue 10. */
export function plainParams(): YearParams {
  return {
    ...defaultParams(),
    cardOnly: 0,
    poorRecognisers: 0,
    baseNull: 0,
    moveIns: 0,
    moveOuts: 0,
    memberMoves: 0,
    earlyMembers: 0,
    captureDelayMax: 1.5,
    fastTerminals: 1,
    captureRate: 1,
    doorHolding: 0,
    tailgating: 0,
    bidirectional: 0,
    staffPer1000: 0,
    ridersPer1000: 0,
    holidayGuests: 0,
    houseSitters: 0,
    lodgerFaceOnly: 0,
    lodgerOwnId: 0,
    subletFace: 0,
    faceNoise: 0.02,
    badCaptures: 0,
    familyLikeness: 0,
    newRegulars: 0,
  };
}

/** The kebab-case flag of a phenomenon: cardOnly → card-only. */
export const flagOf = (name: string) => name.replace(/[A-Z0-9]+/g, (m) => `-${m.toLowerCase()}`);

/**
 * Checks and applies `name=value` settings over `base`; throws a RangeError naming the
 * parameter and its range on anything else.
 */
export function applyParams(base: YearParams, settings: Record<string, string | undefined>): YearParams {
  const out = { ...base };
  for (const [name, raw] of Object.entries(settings)) {
    if (raw === undefined) continue;
    if (!Object.hasOwn(YEAR_PARAMS, name)) throw new RangeError(`unknown phenomenon "${name}"`);
    const spec = YEAR_PARAMS[name as ParamName];
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < spec.min || v > spec.max)
      throw new RangeError(`${flagOf(name)} must be a number ${spec.min}–${spec.max} (got "${raw}")`);
    out[name as ParamName] = v;
  }
  return out;
}
