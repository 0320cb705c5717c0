import { checkDigit } from '../core/id-number.js';

/**
 * The roster of the reviewers' side-by-side.sh, rebuilt here so that the independent pair
 * of `npm run bench` presents the gateway with the same people: residents P00001…, three a
 * household, every tenth moved out (so one read in ten of loadgen's first 50 persons is
 * denied, as in side-by-side.sh), one face and one card each.
 */
export function sideBySideRoster(residents: number): Record<string, unknown> {
  const households: Array<{ id: string; residents: unknown[] } & Record<string, unknown>> = [];
  for (let n = 1; n <= residents; n++) {
    const h = Math.ceil(n / 3);
    let hh = households[h - 1];
    if (!hh) {
      hh = {
        id: `H${String(h).padStart(5, '0')}`,
        building: `B${String(1 + (h % 20)).padStart(2, '0')}`,
        room: String(100 + (h % 900)),
        housingType: 'gongzu',
        status: 'active',
        residents: [],
      };
      households[h - 1] = hh;
    }
    const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(n / 1000) * 86_400_000)
      .toISOString()
      .slice(0, 10)
      .replace(/-/g, '');
    const first17 = `310115${birth}${String(n % 1000).padStart(3, '0')}`;
    hh.residents.push({
      id: `R${String(n).padStart(5, '0')}`,
      role: hh.residents.length ? 'co_resident' : 'leaseholder',
      name: `住户${n}`,
      idNumber: first17 + checkDigit(first17),
      status: n % 10 === 0 ? 'moved_out' : 'active',
      credentials: {
        face: [`P${String(n).padStart(5, '0')}`],
        card: [(0x20000000 + n).toString(16).toUpperCase()],
      },
    });
  }
  return { version: `sbs-${residents}`, households };
}

/** The persons side-by-side.sh's loadgen presents: P00001…P000nn. */
export function sideBySidePersons(count = 50): string[] {
  return Array.from({ length: count }, (_, i) => `P${String(i + 1).padStart(5, '0')}`);
}
