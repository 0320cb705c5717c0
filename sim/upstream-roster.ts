/**
 * The simulated district system's side of the roster (issue 14): it holds an estate's
 * roster, issues signed snapshots and deltas (core/roster-message.ts) as residents move,
 * answers `GET since version N`, and tells listeners of each new message so a broadcaster
 * can publish it. The real thing is the district's housing system; this one is what the
 * demo and the tests talk to.
 */
import type { KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  type RosterChanges,
  type RosterDocument,
  type RosterMessage,
  signDelta,
  signPointer,
  signSnapshot,
} from '../core/roster-message.js';

/** Options of SimRosterIssuer. */
export interface SimRosterIssuerOptions {
  estate: string;
  key: KeyObject;
  /** The roster of the first version (the import file's JSON form). */
  roster: RosterDocument;
  /** Deltas kept for `since` answers; older gaps get a snapshot. Default 1,000. */
  keepDeltas?: number;
  /**
   * The version of the first snapshot (default 1). The demo starts at the clock's seconds,
   * so a restarted simulator never issues a version the gateway already holds.
   */
  startVersion?: number;
}

/** Events of the issuer. */
export interface SimRosterEvents {
  /** A new delta (and the pointer that now names the head). */
  delta: [delta: RosterMessage, pointer: RosterMessage];
  /** A new snapshot was cut (a key change, a reset). */
  snapshot: [snapshot: RosterMessage, pointer: RosterMessage];
}

type Household = { id: string; residents?: Array<{ id: string; status?: string }>; status?: string };

/** One estate's roster at the district system. */
export class SimRosterIssuer extends EventEmitter<SimRosterEvents> {
  readonly estate: string;
  #key: KeyObject;
  #doc: RosterDocument;
  #version: number;
  #snapshot: RosterMessage;
  readonly #deltas: RosterMessage[] = [];
  readonly #keep: number;

  constructor(o: SimRosterIssuerOptions) {
    super();
    this.estate = o.estate;
    this.#key = o.key;
    this.#doc = structuredClone(o.roster);
    this.#keep = o.keepDeltas ?? 1000;
    this.#version = o.startVersion ?? 1;
    this.#snapshot = signSnapshot({ estate: o.estate, key: o.key }, this.#version, this.#doc);
  }

  /** The newest version issued. */
  get version(): number {
    return this.#version;
  }

  /** The roster as it stands (a copy). */
  get roster(): RosterDocument {
    return structuredClone(this.#doc);
  }

  /** The newest snapshot message. */
  get snapshot(): RosterMessage {
    return this.#snapshot;
  }

  /** The pointer naming the head and the newest snapshot (what is retained on MQTT). */
  pointer(): RosterMessage {
    return signPointer({ estate: this.estate, key: this.#key }, this.#version, this.#snapshot);
  }

  /** Issues the next delta; the roster changes accordingly. */
  delta(changes: RosterChanges): RosterMessage {
    this.#version++;
    this.#change(changes);
    const d = signDelta({ estate: this.estate, key: this.#key }, this.#version, changes);
    this.#deltas.push(d);
    if (this.#deltas.length > this.#keep) this.#deltas.shift();
    this.emit('delta', d, this.pointer());
    return d;
  }

  /** A resident moves out (upstream decides; the gateway follows). */
  moveOut(residentId: string): RosterMessage {
    return this.delta({ moveOut: [residentId] });
  }

  /**
   * Signs from now on with another key (a rotation) and cuts a snapshot with it, so a box
   * that needs a snapshot after the old key is retired still gets one it can verify.
   */
  rotate(key: KeyObject): RosterMessage {
    this.#key = key;
    return this.cutSnapshot();
  }

  /**
   * Cuts a snapshot of the roster as it stands. It takes the next version (the roster is
   * unchanged, the chain moves on), so no two messages ever share a version.
   */
  cutSnapshot(): RosterMessage {
    this.#version++;
    this.#snapshot = signSnapshot({ estate: this.estate, key: this.#key }, this.#version, this.#doc);
    this.emit('snapshot', this.#snapshot, this.pointer());
    return this.#snapshot;
  }

  /**
   * What follows version `since`: the deltas when they reach back that far and no snapshot
   * was cut in between, else the newest snapshot and the deltas after it.
   */
  since(since: number): RosterMessage[] {
    if (since >= this.#version) return [];
    const snap = this.#snapshot;
    const first = this.#deltas.find((d) => d.payload.version > since);
    if (since > 0 && snap.payload.version <= since && first && first.payload.base === since)
      return this.#deltas.filter((d) => d.payload.version > since);
    return [snap, ...this.#deltas.filter((d) => d.payload.version > snap.payload.version)];
  }

  #change(c: RosterChanges): void {
    const households = this.#doc.households as Household[];
    for (const h of (c.upsert?.households ?? []) as Household[]) {
      const i = households.findIndex((x) => x.id === h.id);
      if (i < 0) {
        households.push(structuredClone(h));
        continue;
      }
      const cur = households[i] as Household;
      const residents = [...(cur.residents ?? [])];
      for (const r of h.residents ?? []) {
        const j = residents.findIndex((x) => x.id === r.id);
        if (j < 0) residents.push(structuredClone(r));
        else residents[j] = structuredClone(r);
      }
      households[i] = { ...structuredClone(h), residents };
    }
    for (const id of c.moveOut ?? [])
      for (const h of households) for (const r of h.residents ?? []) if (r.id === id) r.status = 'moved_out';
    for (const id of c.terminate ?? []) for (const h of households) if (h.id === id) h.status = 'terminated';
  }
}
