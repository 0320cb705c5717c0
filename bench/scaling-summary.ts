import { round } from '../testkit/stats.js';

/**
 * The arithmetic of the scaling section (issue 15, item 4), apart from its processes: which
 * residents the load presents, a child's CPU time from its parent shell, and how per-read
 * cost at the largest estate compares with the smallest.
 */

/** One estate size's figures. */
export interface ScalingRow {
  households: number;
  residents: number;
  replay: { reads: number; readsPerS: number; cpuMsPerRead: number | null; peakRssMB: number };
  live: {
    readsPerS: number;
    p50MsAt500: number | null;
    p99MsAt500: number | null;
    cpuMsPerRead: number | null;
    brokerCpuMsPerRead: number | null;
    peakRssMB: number | null;
    unanswered: number;
  };
}

interface RosterJson {
  households?: Array<{ residents?: Array<{ status?: string; credentials?: { face?: string[] } }> }>;
}

/** `count` face ids of active residents, spread evenly over the roster (not its first households). */
export function spreadFaces(roster: RosterJson, count: number): string[] {
  const faces = (roster.households ?? []).flatMap((h) =>
    (h.residents ?? []).filter((r) => r.status !== 'moved_out').flatMap((r) => r.credentials?.face ?? []),
  );
  if (faces.length === 0) throw new Error('the roster has no active resident with a face');
  const step = faces.length / Math.min(count, faces.length);
  return Array.from(
    { length: Math.min(count, faces.length) },
    (_, i) => faces[Math.floor(i * step)] as string,
  );
}

/**
 * CPU ms of the children a shell has waited for, from the shell's /proc/<pid>/stat
 * (cutime + cstime, fields 16 and 17): the exact CPU of a child that has already exited.
 */
export function parseStatChildrenCpuMs(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[13]) + Number(f[14]);
  if (!Number.isFinite(ticks)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return ticks * 10; // USER_HZ = 100
}

/**
 * How per-read CPU at the largest estate compares with the smallest, for live and replay
 * (issue 15's bound: within 2×), and the largest per-read cost over the smallest of any
 * size: the smallest estate's few reads carry the process's fixed start-up cost (roster,
 * schema, JIT), which makes "largest over smallest" flatter than the growth really is.
 * Within 2× holds only if both ratios do. Null where a figure is missing.
 */
export function costGrowth(rows: ScalingRow[]) {
  const sorted = [...rows].sort((a, b) => a.households - b.households);
  const small = sorted[0];
  const large = sorted.at(-1);
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a != null && b != null && a > 0 ? round(b / a, 2) : null;
  const spread = (xs: Array<number | null>) =>
    xs.some((x) => x === null) ? null : ratio(Math.min(...(xs as number[])), Math.max(...(xs as number[])));
  const live = ratio(small?.live.cpuMsPerRead, large?.live.cpuMsPerRead);
  const replay = ratio(small?.replay.cpuMsPerRead, large?.replay.cpuMsPerRead);
  const liveSpread = spread(sorted.map((r) => r.live.cpuMsPerRead));
  const replaySpread = spread(sorted.map((r) => r.replay.cpuMsPerRead));
  const ok = (x: number | null) => x !== null && x <= 2;
  return {
    from: small?.households ?? null,
    to: large?.households ?? null,
    liveCpuPerReadRatio: live,
    replayCpuPerReadRatio: replay,
    liveCpuPerReadMaxOverMin: liveSpread,
    replayCpuPerReadMaxOverMin: replaySpread,
    within2x: ok(live) && ok(replay) && ok(liveSpread) && ok(replaySpread),
  };
}
