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
import { Carriers, HOLDER_KEEP_DAYS } from './carriers.js';
import { FaceClusters } from './face-clusters.js';
import { FaceHashes } from './face-hashes.js';
import type { FaceDecider, FaceOffers } from './face-offers.js';
import { GuestCalendar } from './holidays.js';
import { evaluateHousehold } from './household-rules.js';
import { judgeUse, TRIP_MS, type Verdict } from './judge.js';
import type { RuleContext } from './judging.js';
import { attributeLodgers } from './lodgers.js';
import { type Judged, Pairing } from './pairing.js';
import { DetectorState, FACED_KEEP, type HouseholdState } from './state.js';
import { onStranger, sweepStrangers } from './stranger-rule.js';

/** What the pattern detectors are built from (build.ts, tests). */
export interface PatternDeps {
  store: Store;
  config: Config;
  /** The current roster (its index is swapped when a new one is imported). */
  roster: RosterSource;
  /** Passes, to tell a registered visitor of the household from a foreign face. */
  passes?: PassIndex;
  /** Where learnt holder faces are offered for enrolment (the household file). */
  offers?: FaceOffers;
  log: Logger;
}

const VERIFIED = new Set(['face', 'fingerprint', 'idcard']);
const PAIRED = new Set(['card', 'fingerprint']);
/** Judge credential reads whose window passed at readers gone quiet, at most this often (event time). */
const FLUSH_EVERY_MS = 60_000;

/**
 * The pattern detectors of issues 4 and 10 behind the pipeline's Detector seam: every
 * recorded entry, in commit order, in event time. Card and fingerprint reads are judged
 * with the faces their reader captured around them (pairing.ts, judge.ts), which teaches
 * who carries each credential (carriers.ts). A day's end (the first entry of a later day)
 * sweeps every household for absence and forgets what fell out of the windows.
 */
export class PatternDetector implements Detector, FaceDecider {
  readonly name = 'patterns';
  readonly #d: PatternDeps;
  readonly #cfg: Config['detectors'];
  readonly #state: DetectorState;
  readonly #clusters: FaceClusters;
  readonly #carriers: Carriers;
  readonly #pairing: Pairing;
  readonly #ctx: RuleContext;
  readonly #doorsByPlace = new Map<string, string[]>();
  readonly #gates: Set<string>;
  readonly #maxWindow: number;
  /** Unregistered faces tied to households by using their credentials: cluster → households. */
  readonly #tied = new Map<number, Set<string>>();
  #flushedAt = 0;

