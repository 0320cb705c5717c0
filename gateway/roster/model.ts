import type {
  CredentialKind,
  HouseholdStatus,
  HousingType,
  ResidentRole,
  ResidentStatus,
} from '../../core/codes.js';
import type { FacePhotoRef } from './face-photo-refs.js';

/**
 * The authorized-resident roster (名单): estate → building → entrance → household → resident →
 * credentials. The codes it uses (housing types, statuses, roles, credential kinds) and their
 * labels are in core/codes.ts.
 */

export interface Household {
  id: string;
  buildingId: string;
  entranceId: string | null;
  room: string;
  housingType: HousingType;
  /** YYYY-MM-DD. */
  leaseStart: string | null;
  leaseEnd: string | null;
  status: HouseholdStatus;
}

export interface Resident {
  id: string;
  householdId: string;
  role: ResidentRole;
  name: string;
  /** HMAC of the ID number; the number itself is never stored. */
  idHash: string | null;
  idMasked: string | null;
  phoneMasked: string | null;
  validFrom: string | null;
  validTo: string | null;
  status: ResidentStatus;
}

export interface CredentialRow {
  kind: CredentialKind;
  /** face person id, card UID (upper hex), ID-number HMAC, fingerprint template id, QR token. */
  key: string;
  residentId: string;
}

export interface Building {
  id: string;
  name: string;
}
export interface Entrance {
  id: string;
  buildingId: string;
  name: string;
}

/**
 * A fingerprint template the roster carries: the module's character file for the page
 * named by the fingerprint credential `key` (issue 3: enrolment from the roster).
 */
export interface FingerprintTemplate {
  /** The fingerprint credential key = the page on the module. */
  key: string;
  residentId: string;
  /** The character file, TEMPLATE_BYTES long. Never logged. */
  template: Buffer;
}

/** A whole roster as imported: what `roster import` and the simulator produce. */
export interface RosterSnapshot {
  buildings: Building[];
  entrances: Entrance[];
  households: Household[];
  residents: Resident[];
  credentials: CredentialRow[];
  /** Templates for fingerprint credentials; absent when the roster carries none. */
  fingerprintTemplates?: FingerprintTemplate[];
  /**
   * Face photos named by the roster (issue 11), not yet read or checked: staged one at a
   * time by face-photo-stage.ts before the import's transaction. Absent when there are none.
   */
  facePhotos?: FacePhotoRef[];
}
