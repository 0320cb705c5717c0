/**
 * The simulated estate: households spread over the buildings and entrances that the
 * configured doors describe, their residents, and a few strangers who are not in the
 * roster. Deterministic for (config doors, seed, households, today).
 */
import { shanghaiDate } from './dates.js';
import { personEmbedding } from './embedding.js';
import { generateHousehold, moveOut } from './household.js';
import { birthDateForAge, chineseName, type Sex, shanghaiIdNumber } from './names.js';
import { Random } from './random.js';
import { keepsFaceLibrary, type SimDoor, type SimSite } from './site.js';
import type { SimEstate, SimPerson, SimRosterHousehold } from './types.js';

/** Options of generateEstate. */
export interface GenerateEstateOptions {
  /** Same seed (with the same doors, size and date), same estate. */
  seed: number;
  /** Number of households (dwellings) to create. */
  households: number;
  /**
   * Reference date YYYY-MM-DD (default: today in Shanghai). Leases and validity are set
   * around it, because the gateway denies entries past a lease end; pass it in tests.
   */
  today?: string;
  /**
   * JPEG face photos (sim/images.ts faceImages()): residents of doors whose terminals keep a
   * face library (issue 11) carry one of them in the roster. Without them, no roster photos.
   */
  photos?: readonly Buffer[];
}

/** Share of residents who have moved out but are still on file (some still try their door). */
export const MOVED_OUT_SHARE = 0.03;
/** Strangers in the pool, as a share of the resident population. */
export const STRANGER_SHARE = 0.02;
/** Flats per floor (一梯四户), for room numbers like 0304. */
const FLATS_PER_FLOOR = 4;

/** A place households live: a building, and an entrance when doors name one. */
interface Unit {
  building: string;
  entrance: string | null;
  doors: string[];
}

/** Buildings and entrances as the doors describe them; doors without a building are gates. */
function units(doors: readonly SimDoor[]): Unit[] {
  const gates = doors.filter((d) => !d.building).map((d) => d.id);
  const byBuilding = new Map<string, Set<string>>();
  for (const d of doors) {
    if (!d.building) continue;
    const set = byBuilding.get(d.building) ?? new Set<string>();
    if (d.entrance) set.add(d.entrance);
    byBuilding.set(d.building, set);
  }
  // Without any building door the residents still need a home: one building behind the gates.
  if (byBuilding.size === 0) byBuilding.set('1', new Set());
  const out: Unit[] = [];
  for (const [building, entrances] of byBuilding) {
    for (const entrance of entrances.size > 0 ? [...entrances] : [null]) {
      const own = doors
        .filter((d) => d.building === building && (!d.entrance || d.entrance === entrance))
        .map((d) => d.id);
      out.push({ building, entrance, doors: [...own, ...gates] });
    }
  }
  return out;
}

function buildingName(id: string): string {
  const n = /^[Bb]?(\d+)$/.exec(id)?.[1];
  return n ? `${Number(n)}号楼` : id;
}

/**
 * Generates the estate. The roster imports with zero errors through
 * `parseRoster(JSON.stringify(estate.roster), 'json', key)`; `persons` holds every resident
 * (kind resident or moved_out) and the stranger pool (kind stranger), each with a stable
 * face embedding and the doors they normally use.
 */
