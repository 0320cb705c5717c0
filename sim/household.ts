/**
 * One simulated household (户): its lease and the family that lives there. Pure, from a
 * random stream; the estate decides where it is and whether its lease has ended.
 */
import type { HousingType } from '../core/codes.js';
import { addDays } from './dates.js';
import {
  birthDateForAge,
  chineseName,
  chineseSurname,
  mobileNumber,
  type Sex,
  shanghaiIdNumber,
} from './names.js';
import type { Random } from './random.js';
import type { SimRosterHousehold, SimRosterResident } from './types.js';

/** Mix of affordable-housing types in a typical Shanghai estate (公租 and 保租 dominate). */
const HOUSING_MIX: ReadonlyArray<readonly [HousingType, number]> = [
  ['lianzu', 0.15],
  ['gongzu', 0.4],
  ['baozu', 0.3],
  ['gongyou', 0.15],
];

/** Household sizes 1–5; mean about 2.5, like the city's census households. */
const SIZE_MIX: ReadonlyArray<readonly [number, number]> = [
  [1, 0.22],
  [2, 0.3],
  [3, 0.3],
  [4, 0.13],
  [5, 0.05],
];

/** Share of residents who carry an access card (the rest use their face). */
export const CARD_SHARE = 0.6;

/** What the estate tells a household about itself. */
export interface HouseholdPlace {
  id: string;
  building: string;
  entrance: string | null;
  room: string;
  /** Reference date (YYYY-MM-DD): leases are current on it unless `terminated`. */
  today: string;
  /** The lease ended and everyone left (a couple per estate). */
  terminated: boolean;
  /** Values already taken in the estate, so cards and ID numbers stay unique. */
  usedCards: Set<string>;
  usedIds: Set<string>;
}

function unique(used: Set<string>, make: () => string): string {
  for (;;) {
    const v = make();
    if (!used.has(v)) {
      used.add(v);
      return v;
    }
  }
}

/**
 * Lease dates that hold on `today`: rental types run in renewable terms that end in the
 * future (the gateway denies past leaseEnd); shared ownership (共有产权) has no end.
 */
function lease(rng: Random, type: HousingType, today: string, terminated: boolean) {
  const start = addDays(today, -rng.int(30, 8 * 365));
  if (terminated) {
    const end = addDays(today, -rng.int(10, 200));
    return { leaseStart: start < end ? start : addDays(end, -3 * 365), leaseEnd: end };
  }
  return { leaseStart: start, leaseEnd: type === 'gongyou' ? null : addDays(today, rng.int(60, 3 * 365)) };
}

/** Generates a household with 1–5 residents, the first of them its leaseholder. */
export function generateHousehold(rng: Random, p: HouseholdPlace): SimRosterHousehold {
  const housingType = rng.weighted(HOUSING_MIX);
  const { leaseStart, leaseEnd } = lease(rng, housingType, p.today, p.terminated);
  const size = rng.weighted(SIZE_MIX);
  const headAge = rng.int(26, 78);
  const headSex: Sex = rng.chance(0.5) ? 'M' : 'F';
  const headSurname = chineseSurname(rng);
  let familySurname = headSurname;
  const residents: SimRosterResident[] = [];
  for (let k = 1; k <= size; k++) {
    let age = headAge;
    let sex = headSex;
    let surname = headSurname;
    if (k === 2 && rng.chance(0.7)) {
      age = Math.max(20, headAge + rng.int(-6, 6)); // spouse: keeps her or his own surname
      sex = headSex === 'M' ? 'F' : 'M';
      surname = chineseSurname(rng);
      if (sex === 'M') familySurname = surname;
    } else if (k > 1) {
      // Children mostly take the father's surname.
      surname = rng.chance(0.85) ? familySurname : chineseSurname(rng);
      // A child, or a parent when the leaseholder is too young to have grown children.
      age = headAge >= 30 ? Math.max(0, headAge - rng.int(24, 36)) : Math.min(95, headAge + rng.int(24, 32));
      sex = rng.chance(0.5) ? 'M' : 'F';
    }
    let birth = birthDateForAge(rng, p.today, age);
    // Nobody is born into a household after its lease ended (the roster import refuses it).
    if (p.terminated && leaseEnd && birth > leaseEnd) birth = addDays(leaseEnd, -rng.int(30, 3000));
    const id = `${p.id}-${k}`;
    const card = rng.chance(CARD_SHARE) ? unique(p.usedCards, () => rng.hex(8)) : null;
    residents.push({
      id,
      role: k === 1 ? 'leaseholder' : 'co_resident',
      name: chineseName(rng, sex, surname),
      idNumber: unique(p.usedIds, () => shanghaiIdNumber(rng, birth, sex)),
      phone: mobileNumber(rng),
      validFrom: leaseStart && birth > leaseStart ? birth : leaseStart,
      validTo: p.terminated ? leaseEnd : null,
      status: p.terminated ? 'moved_out' : 'active',
      credentials: { face: [`F-${id}`], card: card ? [card] : [] },
    });
  }
  return {
    id: p.id,
    building: p.building,
    entrance: p.entrance,
    room: p.room,
    housingType,
    leaseStart,
    leaseEnd,
    status: p.terminated ? 'terminated' : 'active',
    residents,
  };
}

/**
 * Marks a co-resident as having moved out some time ago (tenants who left; some of them
 * still try their old door). Keeps validFrom before validTo, as the import requires.
 */
export function moveOut(rng: Random, r: SimRosterResident, today: string): void {
  const left = addDays(today, -rng.int(5, 400));
  r.status = 'moved_out';
  r.validTo = left;
  if (r.validFrom && r.validFrom > left) r.validFrom = addDays(left, -rng.int(30, 400));
}
