import type { Labels, PlantedCase } from '../sim/year/labels.js';

/** One detector case as the eval reads it from the ledger. */
export interface FoundCase {
  kind: string;
  householdId: string | null;
  doorId: string | null;
  detectedTs: number;
}

/** A case the labels do not hold, and what its household really was at the time. */
export interface FalseCase {
  householdId: string | null;
  doorId: string | null;
  detected: string;
  /** Planted scenarios (`lent_card`, `sublet_card, not yet`…) and hard negatives of the household; `nothing`. */
  was: string[];
}

/** Precision, recall and median delay of one kind on one labelled year. */
export interface KindScore {
  kind: string;
  labelled: number;
  found: number;
  /** Cases within the period of one of their household's labels of this kind. */
  truePositives: number;
  /** Labels with a right case. */
  labelsFound: number;
  precision: number;
  recall: number;
  medianDelayDays: number | null;
  /** Days from each found label's start to its first right case. */
  delaysDays: number[];
  /**
   * The false cases counted by what their household was: a planted scenario of another
   * kind going on at the time (`otherProblem` counts those), `early` / `late` (outside the
   * period of its own label), a hard negative, or `nothing`.
   */
  falsePositives: Record<string, number>;
  /** False cases on a household with a different real problem at the time (issue 10: wrong, reported apart). */
  otherProblem: number;
  falseCases: FalseCase[];
}

const DAY = 86_400_000;
/** A case is right from its label's start until 14 days after its end (issue 10). */
export const GRACE_DAYS = 14;

/** The median of a list (null when empty). */
export const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** Rounded to `d` decimals. */
export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const within = (p: PlantedCase, ts: number) =>
  ts >= Date.parse(p.start) && ts <= Date.parse(p.end) + GRACE_DAYS * DAY;

/**
 * Scores the cases a replay opened against the labels, as the question is asked (issue 10):
 * a case is right when it falls within the period (start … end + 14 days) of a label of
 * its household that expects its kind; anything else is wrong — a case on a household with
 * a different real problem too, counted apart. Recall: labels with a right case; delay:
 * from the label's start to its first right case. stranger_recurrent is scored by door: a
 * case at a door where a labelled stranger reached the threshold (at most a day later).
 */
export function score(labels: Labels, cases: FoundCase[], kinds: readonly string[]): KindScore[] {
  return kinds.map((kind) =>
    kind === 'stranger_recurrent' ? strangers(labels, cases) : household(labels, cases, kind),
  );
}

function household(labels: Labels, cases: FoundCase[], kind: string): KindScore {
  const planted = labels.cases.filter((c) => c.kinds.includes(kind));
  const found = cases.filter((c) => c.kind === kind && c.householdId);
  const firstRight = new Map<PlantedCase, number>();
  const falsePositives: Record<string, number> = {};
  const falseCases: FalseCase[] = [];
  let tp = 0;
  let otherProblem = 0;
  for (const c of found) {
    const own = planted.filter((p) => p.householdId === c.householdId && within(p, c.detectedTs));
    if (own.length > 0) {
      tp++;
      for (const p of own) firstRight.set(p, Math.min(firstRight.get(p) ?? Infinity, c.detectedTs));
      continue;
    }
    const was = whatItWas(labels, c.householdId as string, kind, c.detectedTs);
    if (labels.cases.some((p) => p.householdId === c.householdId && within(p, c.detectedTs))) otherProblem++;
    for (const w of new Set(was.map((x) => x.replace(/,.*$/, ''))))
      falsePositives[w] = (falsePositives[w] ?? 0) + 1;
    falseCases.push({
      householdId: c.householdId,
      doorId: c.doorId,
      detected: new Date(c.detectedTs).toISOString(),
      was,
    });
  }
  const delays = [...firstRight].map(([p, ts]) => (ts - Date.parse(p.start)) / DAY);
  const md = median(delays);
  return {
    kind,
    labelled: planted.length,
    found: found.length,
    truePositives: tp,
    labelsFound: firstRight.size,
    precision: found.length ? round(tp / found.length) : 1,
    recall: planted.length ? round(firstRight.size / planted.length) : 1,
    medianDelayDays: md === null ? null : round(md, 1),
    delaysDays: delays.map((d) => round(d, 1)),
    falsePositives,
    otherProblem,
    falseCases,
  };
}

/**
 * What a household flagged for `kind` at `ts` really was: planted scenarios (going on, or
 * `early`/`late` for its own kind, `not yet`/`over` for others) and its hard negatives.
 */
function whatItWas(labels: Labels, householdId: string, kind: string, ts: number): string[] {
  const was: string[] = [];
  for (const p of labels.cases) {
    if (p.householdId !== householdId) continue;
    if (within(p, ts)) was.push(p.scenario);
    else if (p.kinds.includes(kind)) was.push(ts < Date.parse(p.start) ? 'early' : 'late');
    else was.push(`${p.scenario}, ${ts < Date.parse(p.start) ? 'not yet' : 'over'}`);
  }
  for (const n of labels.negatives)
    if (n.householdId === householdId && !was.includes(n.scenario)) was.push(n.scenario);
  return was.length > 0 ? was : ['nothing'];
}

function strangers(labels: Labels, cases: FoundCase[]): KindScore {
  const kind = 'stranger_recurrent';
  const truth = labels.strangers;
  const found = cases.filter((c) => c.kind === kind);
  const reached = (s: { door: string; ts: string }, c: FoundCase) =>
    c.doorId === s.door && Date.parse(s.ts) <= c.detectedTs + DAY;
  const tp = found.filter((c) => truth.some((s) => reached(s, c)));
  const hit = truth.filter((s) => found.some((c) => reached(s, c)));
  const delays = hit.map((s) => {
    const first = Math.min(...found.filter((c) => c.doorId === s.door).map((c) => c.detectedTs));
    return Math.max(0, (first - Date.parse(s.ts)) / DAY);
  });
  const md = median(delays);
  return {
    kind,
    labelled: truth.length,
    found: found.length,
    truePositives: tp.length,
    labelsFound: hit.length,
    precision: found.length ? round(tp.length / found.length) : 1,
    recall: truth.length ? round(hit.length / truth.length) : 1,
    medianDelayDays: md === null ? null : round(md, 1),
    delaysDays: delays.map((d) => round(d, 1)),
    falsePositives: {},
    otherProblem: 0,
    falseCases: [],
  };
}
