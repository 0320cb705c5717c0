import type { Labels } from '../sim/year/labels.js';

/** One detector case as the eval reads it from the ledger. */
export interface FoundCase {
  kind: string;
  householdId: string | null;
  doorId: string | null;
  detectedTs: number;
}

/** Precision, recall and median delay of one kind on one labelled year. */
export interface KindScore {
  kind: string;
  labelled: number;
  found: number;
  truePositives: number;
  precision: number;
  recall: number;
  medianDelayDays: number | null;
  /**
   * What the households of the false positives were labelled with, counted: a planted
   * scenario of another kind, a hard negative, `early` (found over a day before its own
   * pattern started), or `none`. (Not for stranger_recurrent, which is scored by door.)
   */
  falsePositives: Record<string, number>;
}

const DAY = 86_400_000;
const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Scores the cases a replay opened against the labels. Household kinds: a household with
 * a case of the kind is a true positive when a planted case of that household expects the
 * kind and the detection is not before the pattern started; delay is from the start of
 * the pattern to the detection. stranger_recurrent is scored by door: a case at a door
 * where a labelled stranger reached the threshold (at most a day later) is a true one.
 */
export function score(labels: Labels, cases: FoundCase[], kinds: readonly string[]): KindScore[] {
  return kinds.map((kind) => {
    if (kind === 'stranger_recurrent') {
      const truth = labels.strangers;
      const found = cases.filter((c) => c.kind === kind);
      const tp = found.filter((c) =>
        truth.some((s) => s.door === c.doorId && Date.parse(s.ts) <= c.detectedTs + DAY),
      );
      const hit = truth.filter((s) =>
        found.some((c) => c.doorId === s.door && Date.parse(s.ts) <= c.detectedTs + DAY),
      );
      const delays = hit.map((s) => {
        const first = Math.min(...found.filter((c) => c.doorId === s.door).map((c) => c.detectedTs));
        return Math.max(0, (first - Date.parse(s.ts)) / DAY);
      });
      return {
        kind,
        labelled: truth.length,
        found: found.length,
        truePositives: tp.length,
        precision: found.length ? round(tp.length / found.length) : 1,
        recall: truth.length ? round(hit.length / truth.length) : 1,
        medianDelayDays: median(delays) === null ? null : round(median(delays) as number, 1),
        falsePositives: {},
      };
    }
    const planted = labels.cases.filter((c) => c.kinds.includes(kind));
    const first = new Map<string, number>();
    for (const c of cases)
      if (c.kind === kind && c.householdId)
        first.set(c.householdId, Math.min(first.get(c.householdId) ?? Infinity, c.detectedTs));
    let tp = 0;
    const delays: number[] = [];
    let hit = 0;
    const falsePositives: Record<string, number> = {};
    for (const [h, ts] of first) {
      const l = planted.find((p) => p.householdId === h && ts >= Date.parse(p.start) - DAY);
      if (l) tp++;
      else
        for (const why of labelledAs(labels, h, kind)) falsePositives[why] = (falsePositives[why] ?? 0) + 1;
    }
    for (const p of planted) {
      const ts = first.get(p.householdId);
      if (ts !== undefined && ts >= Date.parse(p.start) - DAY) {
        hit++;
        delays.push((ts - Date.parse(p.start)) / DAY);
      }
    }
    const md = median(delays);
    return {
      kind,
      labelled: planted.length,
      found: first.size,
      truePositives: tp,
      precision: first.size ? round(tp / first.size) : 1,
      recall: planted.length ? round(hit / planted.length) : 1,
      medianDelayDays: md === null ? null : round(md, 1),
      falsePositives,
    };
  });
}

/** What a household the detector wrongly flagged for `kind` was labelled with. */
function labelledAs(labels: Labels, householdId: string, kind: string): string[] {
  const why = new Set<string>();
  for (const p of labels.cases)
    if (p.householdId === householdId) why.add(p.kinds.includes(kind) ? 'early' : p.scenario);
  for (const n of labels.negatives) if (n.householdId === householdId) why.add(n.scenario);
  return why.size > 0 ? [...why] : ['none'];
}
