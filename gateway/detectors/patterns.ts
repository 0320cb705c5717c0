import type { Logger } from 'pino';
import { DAY_MS, dayOf } from '../../core/time.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { Config } from '../config/schema.js';
import { type Pass, visitorKey } from '../passes/model.js';
import type { PassIndex } from '../passes/pass-index.js';
import type { Detector, EntryContext } from '../pipeline/detector.js';
import type { Household } from '../roster/model.js';
import type { ResidentRef } from '../roster/roster-index.js';
import type { RosterSource } from '../roster/roster-state.js';
import type { Store } from '../store/store.js';
import { FaceClusters } from './face-clusters.js';
import { evaluateHousehold, type RuleContext } from './household-rules.js';
import { type Half, Pairing } from './pairing.js';
import { DetectorState, type ForeignUse, type HouseholdState } from './state.js';
import { onStranger, sweepStrangers } from './stranger-rule.js';

/** What the pattern detectors are built from (build.ts, tests). */
export interface PatternDeps {
  store: Store;
  config: Config;
  /** The current roster (its index is swapped when a new one is imported). */
  roster: RosterSource;
  /** Passes, to tell a registered visitor of the household from a foreign face. */
  passes?: PassIndex;
  log: Logger;
}

const VERIFIED = new Set(['face', 'fingerprint', 'idcard']);
const PAIRED = new Set(['card', 'fingerprint']);

/**
 * The pattern detectors of issue 4 behind the pipeline's Detector seam: every recorded
 * entry, in commit order, in event time. A day's end (the first entry of a later day)
 * sweeps every household for absence and forgets what fell out of the windows.
 */
export class PatternDetector implements Detector {
  readonly name = 'patterns';
  readonly #d: PatternDeps;
  readonly #cfg: Config['detectors'];
  readonly #state: DetectorState;
  readonly #clusters: FaceClusters;
  readonly #pairing: Pairing;
  readonly #ctx: RuleContext;
  readonly #doorsByPlace = new Map<string, string[]>();
  readonly #maxWindow: number;

