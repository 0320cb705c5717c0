import type { AlertKind } from '../../core/codes.js';
import type { Store } from '../store/store.js';
import type { Carriers } from './carriers.js';
import type { FaceClusters } from './face-clusters.js';

/** One foreign person on one of a household's credentials (a lent or shared card). */
export interface ForeignUse {
  /** Person key: r:resident, p:pass, c:face cluster, x:terminal stranger id. */
  p: string;
  /** The companion face learnt for the credential (carriers.ts), when the person is an unregistered face. */
  f?: number;
  /** The credential used, kind:key. */
  c: string;
  /** Distinct local days of use, ascending, within the longest window. */
  d: number[];
  first: number;
  last: number;
  /** Latest journal seqs and thumbnail references (evidence). */
  s: number[];
  t: string[];
}

/** Days kept in `HouseholdState.faced` per resident, the latest (older ones are dropped). */
export const FACED_KEEP = 30;

/** What the detectors remember of one household. */
export interface HouseholdState {
  /** Last verified presence (face, fingerprint, ID card, or card with the owner's face) by resident. */
  seen: Record<string, number>;
  /** How each resident's last presence was verified, for the evidence (face, card+face, learnt…). */
  via?: Record<string, string>;
  foreign: ForeignUse[];
  /** Recent days on which each resident's own face was recognised (a face user does not need a learnt face). */
  faced?: Record<string, number[]>;
  /** Unregistered faces attributed to the household as its lodgers, though they used none of its credentials (lodgers.ts). */
  attributed?: string[];
  /**
   * The first day of the household's current run of foreign uses of two days or more, kept
   * while one is in the window: when others began to use its credentials, after
   * those days have left the window (lodgers.ts: a change at the entrance).
   */
  usedSince?: number;
  /** Why an attributed face was taken for this household rather than another that changed near it (lodgers.ts). */
  attributedWhy?: Record<string, string>;
  /** Days on which each person tied to the household by its credentials was seen at a door. */
  lodgers?: Record<string, number[]>;
  /** Pass creation times by visitor key (the same visitor registered again and again). */
  passes: Record<string, number[]>;
  /** Days on which each visitor with a pass to the household was recognised at a door, by visitor key. */
  visits?: Record<string, number[]>;
  /** Kinds reported for the ongoing situation, with the day last sent. */
  fired: Partial<Record<AlertKind, number>>;
}

/** What the detectors remember of one unregistered person. */
export interface StrangerState {
  /** Sighting times by door, within the window. */
  doors: Record<string, number[]>;
  seqs: Record<string, number[]>;
  thumbs: Record<string, string[]>;
  fired: Record<string, number>;
  last: number;
  /** Distinct days seen at each door over the last month (lodgers.ts: who comes in where, since when). */
  ed?: Record<string, number[]>;
  /** Local day first seen. */
  f?: number;
}

/** The event-time clock of the detectors. */
export interface Meta {
  startDay: number;
  sweptDay: number;
  clock: number;
  nextCluster: number;
  /** Next companion-face id (carriers.ts); absent in state written before issue 10. */
  nextFace?: number;
}

/**
 * The detectors' state, in memory and in SQLite (`detector_state`): whatever changed is
 * written at the end of each commit, in the same transaction as the entries that changed
 * it, so after a crash or restart the state matches the journal exactly (issue 4: we
 * persist rather than rebuild — embeddings are not in the journal, so a rebuild could not
 * recognise a stranger again). Only card↔face pairs within the pairing window are lost.
 */
export class DetectorState {
  readonly households = new Map<string, HouseholdState>();
  readonly strangers = new Map<string, StrangerState>();
  /** Working days (local day numbers with reads) by door. */
  readonly doorDays = new Map<string, Set<number>>();
  meta: Meta = { startDay: -1, sweptDay: -1, clock: 0, nextCluster: 1 };
  readonly #dirty = new Set<string>();
  readonly #store: Store;

  /** Touches nothing until load(): the store opens after it is built. */
  constructor(store: Store) {
    this.#store = store;
  }

  /** Reads everything back (start-up, and after a rolled-back commit). */
  load(clusters: FaceClusters, carriers: Carriers): void {
    clusters.clear();
    carriers.clear();
    this.households.clear();
    this.strangers.clear();
    this.doorDays.clear();
    this.#dirty.clear();
    for (const r of this.#store
      .statement('SELECT key, value FROM detector_state')
      .iterate() as IterableIterator<{
      key: string;
      value: string;
    }>) {
      const id = r.key.slice(2);
      switch (r.key[0]) {
        case 'h':
          this.households.set(id, JSON.parse(r.value) as HouseholdState);
          break;
        case 's':
          this.strangers.set(id, JSON.parse(r.value) as StrangerState);
          break;
        case 'd':
          this.doorDays.set(id, new Set(JSON.parse(r.value) as number[]));
          break;
        case 'c':
          clusters.restore(Number(id), r.value);
          break;
        case 'k':
          carriers.restore(id, r.value);
          break;
        case 'm':
          this.meta = JSON.parse(r.value) as Meta;
          break;
      }
    }
    clusters.nextId = this.meta.nextCluster;
    carriers.nextFace = this.meta.nextFace ?? 1;
  }

  household(id: string): HouseholdState {
    let h = this.households.get(id);
    if (!h) {
      h = { seen: {}, foreign: [], passes: {}, fired: {} };
      this.households.set(id, h);
    }
    return h;
  }

  /** Marks a record for writing at the end of the commit: h:household, s:stranger, d:door, m:meta (k: credentials are the carriers'). */
  touch(key: string): void {
    this.#dirty.add(key);
  }

  /** Writes what changed. Inside the commit transaction. */
  flush(clusters: FaceClusters, carriers: Carriers): void {
    const upsert = this.#store.statement(
      'INSERT INTO detector_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    const del = this.#store.statement('DELETE FROM detector_state WHERE key = ?');
    this.meta.nextCluster = clusters.nextId;
    this.meta.nextFace = carriers.nextFace;
    this.#dirty.add('m:');
    for (const key of this.#dirty) {
      const id = key.slice(2);
      let v: unknown;
      switch (key[0]) {
        case 'h':
          v = this.households.get(id);
          break;
        case 's':
          v = this.strangers.get(id);
          break;
        case 'd': {
          const days = this.doorDays.get(id);
          v = days ? [...days] : undefined;
          break;
        }
        default:
          v = this.meta;
      }
      if (v === undefined) del.run(key);
      else upsert.run(key, JSON.stringify(v));
    }
    this.#dirty.clear();
    for (const id of clusters.dirty) {
      const s = clusters.serialize(id);
      if (s === null) del.run(`c:${id}`);
      else upsert.run(`c:${id}`, s);
    }
    clusters.dirty.clear();
    for (const cred of carriers.dirty) {
      const s = carriers.serialize(cred);
      if (s === null) del.run(`k:${cred}`);
      else upsert.run(`k:${cred}`, s);
    }
    carriers.dirty.clear();
  }
}
