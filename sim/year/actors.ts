/**
 * Who lives a simulated year, and what is planted in it (issue 4): residents with their
 * rhythms and absences, strangers, couriers and staff with passes, relatives with passes,
 * and the planted cases — sublets, overcrowding, lent cards, long absences — with the hard
 * negatives beside them: large families, relatives with passes, night-shift workers,
 * Spring Festival travel.
 */
import { personEmbedding } from '../embedding.js';
import { hashSeed, Random } from '../random.js';
import type { SimEstate } from '../types.js';
import type { Negative, PlantedCase, Scenario } from './labels.js';

/** Someone who comes in through the doors of the estate. */
export interface Actor {
  id: string;
  /** Terminal person id (registered residents); null: an unregistered face with an embedding. */
  faceId: string | null;
  emb: Float32Array | null;
  idNumber?: string;
  /** Card used (own, or borrowed from the household); chance of using it on a trip. */
  card: string | null;
  cardShare: number;
  /** Doors on the way home: a gate, then the entrance. */
  doors: string[];
  /** Outings a day (each ends with coming home through the doors). */
  rate: number;
  /** Holds a pass (a registered visitor or courier): not a stranger. */
  known?: boolean;
  /** Comes home in the morning (night shift). */
  night?: boolean;
  /** Days [from, to) the actor is around; absences inside. */
  from: number;
  to: number;
  away: Array<[number, number]>;
}

/** A pass the simulator registers (written to the read file, created through the PassService). */
export interface PlannedPass {
  day: number;
  body: Record<string, unknown>;
}

/** Everyone in a simulated year, the passes registered, and the ground truth planted. */
export interface Cast {
  actors: Actor[];
  /** Strangers: index into actors, and whether they come back often. */
  strangers: Array<{ actor: Actor; recurring: boolean }>;
  couriers: Actor[];
  passes: PlannedPass[];
  cases: PlantedCase[];
  negatives: Negative[];
}

const iso = (start: number, day: number) => new Date(start + day * 86_400_000).toISOString();