  constructor(deps: PatternDeps) {
    this.#d = deps;
    const cfg = deps.config.detectors;
    this.#cfg = cfg;
    this.#clusters = new FaceClusters(cfg.strangerRecurrent.similarity, cfg.strangerRecurrent.maxClusters);
    this.#state = new DetectorState(deps.store);
    this.#pairing = new Pairing(cfg.credentialShared.pairWindowMs);
    this.#maxWindow = Math.max(cfg.credentialShared.windowDays, cfg.overcrowding.windowDays, 31);
    const self = this;
    this.#ctx = {
      cfg,
      get roster() {
        return deps.roster.index;
      },
      get startDay() {
        return self.#state.meta.startDay;
      },
      workingDays: (h, from, to) => this.#workingDays(h, from, to),
    };
  }

  /** Reads back what the detectors remembered (start-up, before the first entry). */
  load(): void {
    this.#state.load(this.#clusters);
  }

  /** Sizes, for /healthz-style reporting and the memory tests. */
  get stats(): { households: number; strangers: number; clusters: number } {
    return {
      households: this.#state.households.size,
      strangers: this.#state.strangers.size,
      clusters: this.#clusters.size,
    };
  }

  onEntry(e: EntryContext): AlertCandidate[] {
    const out: AlertCandidate[] = [];
    const n = e.read;
    const meta = this.#state.meta;
    const day = dayOf(n.ts);
    if (meta.startDay < 0) {
      meta.startDay = day;
      meta.sweptDay = day;
    }
    if (n.ts > meta.clock) meta.clock = n.ts;
    if (dayOf(meta.clock) > meta.sweptDay) {
      meta.sweptDay = dayOf(meta.clock);
      this.#sweep(meta.sweptDay - 1, out);
    }
    let days = this.#state.doorDays.get(n.doorId);
    if (!days) {
      days = new Set();
      this.#state.doorDays.set(n.doorId, days);
    }
    if (!days.has(day)) {
      days.add(day);
      this.#state.touch(`d:${n.doorId}`);
    }

    const res = e.resolution;
    const r = res.resident;
    const trusted = !e.decision.reasons.includes('low_score') && !e.decision.reasons.includes('no_liveness');
    if (r && VERIFIED.has(n.kind) && trusted) this.#seen(r, n.ts);
    const person = this.#person(e);
    if (person && !r && !res.pass) onStranger(this.#cfg.strangerRecurrent, this.#state, person, e, out);

    if (r && PAIRED.has(n.kind) && n.key !== null) {
      const face = this.#pairing.credential(n.readerId, {
        ts: n.ts,
        seq: e.seq,
        thumb: e.thumb,
        owner: r,
        cred: `${n.kind}:${n.key}`,
        paired: false,
      });
      if (face?.person) this.#paired(r, `${n.kind}:${n.key}`, face.person, e, face, out);
    } else if (n.kind === 'face' && person && trusted) {
      const cred = this.#pairing.face(n.readerId, {
        ts: n.ts,
        seq: e.seq,
        thumb: e.thumb,
        person,
        paired: false,
      });
      if (cred?.owner && cred.cred) this.#paired(cred.owner, cred.cred, person, e, cred, out);
    }
    return out;
  }

  endBatch(): void {
    this.#state.flush(this.#clusters);
  }

  rollback(): void {
    this.#state.load(this.#clusters);
  }

  /**
   * A pass was created (inside its transaction): the same visitor registered to one
   * household again and again is one of the signs of a sublet. Judged at the next sweep.
   */
  onPass(p: Pass): void {
    if (p.kind !== 'visitor' || !p.householdId) return;
    const hs = this.#state.household(p.householdId);
    const k = visitorKey(p);
    const from = p.validFrom - this.#cfg.suspectedSublet.passWindowDays * DAY_MS;
    hs.passes[k] = [...(hs.passes[k] ?? []).filter((x) => x >= from), p.validFrom];
    this.#state.touch(`h:${p.householdId}`);
    this.#state.flush(this.#clusters);
  }

  #seen(r: ResidentRef, ts: number): void {
    const hs = this.#state.household(r.householdId);
    const prev = hs.seen[r.id];
    if (prev !== undefined && prev >= ts) return;
    hs.seen[r.id] = ts;
    // Written when the day changes: presence is judged by the day.
    if (prev === undefined || dayOf(prev) !== dayOf(ts)) this.#state.touch(`h:${r.householdId}`);
  }

  /** The person key of an entry: a resident, a pass, or an unregistered person. */
  #person(e: EntryContext): string | null {
    const { read: n, resolution: res } = e;
    if (res.resident) return n.kind === 'face' ? `r:${res.resident.id}` : null;
    if (res.pass) return `p:${res.pass.id}`;
    if (n.kind !== 'face') return n.key === null ? null : `${n.kind}:${n.key}`;
    if (n.embedding) return `c:${this.#clusters.assign(n.embedding, n.ts)}`;
    if (n.strangerId) return `x:${n.strangerId}`;
    return n.key === null ? null : `f:${n.key}`;
  }

  /** A card or fingerprint of `owner` and a face, paired at one reader. */
  #paired(
    owner: ResidentRef,
    cred: string,
    person: string,
    e: EntryContext,
    other: Half,
    out: AlertCandidate[],
  ): void {
    const n = e.read;
    const hid = owner.householdId;
    if (person === `r:${owner.id}`) {
      this.#seen(owner, n.ts);
      return;
    }
    const roster = this.#d.roster.index;
    if (person.startsWith('r:') && roster.residents.get(person.slice(2))?.householdId === hid) return;
    if (person.startsWith('p:') && this.#d.passes?.get(person.slice(2))?.householdId === hid) return;
    const hs = this.#state.household(hid);
    const day = dayOf(n.ts);
    let fu = hs.foreign.find((x) => x.p === person && x.c === cred);
    if (!fu) {
      fu = { p: person, c: cred, d: [], first: n.ts, last: n.ts, s: [], t: [] };
      hs.foreign.push(fu);
    }
    fu.first = Math.min(fu.first, n.ts);
    fu.last = Math.max(fu.last, n.ts);
    if (!fu.d.includes(day)) fu.d = [...fu.d, day].sort((a, b) => a - b);
    for (const s of [other.seq, e.seq]) if (!fu.s.includes(s)) fu.s.push(s);
    if (fu.s.length > 6) fu.s.splice(0, fu.s.length - 6);
    for (const t of [other.thumb, e.thumb]) if (t && !fu.t.includes(t)) fu.t.push(t);
    if (fu.t.length > 3) fu.t.splice(0, fu.t.length - 3);
    this.#state.touch(`h:${hid}`);
    const h = roster.households.get(hid);
    if (h) evaluateHousehold(this.#ctx, h, hs, { today: day, ts: n.ts, entry: true, sweep: false }, out);
  }

  /** End of local day `day`: absence of every household, windows, forgotten faces. */
  #sweep(day: number, out: AlertCandidate[]): void {
    const roster = this.#d.roster.index;
    const ts = this.#state.meta.clock;
    const from = day - this.#maxWindow;
    for (const [hid, hs] of this.#state.households) {
      if (prune(hs, from, ts - this.#cfg.suspectedSublet.passWindowDays * DAY_MS))
        this.#state.touch(`h:${hid}`);
    }
    for (const h of roster.households.values()) {
      if (h.status !== 'active') continue;
      const hs = this.#state.household(h.id);
      if (evaluateHousehold(this.#ctx, h, hs, { today: day, ts, entry: false, sweep: true }, out))
        this.#state.touch(`h:${h.id}`);
    }
    const cfg = this.#cfg.strangerRecurrent;
    sweepStrangers(cfg, this.#state, ts, cfg.maxClusters);
    this.#clusters.expire(ts - cfg.clusterTtlDays * DAY_MS);
    for (const [door, days] of this.#state.doorDays)
      for (const d of days)
        if (d < day - 400) {
          days.delete(d);
          this.#state.touch(`d:${door}`);
        }
  }

  /** Days in (fromDay, toDay] on which a home door of the household recorded reads. */
  #workingDays(h: Household, fromDay: number, toDay: number): number {
    const doors = this.#homeDoors(h);
    let n = 0;
    for (let d = fromDay + 1; d <= toDay; d++) {
      for (const door of doors) {
        if (this.#state.doorDays.get(door)?.has(d)) {
          n++;
          break;
        }
      }
    }
    return n;
  }

  /** The doors of the household's entrance (else building, else every door). */
  #homeDoors(h: Household): string[] {
    const key = `${h.buildingId}|${h.entranceId ?? ''}`;
    let doors = this.#doorsByPlace.get(key);
    if (!doors) {
      const all = this.#d.config.doors;
      doors = all.filter((d) => h.entranceId && d.entrance === h.entranceId).map((d) => d.id);
      if (doors.length === 0) doors = all.filter((d) => d.building === h.buildingId).map((d) => d.id);
      if (doors.length === 0) doors = all.map((d) => d.id);
      this.#doorsByPlace.set(key, doors);
    }
    return doors;
  }
}

/** Drops days and passes out of the windows; returns whether anything changed. */
function prune(hs: HouseholdState, fromDay: number, passFrom: number): boolean {
  if (hs.foreign.length === 0 && Object.keys(hs.passes).length === 0) return false;
  let changed = false;
  const kept: ForeignUse[] = [];
  for (const fu of hs.foreign) {
    const d = fu.d.filter((x) => x >= fromDay);
    if (d.length !== fu.d.length) changed = true;
    if (d.length > 0) kept.push({ ...fu, d });
  }
  hs.foreign = kept;
  for (const [k, l] of Object.entries(hs.passes)) {
    const f = l.filter((x) => x >= passFrom);
    if (f.length !== l.length) changed = true;
    if (f.length === 0) delete hs.passes[k];
    else hs.passes[k] = f;
  }
  return changed;
}
