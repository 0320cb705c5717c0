/**
 * Who lives a simulated year (issue 4, harder in issue 10): residents with their rhythms,
 * absences and the windows of their leases, card-only residents and poor recognisers,
 * strangers and new regulars, couriers with passes, property staff with staff cards in no
 * roster, delivery riders; the planted cases and hard negatives are added by plants.ts.
 */
import { personEmbedding } from '../embedding.js';
import { hashSeed, Random } from '../random.js';
import type { SimEstate } from '../types.js';
import { add, type Cast } from './cast.js';
import type { YearParams } from './params.js';
import { type Actor, outsider, relatedFace } from './people.js';
import { plant } from './plants.js';
import type { RosterPlan } from './roster-plan.js';

const iso = (start: number, day: number) => new Date(start + day * 86_400_000).toISOString();

/** Builds the cast of a year of `days` days starting at local midnight `start`. */
export function cast(
  estate: SimEstate,
  plan: RosterPlan,
  p: YearParams,
  seed: number,
  start: number,
  days: number,
): Cast {
  const rng = new Random(hashSeed(seed, 'year-cast'));
  const entranceOf = new Map<string, string>();
  for (const h of estate.roster.households) entranceOf.set(h.id, h.entrance ?? h.building);
  const doorsOf = (hid: string, r: Random) => [
    r.chance(0.8) ? 'GATE-N' : 'GATE-S',
    entranceOf.get(hid) as string,
  ];
  const c: Cast = {
    actors: [],
    byHousehold: new Map(),
    byEntrance: new Map(),
    strangers: [],
    couriers: [],
    workers: [],
    guests: [],
    sitters: [],
    passes: [],
    cases: [],
    negatives: [...plan.negatives],
  };
  const familyFace = new Map<string, Float32Array>();
  for (const person of estate.persons) {
    const rp = person.residentId ? plan.residents.get(person.residentId) : undefined;
    if (!rp || !person.householdId || rp.to <= rp.from) continue;
    const r = rng.fork('res', person.id);
    let fam = familyFace.get(person.householdId);
    if (!fam) {
      fam = personEmbedding(seed, `family-${person.householdId}`);
      familyFace.set(person.householdId, fam);
    }
    // Spouses are not blood relatives; the others look alike.
    const spouse = /-2$/.test(person.id) && r.chance(0.7);
    const a: Actor = {
      id: person.id,
      faceId: rp.enrolledFrom === null ? null : person.facePersonId,
      enrolledFrom: rp.enrolledFrom ?? 0,
      emb: spouse ? person.embedding : relatedFace(fam, person.embedding, p.familyLikeness),
      nullRate: rp.nullRate,
      faceFirst: rp.faceFirst,
      idNumber: person.idNumber,
      card: rp.card,
      cardFrom: rp.cardFrom,
      cardShare: rp.enrolledFrom === null ? 1 : rp.card ? 0.3 : 0,
      cardAway: [],
      doors: doorsOf(person.householdId, r),
      rate: r.chance(0.2) ? 0.5 : 0.95,
      household: person.householdId,
      stranger: false,
      from: rp.from,
      to: rp.to,
      away: [],
    };
    // Ordinary travel: up to two trips a year of 2–10 days.
    for (let k = r.int(0, 2); k > 0; k--) {
      const s = r.int(0, Math.max(0, days - 12));
      a.away.push([s, s + r.int(2, 10)]);
    }
    add(c, a);
  }
  for (const hid of plan.households.keys()) {
    const m = c.byHousehold.get(hid) ?? [];
    if (m.length >= 5) c.negatives.push({ scenario: 'large_family', householdId: hid });
  }
  for (const a of c.actors)
    if (a.faceId && rng.fork('night', a.id).chance(0.04)) {
      a.night = true;
      c.negatives.push({ scenario: 'night_shift', householdId: a.household ?? '', residentId: a.id });
    }
  springFestival(c, rng, start, days);
  plant(c, { plan, p, seed, start, days, rng: rng.fork('plant'), doorsOf, entranceOf });
  strangers(c, estate, p, seed, days, rng.fork('strangers'), [...new Set(entranceOf.values())]);
  workers(c, p, seed, start, days, rng.fork('workers'), [...new Set(entranceOf.values())]);
  return c;
}

