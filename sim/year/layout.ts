/**
 * The doors and readers of a simulated estate sized for its households: entrances of
 * 60 flats (15 floors, 一梯四户), two per building, two estate gates. Every door has one
 * entry reader; exits use the button (so a year stays "several million reads").
 */

/** Flats behind one entrance door. */
export const FLATS_PER_ENTRANCE = 60;

/** Doors and readers (config objects) for `households` households. */
export function yearLayout(households: number): {
  doors: Array<Record<string, unknown>>;
  readers: Array<Record<string, unknown>>;
} {
  const entrances = Math.max(1, Math.ceil(households / FLATS_PER_ENTRANCE));
  const buildings = Math.ceil(entrances / 2);
  const doors: Array<Record<string, unknown>> = [
    { id: 'GATE-N', name: '北门' },
    { id: 'GATE-S', name: '南门' },
  ];
  for (let b = 1; b <= buildings; b++) {
    const bid = `B${String(b).padStart(2, '0')}`;
    for (let u = 1; u <= 2 && doors.length - 2 < entrances; u++)
      doors.push({ id: `${bid}-U${u}`, name: `${b}号楼${u}单元`, building: bid, entrance: `${bid}-U${u}` });
  }
  const readers = doors.map((d) => ({ id: `T-${d.id}`, door: d.id }));
  return { doors, readers };
}