/** Builds the cast of a year of `days` days starting at local midnight `start`. */
export function cast(estate: SimEstate, seed: number, start: number, days: number): Cast {
  const rng = new Random(hashSeed(seed, 'year-cast'));
  const entranceOf = new Map<string, string>();
  for (const h of estate.roster.households) entranceOf.set(h.id, h.entrance ?? h.building);
  const doorsOf = (hid: string, r: Random) => [
    r.chance(0.8) ? 'GATE-N' : 'GATE-S',
    entranceOf.get(hid) as string,
  ];
  const actors: Actor[] = [];
  const byHousehold = new Map<string, Actor[]>();
  for (const p of estate.persons) {
    if (p.kind !== 'resident' || !p.householdId) continue;
    const r = rng.fork('res', p.id);
    const a: Actor = {
      id: p.id,
      faceId: p.facePersonId,
      emb: null,
      idNumber: p.idNumber,
      card: p.card ?? null,
      cardShare: p.card ? 0.3 : 0,
      doors: doorsOf(p.householdId, r),
      rate: r.chance(0.2) ? 0.5 : 0.95,
      from: 0,
      to: days,
      away: [],
    };
    // Ordinary travel: up to two trips a year of 2–10 days.
    for (let k = r.int(0, 2); k > 0; k--) {
      const s = r.int(0, days - 12);
      a.away.push([s, s + r.int(2, 10)]);
    }
    actors.push(a);
    const list = byHousehold.get(p.householdId) ?? [];
    list.push(a);
    byHousehold.set(p.householdId, list);
  }
  const households = estate.roster.households.filter((h) => h.status === 'active' && byHousehold.has(h.id));
  const pool = rng.shuffle([...households]);
  const take = (n: number, ok: (hid: string) => boolean = () => true) => {
    const out: string[] = [];
    for (let i = 0; i < pool.length && out.length < n; i++) {
      const h = pool[i];
      if (h && ok(h.id)) {
        out.push(h.id);
        pool.splice(i--, 1);
      }
    }
    return out;
  };
  const hasCard = (hid: string) => (byHousehold.get(hid) ?? []).some((a) => a.card);
  const size = (hid: string) => (byHousehold.get(hid) ?? []).length;
  const N = households.length;
  const count = (share: number) => Math.max(2, Math.round(N * share));
  const c: Cast = { actors, strangers: [], couriers: [], passes: [], cases: [], negatives: [] };
  const members = (hid: string) => byHousehold.get(hid) ?? [];
  const leave = (hid: string, from: number, to: number, who: 'all' | 'leaseholder') => {
    const m = members(hid);
    for (const a of who === 'all' ? m : m.slice(0, 1)) a.away.push([from, to]);
  };
  const outsider = (
    label: string,
    hid: string,
    card: string | null,
    r: Random,
    from: number,
    to: number,
    rate = 0.9,
  ): Actor => {
    const a: Actor = {
      id: `${label}-${hid}-${actors.length}`,
      faceId: null,
      emb: personEmbedding(seed, `${label}-${hid}-${actors.length}`),
      card,
      cardShare: card ? 1 : 0,
      doors: doorsOf(hid, r),
      rate,
      from,
      to,
      away: [],
    };
    actors.push(a);
    return a;
  };
  let caseNo = 0;
  const plant = (
    scenario: Scenario,
    hid: string,
    from: number,
    to: number,
    kinds: string[],
    persons: Actor[],
  ) =>
    c.cases.push({
      id: `L${++caseNo}`,
      scenario,
      householdId: hid,
      start: iso(start, from),
      end: iso(start, to),
      kinds,
      persons: persons.map((a) => a.id),
    });
  const r = rng.fork('plant');
  const window = () => r.int(20, Math.max(21, days - 60));
  const cardOf = (hid: string) => members(hid).find((a) => a.card)?.card ?? null;
  const subletN = count(0.006);
  for (const hid of take(Math.ceil(subletN * 0.75), (h) => hasCard(h) && size(h) <= 4)) {
    const from = window();
    leave(hid, from, days, 'all');
    const tenants = Array.from({ length: r.int(1, 2) }, () =>
      outsider('subtenant', hid, cardOf(hid), r, from, days),
    );
    plant(
      'sublet_card',
      hid,
      from,
      days,
      ['suspected_sublet', 'credential_shared', 'leaseholder_absent'],
      tenants,
    );
  }
  for (const hid of take(Math.floor(subletN * 0.25))) {
    const from = window();
    leave(hid, from, days, 'all');
    const t = outsider('subtenant', hid, null, r, from, days);
    t.known = true;
    t.idNumber = `sublet-${hid}`;
    for (let d = from; d < days; d += 7)
      c.passes.push({ day: d, body: visitorPass(hid, t, 'tenant', start, d, Math.min(days, d + 7)) });
    plant('sublet_pass', hid, from, days, ['suspected_sublet', 'leaseholder_absent'], [t]);
  }
  for (const hid of take(count(0.004), hasCard)) {
    const from = window();
    const absent = r.chance(0.5);
    if (absent) leave(hid, from, days, 'all');
    const occupants = Array.from({ length: r.int(4, 7) }, () =>
      outsider('occupant', hid, cardOf(hid), r, from, days),
    );
    plant(
      'overcrowding',
      hid,
      from,
      days,
      ['overcrowding', 'credential_shared', ...(absent ? ['suspected_sublet', 'leaseholder_absent'] : [])],
      occupants,
    );
  }
  for (const hid of take(count(0.004), hasCard)) {
    const from = window();
    const to = Math.min(days, from + r.int(28, 84));
    const friend = outsider('friend', hid, cardOf(hid), r, from, to, 0.6);
    plant('lent_card', hid, from, to, ['credential_shared'], [friend]);
  }
  for (const [scenario, who] of [
    ['long_absence_hospital', 'leaseholder'],
    ['long_absence_travel', 'all'],
  ] as const) {
    for (const hid of take(count(0.005))) {
      const from = window();
      const to = Math.min(days, from + r.int(40, 120));
      leave(hid, from, to, who);
      plant(scenario, hid, from, to, ['leaseholder_absent'], []);
    }
  }
  // Hard negatives.
  for (const hid of take(count(0.01))) {
    const relatives = Array.from({ length: r.int(1, 2) }, () =>
      outsider('relative', hid, null, r, 0, days, 0.45),
    );
    for (const rel of relatives) {
      rel.idNumber = `relative-${rel.id}`;
      rel.known = true;
      for (let d = 0; d < days; d += 90)
        c.passes.push({ day: d, body: visitorPass(hid, rel, 'relative', start, d, Math.min(days, d + 90)) });
    }
    c.negatives.push({ scenario: 'relatives_with_pass', householdId: hid });
  }
  for (const h of households)
    if (size(h.id) >= 5) c.negatives.push({ scenario: 'large_family', householdId: h.id });
  for (const a of actors) {
    if (a.faceId && rng.fork('night', a.id).chance(0.04)) {
      a.night = true;
      c.negatives.push({ scenario: 'night_shift', householdId: a.doors[1] ?? '', residentId: a.id });
    }
  }
  // Spring Festival (春节): a third of the households travel home for 5–12 days.
  const sf = Math.max(0, Math.round((Date.parse('2025-01-28T00:00:00+08:00') - start) / 86_400_000));
  for (const h of households) {
    const rr = rng.fork('sf', h.id);
    if (sf < days && rr.chance(0.3)) {
      const from = sf + rr.int(-3, 1);
      leave(h.id, from, from + rr.int(5, 12), 'all');
    }
  }
  const srng = rng.fork('strangers');
  const strangers = estate.persons.filter((p) => p.kind === 'stranger');
  strangers.forEach((p, i) => {
    const door = p.homeDoors.find((d) => !d.startsWith('GATE')) ?? 'GATE-N';
    const a: Actor = {
      id: p.id,
      faceId: null,
      emb: p.embedding,
      card: null,
      cardShare: 0,
      doors: [door],
      rate: 0,
      from: 0,
      to: days,
      away: [],
    };
    c.strangers.push({ actor: a, recurring: i < Math.ceil(strangers.length * 0.2) && srng.chance(0.9) });
  });
  const entrances = [...new Set(entranceOf.values())];
  for (let i = 0; i < Math.max(3, Math.round(N / 150)); i++) {
    const a: Actor = {
      id: `courier-${i}`,
      faceId: null,
      emb: personEmbedding(seed, `courier-${i}`),
      card: null,
      cardShare: 0,
      doors: entrances,
      rate: 0,
      from: 0,
      to: days,
      away: [],
    };
    c.couriers.push(a);
    c.passes.push({
      day: 0,
      body: {
        kind: 'courier',
        name: `快递员${i}`,
        phone: `1390000${String(i).padStart(4, '0')}`,
        embedding: a.emb,
        id: `PS-C${i}`,
        validFrom: iso(start, 0),
        validTo: iso(start, Math.min(days, 365)),
      },
    });
  }
  return c;
}

function visitorPass(
  hid: string,
  a: Actor,
  tag: string,
  start: number,
  from: number,
  to: number,
): Record<string, unknown> {
  return {
    kind: 'visitor',
    householdId: hid,
    name: `访客${tag}`,
    phone: `138${String(hashSeed(a.id) % 1e8).padStart(8, '0')}`,
    embedding: a.emb,
    id: `PS-${a.id}-${from}`,
    validFrom: iso(start, from),
    validTo: iso(start, to),
  };
}
