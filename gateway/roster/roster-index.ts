import type { CredentialKind } from '../../core/codes.js';
import type { Db } from '../store/db.js';
import { KEY_BYTES_SQL, KeyTable, keyBytes } from './key-table.js';
import type { Household, Resident, RosterSnapshot } from './model.js';

/**
 * What the hot path needs of a resident: identity, household, role, status, validity.
 * Names, masked numbers and phones stay in SQLite (the API reads them there), which
 * keeps a 50,000-resident roster to a few tens of megabytes on a small box.
 */
export type ResidentRef = Pick<Resident, 'id' | 'householdId' | 'role' | 'status' | 'validFrom' | 'validTo'>;

type Row = Record<string, unknown>;
type KeysExpected = { keys: number; chars: number };

/**
 * One copy of each repeated value (statuses, roles, building ids, dates): SQLite hands
 * every row its own strings, and 50,000 copies of "active" are memory a box can use better.
 */
class Interner {
  readonly #seen = new Map<string, string>();
  of<T extends string | null>(s: T): T {
    if (s === null) return s;
    const hit = this.#seen.get(s);
    if (hit !== undefined) return hit as T;
    this.#seen.set(s, s);
    return s;
  }
}

/**
 * The roster in memory, for O(1) lookups on the hot path: every read resolves its
 * credential here, never in SQLite. Built whole and swapped atomically when the roster
 * changes. One table per credential kind, keyed by the stored key itself (no per-entry
 * concatenated strings), packed (key-table.ts): the keys are most of the roster's strings.
 */
export class RosterIndex {
  readonly households = new Map<string, Household>();
  readonly residents = new Map<string, ResidentRef>();
  readonly #members = new Map<string, ResidentRef[]>();
  readonly #byKind: Record<CredentialKind, KeyTable<ResidentRef>>;
  #credentials = 0;
  readonly #intern = new Interner();

  /** `expect`: the credential keys coming per kind, so their tables are made at size. */
  constructor(expect: Partial<Record<CredentialKind, KeysExpected>> = {}) {
    const table = (kind: CredentialKind) => new KeyTable<ResidentRef>(expect[kind]);
    this.#byKind = {
      face: table('face'),
      card: table('card'),
      idcard: table('idcard'),
      fingerprint: table('fingerprint'),
      qrcode: table('qrcode'),
    };
  }

  /** Builds the index from a snapshot (tests, the simulator). */
  static fromSnapshot(s: RosterSnapshot): RosterIndex {
    const expect: Partial<Record<CredentialKind, KeysExpected>> = {};
    for (const c of s.credentials) {
      const e = expect[c.kind] ?? { keys: 0, chars: 0 };
      expect[c.kind] = e;
      e.keys++;
      e.chars += keyBytes(c.key);
    }
    const idx = new RosterIndex(expect);
    for (const h of s.households) idx.#addHousehold(h);
    for (const r of s.residents) idx.#addResident(r);
    for (const c of s.credentials) idx.#addCredential(c.kind, c.key, c.residentId);
    idx.#trim();
    return idx;
  }

  /** Builds the index straight from SQLite rows, without an intermediate snapshot. */
  static load(db: Db): RosterIndex {
    const expect: Partial<Record<CredentialKind, KeysExpected>> = {};
    for (const k of db
      .prepare(`SELECT kind, count(*) AS keys, sum(${KEY_BYTES_SQL}) AS chars FROM credentials GROUP BY kind`)
      .all() as Array<KeysExpected & { kind: CredentialKind }>)
      expect[k.kind] = { keys: k.keys, chars: k.chars };
    const idx = new RosterIndex(expect);
    for (const h of db
      .prepare(
        `SELECT id, building_id AS buildingId, entrance_id AS entranceId, room, housing_type AS housingType,
                lease_start AS leaseStart, lease_end AS leaseEnd, status FROM households`,
      )
      .iterate() as IterableIterator<Household>)
      idx.#addHousehold(h);
    for (const r of db
      .prepare(
        'SELECT id, household_id AS householdId, role, status, valid_from AS validFrom, valid_to AS validTo FROM residents',
      )
      .iterate() as IterableIterator<ResidentRef>)
      idx.#addResident(r);
    for (const c of db
      .prepare('SELECT kind, key, resident_id AS residentId FROM credentials')
      .iterate() as IterableIterator<Row>) {
      idx.#addCredential(c.kind as CredentialKind, c.key as string, c.residentId as string);
    }
    idx.#trim();
    return idx;
  }

  #addHousehold(h: Household): void {
    const i = this.#intern;
    this.households.set(h.id, {
      id: h.id,
      buildingId: i.of(h.buildingId),
      entranceId: i.of(h.entranceId),
      room: i.of(h.room),
      housingType: i.of(h.housingType),
      leaseStart: i.of(h.leaseStart),
      leaseEnd: i.of(h.leaseEnd),
      status: i.of(h.status),
    });
  }

  #addResident(r: ResidentRef): void {
    const h = this.households.get(r.householdId);
    // Share the household's id string rather than keep 50,000 copies of it.
    const i = this.#intern;
    const ref: ResidentRef = {
      id: r.id,
      householdId: h ? h.id : r.householdId,
      role: i.of(r.role),
      status: i.of(r.status),
      validFrom: i.of(r.validFrom),
      validTo: i.of(r.validTo),
    };
    this.residents.set(r.id, ref);
    const list = this.#members.get(ref.householdId);
    if (list) list.push(ref);
    else this.#members.set(ref.householdId, [ref]);
  }

  #addCredential(kind: CredentialKind, key: string, residentId: string): void {
    const r = this.residents.get(residentId);
    const map = this.#byKind[kind];
    if (r && map) {
      map.set(key, r);
      this.#credentials++;
    }
  }

  /**
   * Gives back what the growing structures keep in reserve once the index is built: a
   * member list grown by push() holds room for 16 more, 2.5 MB over 20,000 households.
   */
  #trim(): void {
    for (const [hid, list] of this.#members) this.#members.set(hid, list.slice());
    for (const table of Object.values(this.#byKind)) table.trim();
  }

  /** The resident a credential belongs to, if any. */
  lookup(kind: CredentialKind, key: string): ResidentRef | undefined {
    return this.#byKind[kind].get(key);
  }

  /** Registered members of a household (every status). */
  members(householdId: string): readonly ResidentRef[] {
    return this.#members.get(householdId) ?? [];
  }

  get size(): { households: number; residents: number; credentials: number } {
    return {
      households: this.households.size,
      residents: this.residents.size,
      credentials: this.#credentials,
    };
  }
}
