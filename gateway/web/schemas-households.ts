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

/**
 * A person of the household a face terminal refused (issue 11), in the vendor's words, so
 * someone can retake the photo: "face not accepted by terminal T-3-1: 人脸质量过低".
 */
export const FaceRefusal = T.Object({
  readerId: T.String(),
  doorId: NStr,
  doorName: NStr,
  /** The person on the terminal: a resident's face id, or a pass's person id. */
  personKey: T.String(),
  residentId: NStr,
  passId: NStr,
  action: T.String({ description: 'enrolled | replaced | removed: what the sync tried' }),
  code: T.String({ description: 'core/codes.ts libraryRefusal' }),
  label: T.String({ description: 'its zh-CN label' }),
  vendorCode: NStr,
  message: T.String({ description: "the terminal's own words" }),
  since: T.String({ format: 'date-time' }),
  at: T.String({ format: 'date-time' }),
  attempts: T.Integer(),
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
  /** Persons of the household (residents, visitors) a face terminal refuses now. */
  faceRefusals: T.Array(FaceRefusal),
});

/** GET /api/households/:id: the roster, journal and ledger sides of the file in one reply. */
export const HouseholdFile = T.Composite([HouseholdReply, HouseholdLedger, HouseholdFaces]);
