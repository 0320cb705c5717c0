/**
 * The sections of `npm run bench`, in the order they run, and BENCH_ONLY's choice of them
 * (so that one section can be re-measured alone, e.g. BENCH_ONLY=independent in ~5 min).
 */
export const SECTIONS = ['independent', 'scaling', 'upstream', 'own'] as const;

/** A section's name. */
export type Section = (typeof SECTIONS)[number];

/** The sections BENCH_ONLY names (all when unset); an unknown name is an error, not a silent skip. */
export function selectSections(only: string | undefined): Section[] {
  if (!only?.trim()) return [...SECTIONS];
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!(SECTIONS as readonly string[]).includes(n))
      throw new Error(`BENCH_ONLY: unknown section "${n}" (sections: ${SECTIONS.join(', ')})`);
  return SECTIONS.filter((s) => names.includes(s));
}