  constructor(deps: PatternDeps) {
    this.#d = deps;
    const cfg = deps.config.detectors;
    this.#cfg = cfg;
    // One rotation per capture for both face indexes (face-hashes.ts).
    const hashes = new FaceHashes();
    this.#clusters = new FaceClusters(
      cfg.strangerRecurrent.similarity,
      cfg.strangerRecurrent.maxClusters,
      hashes,
    );
    this.#carriers = new Carriers(
      {
        similarity: cfg.strangerRecurrent.similarity,
        learnDays: cfg.credentialShared.learnDays,
        holderDays: cfg.credentialShared.holderDays,
      },
      hashes,
    );
    this.#state = new DetectorState(deps.store);
    this.#pairing = new Pairing(cfg.credentialShared.pairBeforeMs, cfg.credentialShared.pairWindowMs);
    this.#maxWindow = Math.max(cfg.credentialShared.windowDays, cfg.overcrowding.windowDays, 31);
    this.#gates = new Set(deps.config.doors.filter((d) => !d.building && !d.entrance).map((d) => d.id));
    const self = this;
    this.#ctx = {
      cfg,
      carriers: this.#carriers,
      guests: new GuestCalendar(cfg.holidays),
      get roster() {
        return deps.roster.index;
      },
      get startDay() {
        return self.#state.meta.startDay;
      },
      workingDays: (h, from, to) => this.#workingDays(h, from, to),
      firstSeen: (p) => this.#firstSeen(p),
    };
  }

  /** Reads back what the detectors remembered (start-up, before the first entry). */
  load(): void {
    this.#state.load(this.#clusters, this.#carriers);
    this.#retie();
  }

  /** Sizes, for /healthz-style reporting and the memory tests. */
  get stats(): { households: number; strangers: number; clusters: number; credentials: number } {
    return {
      households: this.#state.households.size,
      strangers: this.#state.strangers.size,
      clusters: this.#clusters.size,
      credentials: this.#carriers.models.size,
    };
  }

  /** What was learnt of who carries each credential (the household file's enrolment offers). */
  get carriers(): Carriers {
    return this.#carriers;
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
    if (r && VERIFIED.has(n.kind) && trusted) this.#seen(r, n.ts, n.kind);
    let cluster: number | null = null;
    let learnt: string | undefined;
    if (!r && !res.pass && n.kind === 'face' && n.embedding) {
      cluster = this.#clusters.assign(n.embedding, n.ts);
      // A face learnt as a credential's holder is that resident wherever it is seen.
      learnt = this.#carriers.ownerOfFace(cluster, n.embedding);
      const lr = learnt ? this.#d.roster.index.residents.get(learnt) : undefined;
      if (lr) this.#seen(lr, n.ts, 'learnt-face');
      else learnt = undefined;
    }
    const person = learnt ? `r:${learnt}` : this.#person(e, cluster);
    if (person && !r && !res.pass && !learnt)
      onStranger(this.#cfg.strangerRecurrent, this.#state, person, e, out);
    if (cluster !== null && !learnt) this.#lodger(cluster, day);
    if (res.pass && n.kind === 'face') this.#visit(res.pass, day);

    let judged: Judged[];
    if (r && PAIRED.has(n.kind) && n.key !== null)
      judged = this.#pairing.credential({
        ts: n.ts,
        seq: e.seq,
        thumb: e.thumb,
        readerId: n.readerId,
        owner: r,
        cred: `${n.kind}:${n.key}`,
      });
    else if (n.kind === 'face' && person && trusted)
      judged = this.#pairing.face(n.readerId, {
        ts: n.ts,
        seq: e.seq,
        thumb: e.thumb,
        person,
        emb: n.embedding ?? null,
        cluster,
        learnt: learnt !== undefined,
      });
    else judged = this.#pairing.tick(n.readerId, n.ts);
    if (meta.clock - this.#flushedAt >= FLUSH_EVERY_MS) {
      this.#flushedAt = meta.clock;
      judged.push(...this.#pairing.flush(meta.clock));
    }
    for (const j of judged) this.#judge(j, out);
    return out;
  }

  endBatch(now: number): void {
    this.#d.offers?.write(this.#carriers, now);
    this.#state.flush(this.#clusters, this.#carriers);
  }

  /**
   * An operator enrolled a learnt face as the resident's, or said it is not theirs (the
   * household file, issue 10 item 2). Inside the caller's transaction, written at once.
   */
  decideFace(cred: string, owner: string, faceId: number, emb: Float32Array | null, enrolled: boolean): void {
    const f = this.#carriers.decide(cred, faceId, enrolled);
    if (!f && enrolled && emb) this.#carriers.enrolFace(cred, owner, faceId, emb, this.#state.meta.clock);
    if (enrolled) {
      const r = this.#d.roster.index.residents.get(owner);
      const hs = r ? this.#state.households.get(r.householdId) : undefined;
      // Its past uses of the card were the owner's.
      if (hs && r) {
        hs.foreign = hs.foreign.filter((fu) => fu.f !== faceId);
        this.#state.touch(`h:${r.householdId}`);
      }
    }
    this.#state.flush(this.#clusters, this.#carriers);
  }

  rollback(): void {
    this.#pairing.clear();
    this.#state.load(this.#clusters, this.#carriers);
    this.#retie();
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
    this.#state.flush(this.#clusters, this.#carriers);
  }

  /** One credential read judged with the faces around it: presence, learning, or a foreign use. */
  #judge(j: Judged, out: AlertCandidate[]): void {
    const roster = this.#d.roster.index;
    const owner = roster.residents.get(j.cred.owner.id) ?? j.cred.owner;
    const hid = owner.householdId;
    const verdict = judgeUse(j, owner, {
      roster,
      passes: this.#d.passes,
      carriers: this.#carriers,
      roamer: (c) => this.#roamer(c),
      faceDays: (rid) => this.#state.households.get(hid)?.faced?.[rid]?.length ?? 0,
      lastFace: (rid) => {
        const hs = this.#state.households.get(hid);
        const via = hs?.via?.[rid];
        return via === 'face' || via === 'card+face' ? hs?.seen[rid] : undefined;
      },
    });
    for (const [rid, via] of verdict.present) {
      const rr = roster.residents.get(rid);
      if (rr) this.#seen(rr, j.cred.ts, via);
    }
    const hs = this.#state.household(hid);
    if (verdict.merged) this.#merged(hs, j.cred.cred, verdict.merged, hid);
    if (verdict.elected !== null) {
      // Its earlier uses were the holder's: not foreign.
      const before = hs.foreign.length;
      hs.foreign = hs.foreign.filter((fu) => fu.f !== verdict.elected);
      if (hs.foreign.length !== before) this.#state.touch(`h:${hid}`);
    }
    const fu = verdict.foreign;
    if (!fu) return;
    const day = dayOf(j.cred.ts);
    let use = hs.foreign.find((x) => x.f === fu.face && x.c === j.cred.cred);
    if (!use) {
      use = {
        p: fu.person,
        f: fu.face,
        c: j.cred.cred,
        d: [],
        first: j.cred.ts,
        last: j.cred.ts,
        s: [],
        t: [],
      };
      hs.foreign.push(use);
    }
    use.first = Math.min(use.first, j.cred.ts);
    use.last = Math.max(use.last, j.cred.ts);
    if (!use.d.includes(day)) use.d = [...use.d, day].sort((a, b) => a - b);
    for (const s of [j.cred.seq, fu.seq]) if (!use.s.includes(s)) use.s.push(s);
    if (use.s.length > 6) use.s.splice(0, use.s.length - 6);
    for (const t of [j.cred.thumb, fu.thumb]) if (t && !use.t.includes(t)) use.t.push(t);
    if (use.t.length > 3) use.t.splice(0, use.t.length - 3);
    if (fu.cluster !== null) this.#tie(fu.cluster, hid);
    this.#state.touch(`h:${hid}`);
    const h = roster.households.get(hid);
    if (h)
      evaluateHousehold(this.#ctx, h, hs, { today: day, ts: j.cred.ts, entry: false, sweep: false }, out);
  }

  /**
   * Faces of `cred` found to be one (carriers.ts): their foreign uses are one person's, or
   * none when that person is the card's holder.
   */
  #merged(hs: HouseholdState, cred: string, mg: NonNullable<Verdict['merged']>, hid: string): void {
    const from = new Set(mg.from);
    const moved = hs.foreign.filter((fu) => fu.c === cred && fu.f !== undefined && from.has(fu.f));
    if (moved.length === 0) return;
    hs.foreign = hs.foreign.filter((fu) => !moved.includes(fu));
    if (!mg.holder) {
      let into = hs.foreign.find((fu) => fu.c === cred && fu.f === mg.into);
      for (const fu of moved) {
        if (!into) {
          into = { ...fu, f: mg.into };
          hs.foreign.push(into);
          continue;
        }
        into.first = Math.min(into.first, fu.first);
        into.last = Math.max(into.last, fu.last);
        into.d = [...new Set([...into.d, ...fu.d])].sort((a, b) => a - b);
        for (const s of fu.s) if (!into.s.includes(s)) into.s.push(s);
        if (into.s.length > 6) into.s.splice(0, into.s.length - 6);
        for (const t of fu.t) if (!into.t.includes(t)) into.t.push(t);
        if (into.t.length > 3) into.t.splice(0, into.t.length - 3);
      }
    }
    this.#state.touch(`h:${hid}`);
  }

  #seen(r: ResidentRef, ts: number, via: string): void {
    const hs = this.#state.household(r.householdId);
    if (via === 'face') {
      this.#sameWalk(hs, r, ts);
      const day = dayOf(ts);
      const l = hs.faced?.[r.id] ?? [];
      if (!l.includes(day)) {
        hs.faced = { ...hs.faced, [r.id]: [...l, day].slice(-FACED_KEEP) };
        this.#state.touch(`h:${r.householdId}`);
        // Recognised twice: whatever face was learnt for their cards from the start was not theirs.
        if (l.length === 1) this.#carriers.ownerRecognised(r.id);
      }
    }
    const prev = hs.seen[r.id];
    if (prev !== undefined && prev >= ts) return;
    hs.seen[r.id] = ts;
    if (hs.via?.[r.id] !== via) {
      hs.via = { ...hs.via, [r.id]: via };
      this.#state.touch(`h:${r.householdId}`);
    }
    // Written when the day changes: presence is judged by the day.
    if (prev === undefined || dayOf(prev) !== dayOf(ts)) this.#state.touch(`h:${r.householdId}`);
  }

  /**
   * The resident's face recognised minutes after a foreign face used their own card at
   * another door: the same walk home (judge.ts TRIP_MS), so that use was theirs. Its day
   * no longer counts for the face.
   */
  #sameWalk(hs: HouseholdState, r: ResidentRef, ts: number): void {
    const before = hs.foreign.length;
    let changed = false;
    for (const fu of hs.foreign) {
      if (fu.last > ts || ts - fu.last > TRIP_MS || this.#carriers.models.get(fu.c)?.owner !== r.id) continue;
      const day = dayOf(fu.last);
      fu.d = fu.d.filter((d) => d !== day);
      changed = true;
    }
    hs.foreign = hs.foreign.filter((fu) => fu.d.length > 0);
    if (changed || hs.foreign.length !== before) this.#state.touch(`h:${r.householdId}`);
  }

  /** The person key of an entry: a resident, a pass, or an unregistered person. */
  #person(e: EntryContext, cluster: number | null): string | null {
    const { read: n, resolution: res } = e;
    if (res.resident) return n.kind === 'face' ? `r:${res.resident.id}` : null;
    if (res.pass) return `p:${res.pass.id}`;
    if (n.kind !== 'face') return n.key === null ? null : `${n.kind}:${n.key}`;
    if (cluster !== null) return `c:${cluster}`;
    if (n.strangerId) return `x:${n.strangerId}`;
    return n.key === null ? null : `f:${n.key}`;
  }

  /** An unregistered face seen at a door: a day of presence for the households it is tied to. */
  #lodger(cluster: number, day: number): void {
    const hids = this.#tied.get(cluster);
    if (!hids) return;
    for (const hid of hids) {
      const hs = this.#state.household(hid);
      const key = `c:${cluster}`;
      const l = hs.lodgers?.[key] ?? [];
      if (l.includes(day)) continue;
      hs.lodgers = { ...hs.lodgers, [key]: [...l, day].slice(-62) };
      this.#state.touch(`h:${hid}`);
    }
  }

  /**
   * A visitor recognised by their pass: a day of presence at the household they are
   * registered to (rules-absence.ts: one registered again and again who comes day after day
   * while nobody registered is seen lives there).
   */
  #visit(p: Pass, day: number): void {
    if (p.kind !== 'visitor' || !p.householdId) return;
    const hs = this.#state.households.get(p.householdId);
    const k = visitorKey(p);
    if (!hs?.passes[k]) return;
    const l = hs.visits?.[k] ?? [];
    if (l.includes(day)) return;
    hs.visits = { ...hs.visits, [k]: [...l, day].slice(-62) };
    this.#state.touch(`h:${p.householdId}`);
  }

  #tie(cluster: number, hid: string): void {
    const s = this.#tied.get(cluster) ?? new Set<string>();
    s.add(hid);
    this.#tied.set(cluster, s);
  }

  /** Rebuilds the cluster → household ties from the households' foreign uses. */
  #retie(): void {
    this.#tied.clear();
    for (const [hid, hs] of this.#state.households)
      for (const fu of hs.foreign) if (fu.p.startsWith('c:')) this.#tie(Number(fu.p.slice(2)), hid);
  }

  /** The local day an unregistered face's cluster was first seen, while it is remembered. */
  #firstSeen(person: string): number | undefined {
    const first = person.startsWith('c:') ? this.#clusters.firstSeen(Number(person.slice(2))) : undefined;
    return first === undefined ? undefined : dayOf(first);
  }

  /** An unregistered face seen at three entrances or more this week: a rider, staff, a courier. */
  #roamer(cluster: number): boolean {
    const s = this.#state.strangers.get(`c:${cluster}`);
    if (!s) return false;
    let n = 0;
    for (const door of Object.keys(s.doors)) if (!this.#gates.has(door)) n++;
    return n >= 3;
  }

  /** End of local day `day`: absence of every household, windows, forgotten faces. */
  #sweep(day: number, out: AlertCandidate[]): void {
    const roster = this.#d.roster.index;
    const ts = this.#state.meta.clock;
    const from = day - this.#maxWindow;
    for (const [hid, hs] of this.#state.households) {
      if (!roster.households.has(hid)) {
        // No longer on the roster: nothing left to judge.
        this.#state.households.delete(hid);
        this.#state.touch(`h:${hid}`);
      } else if (prune(hs, from, ts - this.#cfg.suspectedSublet.passWindowDays * DAY_MS))
        this.#state.touch(`h:${hid}`);
    }
    attributeLodgers(
      {
        roster,
        state: this.#state,
        startDay: this.#state.meta.startDay,
        gates: this.#gates,
        absentDays: this.#cfg.suspectedSublet.absentDays,
        firstSeen: (p) => this.#firstSeen(p),
        guests: this.#ctx.guests,
        guestDays: this.#cfg.credentialShared.guestDays,
      },
      day,
    );
    for (const h of roster.households.values()) {
      if (h.status !== 'active' && !this.#state.households.has(h.id)) continue;
      const hs = this.#state.household(h.id);
      if (evaluateHousehold(this.#ctx, h, hs, { today: day, ts, entry: false, sweep: true }, out))
        this.#state.touch(`h:${h.id}`);
    }
    const cfg = this.#cfg.strangerRecurrent;
    sweepStrangers(cfg, this.#state, ts, cfg.maxClusters);
    const ttl = ts - cfg.clusterTtlDays * DAY_MS;
    for (const id of this.#clusters.expire(ttl)) this.#tied.delete(id);
    this.#carriers.expire(ttl, ts - HOLDER_KEEP_DAYS * DAY_MS);
    this.#d.offers?.expire(ttl);
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
  let changed = false;
  if (hs.foreign.length > 0) {
    const kept = [];
    for (const fu of hs.foreign) {
      const d = fu.d.filter((x) => x >= fromDay);
      if (d.length !== fu.d.length) changed = true;
      if (d.length > 0) kept.push({ ...fu, d });
    }
    hs.foreign = kept;
  }
  for (const [k, l] of Object.entries(hs.passes)) {
    const f = l.filter((x) => x >= passFrom);
    if (f.length !== l.length) changed = true;
    if (f.length === 0) delete hs.passes[k];
    else hs.passes[k] = f;
  }
  if (hs.lodgers) {
    for (const [k, l] of Object.entries(hs.lodgers)) {
      const f = l.filter((x) => x >= fromDay);
      if (f.length !== l.length) changed = true;
      if (f.length === 0) delete hs.lodgers[k];
      else hs.lodgers[k] = f;
    }
  }
  if (hs.visits) {
    for (const [k, l] of Object.entries(hs.visits)) {
      const f = hs.passes[k] ? l.filter((x) => x >= fromDay) : [];
      if (f.length !== l.length) changed = true;
      if (f.length === 0) delete hs.visits[k];
      else hs.visits[k] = f;
    }
  }
  if (hs.attributed) {
    const kept = hs.attributed.filter((p) => hs.lodgers?.[p] !== undefined);
    if (kept.length !== hs.attributed.length) {
      changed = true;
      if (kept.length === 0) delete hs.attributed;
      else hs.attributed = kept;
      if (hs.attributedWhy) {
        const why = Object.entries(hs.attributedWhy).filter(([p]) => kept.includes(p));
        if (why.length === 0) delete hs.attributedWhy;
        else hs.attributedWhy = Object.fromEntries(why);
      }
    }
  }
  return changed;
}