/** Spring Festival (春节): a third of the households travel home for 5–12 days. */
function springFestival(c: Cast, rng: Random, start: number, days: number): void {
  const sf = Math.max(0, Math.round((Date.parse('2025-01-28T00:00:00+08:00') - start) / 86_400_000));
  if (sf >= days) return;
  for (const [hid, members] of c.byHousehold) {
    const rr = rng.fork('sf', hid);
    if (!rr.chance(0.3)) continue;
    const from = sf + rr.int(-3, 1);
    const to = from + rr.int(5, 12);
    for (const a of members) a.away.push([from, to]);
    c.negatives.push({ scenario: 'spring_festival_travel', householdId: hid, start: iso(start, from) });
  }
}

/** Strangers of the estate's pool (a fifth come often) and regulars who start mid-year. */
function strangers(
  c: Cast,
  estate: SimEstate,
  p: YearParams,
  seed: number,
  days: number,
  r: Random,
  entrances: string[],
): void {
  const pool = estate.persons.filter((x) => x.kind === 'stranger');
  pool.forEach((x, i) => {
    const door = x.homeDoors.find((d) => !d.startsWith('GATE')) ?? 'GATE-N';
    const a = outsider(seed, x.id, { doors: [door], from: 0, to: days, rate: 0 });
    a.emb = x.embedding;
    c.strangers.push({ actor: a, perDay: i < Math.ceil(pool.length * 0.2) && r.chance(0.9) ? 1.5 : 0.08 });
  });
  const n = Math.round(entrances.length * p.newRegulars);
  for (let i = 0; i < n; i++) {
    const from = r.int(20, Math.max(21, days - 30));
    const a = outsider(seed, `regular-${i}`, {
      doors: [r.pick(entrances)],
      from,
      to: Math.min(days, from + r.int(30, 200)),
      rate: 0,
    });
    c.strangers.push({ actor: a, perDay: r.float(0.6, 1.6) });
  }
}

/** Couriers with passes, property staff with staff cards in no roster, delivery riders. */
function workers(
  c: Cast,
  p: YearParams,
  seed: number,
  start: number,
  days: number,
  r: Random,
  entrances: string[],
): void {
  const N = c.byHousehold.size;
  for (let i = 0; i < Math.max(3, Math.round(N / 150)); i++) {
    const a = outsider(seed, `courier-${i}`, { doors: entrances, from: 0, to: days, rate: 0, known: true });
    a.stranger = false;
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
  const staff = Math.round((N * p.staffPer1000) / 1000);
  for (let i = 0; i < staff; i++) {
    const k = Math.min(entrances.length, r.int(8, 20));
    const s = r.int(0, Math.max(0, entrances.length - 1));
    const round = Array.from({ length: k }, (_, j) => entrances[(s + j) % entrances.length] as string);
    const a = outsider(seed, `staff-${i}`, {
      doors: ['GATE-N'],
      from: 0,
      to: days,
      rate: 0,
      card: `5A${r.hex(6)}`,
      cardShare: 1,
    });
    a.stranger = false;
    c.workers.push({ actor: a, kind: 'staff', round: [...new Set(round)] });
  }
  const riders = Math.round((N * p.ridersPer1000) / 1000);
  for (let i = 0; i < riders; i++) {
    const from = r.chance(0.6) ? 0 : r.int(0, Math.max(0, days - 30));
    const a = outsider(seed, `rider-${i}`, {
      doors: [r.chance(0.8) ? 'GATE-N' : 'GATE-S'],
      from,
      to: Math.min(days, from + r.int(30, 365)),
      rate: 0,
    });
    c.workers.push({ actor: a, kind: 'rider', round: entrances });
  }
}
