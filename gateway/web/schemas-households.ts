import { Type as T } from '@sinclair/typebox';
import { HouseholdLedger } from './ledger-schemas.js';
import { Alert, Entry } from './schemas.js';
import { HouseholdFaces } from './schemas-faces.js';

/** JSON Schemas of the household search and the household file (一户一档). */

const NStr = T.Union([T.String(), T.Null()]);

export const HouseholdSearchQuery = T.Object(
  {
    building: T.Optional(T.String({ maxLength: 64 })),
    room: T.Optional(T.String({ maxLength: 16 })),
    name: T.Optional(T.String({ minLength: 1, maxLength: 32, description: 'operator and above' })),
    after: T.Optional(T.String({ maxLength: 64, description: 'Cursor: households with id above this' })),
    limit: T.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

/** One household in the search list. */
export const HouseholdHit = T.Object({
  id: T.String(),
  buildingId: T.String(),
  buildingName: NStr,
  room: T.String(),
  housingType: T.String({ description: 'housing type code (core/codes.ts)' }),
  housingTypeLabel: T.String({ description: 'its zh-CN label' }),
  status: T.String(),
  leaseholder: NStr,
  members: T.Integer(),
});

export const HouseholdSearchReply = T.Object({
  items: T.Array(HouseholdHit),
  next: NStr,
  buildings: T.Array(T.Object({ id: T.String(), name: T.String() })),
});

/** A resident of the file: masked ID and phone, credentials masked. */
export const Member = T.Object({
  id: T.String(),
  role: T.String({ description: 'resident role code (core/codes.ts)' }),
  name: T.String(),
  idMasked: NStr,
  phoneMasked: NStr,
  validFrom: NStr,
  validTo: NStr,
  status: T.String(),
  credentials: T.Array(T.Object({ kind: T.String(), masked: T.String() })),
});

/** The roster's and the journal's side of the file. */
export const HouseholdReply = T.Object({
  id: T.String(),
  buildingId: T.String(),
  buildingName: NStr,
  entranceId: NStr,
  room: T.String(),
  housingType: T.String(),
  housingTypeLabel: T.String(),
  leaseStart: NStr,
  leaseEnd: NStr,
  status: T.String(),
  members: T.Array(Member),
  recentEntries: T.Array(Entry),
  alerts: T.Array(Alert),
});

/** GET /api/households/:id: the roster, journal and ledger sides of the file in one reply. */
export const HouseholdFile = T.Composite([HouseholdReply, HouseholdLedger, HouseholdFaces]);
