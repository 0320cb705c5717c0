import { median, round } from '../testkit/stats.js';

/**
 * The arithmetic of the independent pair (issue 15), apart from the processes, so that it
 * can be unit-tested: medians of alternating reps and the ratio of each rep to the ceiling
 * measured just before it.
 */

/** One loadgen.mjs result line. */
export interface LoadgenResult {
  events: number;
  answered: number;
  seconds: number;
  /** answered / seconds, from the first publish to the last answer (loadgen.mjs's own figure). */
  perSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  unanswered: number;
}

/** One responder's measurement in one rep: a saturation run, then a fixed-rate run. */
export interface Measurement {
  sat: LoadgenResult;
  at500: LoadgenResult;
  /** CPU ms per answered read over the saturation run: the responder, the broker. */
  responderCpuMsPerRead: number | null;
  brokerCpuMsPerRead: number | null;
  /**
   * loadgen.mjs's own CPU ms per answered read over the saturation run: with the broker's
   * and the responder's, what the two cores are shared by.
   */
  loadgenCpuMsPerRead?: number | null;
  /** VmHWM after both runs (null for a process that was not measured). */
  peakRssMB: number | null;
}

/** One alternation: the ceiling first, then the gateway, behind the same broker. */
export interface Rep {
  ceiling: Measurement;
  gateway: Measurement;
}

const med = (xs: Array<number | null>, d = 3): number | null => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? round(median(v), d) : null;
};

/** Medians of one responder over the reps. */
export function summarizeResponder(ms: Measurement[]) {
  return {
    readsPerS: med(
      ms.map((m) => m.sat.perSecond),
      0,
    ),
    perRep: ms.map((m) => m.sat.perSecond),
    at500: { p50Ms: med(ms.map((m) => m.at500.p50Ms)), p99Ms: med(ms.map((m) => m.at500.p99Ms)) },
    cpuMsPerRead: med(
      ms.map((m) => m.responderCpuMsPerRead),
      4,
    ),
    brokerCpuMsPerRead: med(
      ms.map((m) => m.brokerCpuMsPerRead),
      4,
    ),
    loadgenCpuMsPerRead: med(
      ms.map((m) => m.loadgenCpuMsPerRead ?? null),
      4,
    ),
    peakRssMB: med(ms.map((m) => m.peakRssMB)),
    unanswered: ms.reduce((n, m) => n + m.sat.unanswered + m.at500.unanswered, 0),
  };
}

/**
 * The pair's summary: each rep's gateway reads/s over the ceiling of the same rep, and the
 * median of those ratios (not the ratio of the medians: a rep disturbed by other work on
 * the box then moves one ratio, not both sides of the headline).
 */
export function summarizeReps(reps: Rep[]) {
  if (reps.length === 0) throw new Error('no reps to summarize');
  const ceiling = summarizeResponder(reps.map((r) => r.ceiling));
  const gateway = summarizeResponder(reps.map((r) => r.gateway));
  const ratios = reps.map((r) => round(r.gateway.sat.perSecond / Math.max(1, r.ceiling.sat.perSecond), 3));
  const p99Delta =
    gateway.at500.p99Ms !== null && ceiling.at500.p99Ms !== null
      ? round(gateway.at500.p99Ms - ceiling.at500.p99Ms)
      : null;
  return { ceiling, gateway, ratios, ratioMedian: med(ratios), p99DeltaMsAt500: p99Delta };
}
