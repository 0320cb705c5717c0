/** Percentile of a sample (nearest rank), ms. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