export function generateEstate(
  config: Pick<SimSite, 'doors'> & Partial<Pick<SimSite, 'readers'>>,
  opts: GenerateEstateOptions,
): SimEstate {
  const today = opts.today ?? shanghaiDate(Date.now());
  const root = new Random(opts.seed);
  const places = units(config.doors);
  const n = Math.max(1, Math.floor(opts.households));
  // A couple of households whose lease ended: enough to show up, never most of a tiny estate.
  const nTerminated = Math.min(Math.floor(n / 10), Math.max(2, Math.round(n * 0.005)));
  const terminated = new Set(
    root
      .fork('terminated')
      .shuffle([...Array(n).keys()])
      .slice(0, nTerminated),
  );
  const usedCards = new Set<string>();
  const usedIds = new Set<string>();
  const unitOf = new Map<string, Unit>();
  const households: SimRosterHousehold[] = [];
  const perUnit = new Array<number>(places.length).fill(0);
  for (let i = 0; i < n; i++) {
    const u = i % places.length;
    const place = places[u] as Unit;
    const k = perUnit[u] ?? 0;
    perUnit[u] = k + 1;
    const floor = Math.floor(k / FLATS_PER_FLOOR) + 1;
    const id = `H${String(i + 1).padStart(4, '0')}`;
    unitOf.set(id, place);
    households.push(
      generateHousehold(root.fork('household', i), {
        id,
        building: place.building,
        entrance: place.entrance,
        room: `${String(floor).padStart(2, '0')}${String((k % FLATS_PER_FLOOR) + 1).padStart(2, '0')}`,
        today,
        terminated: terminated.has(i),
        usedCards,
        usedIds,
      }),
    );
  }

  // Moved-out co-residents of active households, topping up to the target share.
  const all = households.flatMap((h) => h.residents);
  const gone = all.filter((r) => r.status === 'moved_out').length;
  const movable = households.filter((h) => h.status === 'active').flatMap((h) => h.residents.slice(1));
  const mrng = root.fork('moved_out');
  const want = Math.max(0, Math.round(all.length * MOVED_OUT_SHARE) - gone);
  for (const r of mrng.shuffle(movable).slice(0, want)) moveOut(mrng, r, today);

  // Fingerprint modules hold templates by page: residents whose doors have one get a page,
  // in household order (no random draws, so the rest of the estate is unchanged).
  const fpDoors = new Set(
    (config.readers ?? []).filter((r) => r.driver === 'fingerprint').map((r) => r.door),
  );
  let pages = 0;
  // Face terminals that keep a library enrol from the roster's photo (issue 11): residents of
  // their doors carry one, chosen by their id (no random draws, as for pages).
  const faceDoors = new Set((config.readers ?? []).filter(keepsFaceLibrary).map((r) => r.door));
  const photos = (opts.photos ?? []).map((p) => p.toString('base64'));
  let photographed = 0;
  const persons: SimPerson[] = [];
  for (const h of households) {
    const place = unitOf.get(h.id) as Unit;
    for (const r of h.residents) {
      if (place.doors.some((d) => fpDoors.has(d))) r.credentials.fingerprint = [String(++pages)];
      const face = r.credentials.face[0];
      if (face && photos.length > 0 && place.doors.some((d) => faceDoors.has(d))) {
        r.credentials.facePhotos = {
          [face]: photos[Number(r.id.replace(/\D/g, '')) % photos.length] as string,
        };
        photographed++;
      }
      const p: SimPerson = {
        id: r.id,
        kind: r.status === 'active' && h.status === 'active' ? 'resident' : 'moved_out',
        name: r.name,
        residentId: r.id,
        householdId: h.id,
        buildingId: h.building,
        facePersonId: r.credentials.face[0] ?? null,
        idNumber: r.idNumber,
        embedding: personEmbedding(opts.seed, r.id),
        homeDoors: [...place.doors],
      };
      if (h.entrance) p.entranceId = h.entrance;
      if (r.credentials.card[0]) p.card = r.credentials.card[0];
      if (r.credentials.fingerprint?.[0]) p.fingerprintId = r.credentials.fingerprint[0];
      persons.push(p);
    }
  }

  // Strangers: each haunts one entrance (a sublet flat, a friend's place) and the gates.
  const srng = root.fork('strangers');
  const nStrangers = Math.max(1, Math.round(all.length * STRANGER_SHARE));
  for (let i = 1; i <= nStrangers; i++) {
    const id = `S${String(i).padStart(4, '0')}`;
    const sex: Sex = srng.chance(0.5) ? 'M' : 'F';
    const place = srng.pick(places);
    let idNumber: string;
    do idNumber = shanghaiIdNumber(srng, birthDateForAge(srng, today, srng.int(18, 60)), sex);
    while (usedIds.has(idNumber));
    usedIds.add(idNumber);
    persons.push({
      id,
      kind: 'stranger',
      name: chineseName(srng, sex),
      facePersonId: null,
      idNumber,
      strangerId: id,
      embedding: personEmbedding(opts.seed, id),
      homeDoors: [...place.doors],
    });
  }

  const buildings = [...new Set(households.map((h) => h.building))];
  return {
    roster: {
      // Fingerprints are part of the content: a config that adds a fingerprint door re-imports.
      version: `sim-${opts.seed}-${n}-${today}${pages > 0 ? `-fp${pages}` : ''}${photographed > 0 ? `-ph${photographed}` : ''}`,
      buildings: buildings.map((id) => ({ id, name: buildingName(id) })),
      households,
    },
    persons,
  };
}
