/**
 * Shapes of the simulated estate: the roster in the JSON import format that
 * gateway/roster/import.ts reads (rowsFromJson), and the people who walk through the doors.
 */
import type { HouseholdStatus, HousingType, ResidentRole, ResidentStatus } from '../core/codes.js';

/** One resident as the JSON roster import expects it. */
export interface SimRosterResident {
  id: string;
  role: ResidentRole;
  name: string;
  /** Full ID number: the gateway hashes and masks it at import (design.md §9). */
  idNumber: string;
  phone: string;
  /** YYYY-MM-DD. */
  validFrom: string | null;
  validTo: string | null;
  status: ResidentStatus;
  /** Fingerprint template ids are module pages: given to residents of doors with a fingerprint reader. */
  credentials: {
    face: string[];
    card: string[];
    fingerprint?: string[];
    /** Face id → base64 JPEG, for residents of doors whose terminals keep a face library (issue 11). */
    facePhotos?: Record<string, string>;
  };
}

/** One household (dwelling) with its residents, as the JSON roster import expects it. */
export interface SimRosterHousehold {
  id: string;
  building: string;
  entrance: string | null;
  /** Floor and flat, e.g. 0301. */
  room: string;
  housingType: HousingType;
  leaseStart: string | null;
  leaseEnd: string | null;
  status: HouseholdStatus;
  residents: SimRosterResident[];
}

/** A whole roster file in the JSON import format: `parseRoster(JSON.stringify(r), 'json', key)`. */
export interface SimRoster {
  /** Changes whenever the content would (seed, size, reference date). */
  version: string;
  buildings: Array<{ id: string; name: string }>;
  households: SimRosterHousehold[];
}

/** Who a simulated person is to the gateway. */
export type SimPersonKind = 'resident' | 'moved_out' | 'stranger';

/** A simulated person: the ground truth behind the credentials they present. */
export interface SimPerson {
  /** Resident id for people in the roster, the stranger id otherwise. */
  id: string;
  kind: SimPersonKind;
  name: string;
  /** Roster resident id (absent for strangers). */
  residentId?: string;
  householdId?: string;
  buildingId?: string;
  entranceId?: string;
  /** The terminal's person id (`F-<residentId>`), null for strangers: no terminal knows them. */
  facePersonId: string | null;
  /** Card UID (8 upper-case hex digits) for the ~60 % who hold a card. */
  card?: string;
  /** Fingerprint template id (the module page) of residents whose doors have a fingerprint reader. */
  fingerprintId?: string;
  idNumber?: string;
  /** Stable tracking id of a stranger (ground truth for tests; terminals do not send it). */
  strangerId?: string;
  /** Stable unit-length 128-dim face vector. */
  embedding: Float32Array;
  /** Doors this person normally uses: their entrance/building door(s), then the estate gates. */
  homeDoors: string[];
}

/** A generated estate: the roster to import and everyone who may turn up at a door. */
export interface SimEstate {
  roster: SimRoster;
  persons: SimPerson[];
}
