import type { CredentialKind, Household, Resident, RosterSnapshot } from './model.js';

/**
 * The roster in memory, for O(1) lookups on the hot path: every read resolves its
 * credential here, never in SQLite. Built whole from a snapshot and swapped atomically
 * when the roster changes.
 */
export class RosterIndex {
  readonly households: ReadonlyMap<string, Household>;
  readonly residents: ReadonlyMap<string, Resident>;
  readonly #credentials: Map<string, Resident>;
  readonly #members: Map<string, Resident[]>;
  readonly buildingNames: ReadonlyMap<string, string>;

  constructor(snapshot: RosterSnapshot) {
    this.households = new Map(snapshot.households.map((h) => [h.id, h]));
    const residents = new Map<string, Resident>();
    const members = new Map<string, Resident[]>();
    for (const r of snapshot.residents) {
      residents.set(r.id, r);
      const list = members.get(r.householdId);
      if (list) list.push(r);
      else members.set(r.householdId, [r]);
    }
    this.residents = residents;
    this.#members = members;
    this.#credentials = new Map();
    for (const c of snapshot.credentials) {
      const r = residents.get(c.residentId);
      if (r) this.#credentials.set(credentialKey(c.kind, c.key), r);
    }
    this.buildingNames = new Map(snapshot.buildings.map((b) => [b.id, b.name]));
  }

  /** The resident a credential belongs to, if any. */
  lookup(kind: CredentialKind, key: string): Resident | undefined {
    return this.#credentials.get(credentialKey(kind, key));
  }

  /** Registered members of a household (every status). */
  members(householdId: string): readonly Resident[] {
    return this.#members.get(householdId) ?? [];
  }

  get size(): { households: number; residents: number; credentials: number } {
    return {
      households: this.households.size,
      residents: this.residents.size,
      credentials: this.#credentials.size,
    };
  }
}

/** Map key of a credential: kind and key cannot collide across kinds. */
export function credentialKey(kind: CredentialKind, key: string): string {
  return `${kind}:${key}`;
}
