import { checkDigit } from '../core/id-number.js';

/**
 * A synthetic roster in the JSON import format: `residents` residents in households of
 * 1–4 over buildings B01…, each with face F-R00001…, a card, a valid ID number.
 * Resident i's face is `F-R${pad(i)}` so a load generator can present real residents.
 */
export function syntheticRoster(residents: number, buildings = 20): Record<string, unknown> {
  const households: Array<Record<string, unknown>> = [];
  let i = 0;
  let h = 0;
  while (i < residents) {
    h++;
    const b = `B${String((h % buildings) + 1).padStart(2, '0')}`;
    const size = Math.min(residents - i, 1 + (h % 4));
    const members = [];
    for (let k = 0; k < size; k++) {
      i++;
      const n = String(i).padStart(5, '0');
      // Unique numbers: one birth date per thousand residents, the sequence code within it.
      const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(i / 1000) * 37 * 86_400_000)
        .toISOString()
        .slice(0, 10)
        .replace(/-/g, '');
      const first17 = `310115${birth}${String(i % 1000).padStart(3, '0')}`;
      members.push({
        id: `R${n}`,
        role: k === 0 ? 'leaseholder' : 'co_resident',
        name: `住户${n}`,
        idNumber: first17 + checkDigit(first17),
        status: 'active',
        credentials: { face: [`F-R${n}`], card: [(0x10000000 + i).toString(16).toUpperCase()] },
      });
    }
    households.push({
      id: `H${String(h).padStart(6, '0')}`,
      building: b,
      entrance: `${b}-U1`,
      room: String(101 + (h % 30)),
      housingType: ['lianzu', 'gongzu', 'baozu', 'gongyou'][h % 4],
      status: 'active',
      residents: members,
    });
  }
  return { version: `synthetic-${residents}`, households };
}
