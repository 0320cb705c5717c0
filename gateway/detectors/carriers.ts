import { dayOf } from '../../core/time.js';
import { blobToEmbedding, embeddingToBlob } from '../passes/model.js';
import { FaceHashes } from './face-hashes.js';
import { dot, FaceIndex } from './face-index.js';

/** Why a companion face is taken for the credential's owner. */
export type HolderWhy = 'learnt' | 'face_first' | 'enrolled';

/** One face seen with one credential: the running mean of its captures, and when. */
export interface CompanionFace {
  /** Unique among every credential's faces (the person key of its foreign uses is `f:<id>`). */
  id: number;
  v: Float32Array;
  n: number;
  /** Distinct local days with this face, ascending (the last KEEP_DAYS). */
  days: number[];
  first: number;
  last: number;
  /** Judged uses with this face; of which it tried the terminal before the swipe. */
  pairs: number;
  faceFirst: number;
  /** The owner (or a member the card belongs to) as the terminal cannot tell: see HolderWhy. */
  holder: HolderWhy | null;
  /** The operator said this is not the owner: never taken for them again. */
  rejected: boolean;
  /** The unregistered-face cluster it was last seen as (its number in evidence). */
  cluster: number | null;
  seqs: number[];
  thumbs: string[];
}

/** What is learnt of one credential (a resident's card or fingerprint). */
export interface CredentialModel {
  owner: string;
  /** Local day of the first use judged. */
  firstDay: number;
  /** Days of the learning period with an unregistered companion face. */
  learn: number[];
  /** Days of the learning period on which the owner's recognised face came with it. */
  ownerDays: number[];
  /**
   * Local days its owner used it, ascending, the last KEEP_USE: their recognised face or the
   * face learnt as its holder came with it (the card in the owner's hands; absent in state
   * written before).
   */
  ownerUse?: number[];
  faces: CompanionFace[];
}

/** Tunables of the learning (config `detectors.carriers`). */
export interface CarrierRules {
  similarity: number;
  /** Days from the first use in which the card's regular face may be learnt as its holder. */
  learnDays: number;
  /** Days a face must come with the card before it is taken for the holder. */
  holderDays: number;
}

const KEEP_DAYS = 60;
/**
 * Days a face learnt as a credential's holder is kept without a sighting: a resident's own
 * face, gone as long as they are (a long absence, months in hospital), bounded by
 * MAX_HOLDERS per credential.
 */
export const HOLDER_KEEP_DAYS = 365;
/** Days of the owner's own uses kept: the week before a new face came, and the weeks since. */
export const KEEP_USE = 45;
const MAX_FACES = 6;
const MAX_HOLDERS = 3;
const MAX_WEIGHT = 20;
/**
 * A face that failed at the terminal and then swiped the card, on this many uses and this
 * share of them at least, is the owner (a poor recogniser). Someone captured as they walk
 * up to the reader now and then is not: below FACE_FIRST_KEEP of its uses it is no longer
 * taken for the owner.
 */
const FACE_FIRST_MIN = 3;
const FACE_FIRST_SHARE = 0.6;
const FACE_FIRST_KEEP = 0.4;
/** A regular face must start within this many days of the card's first use to be its holder. */
const FROM_START_DAYS = 2;

/** What observing a face with a credential found. */
export interface Observed {
  face: CompanionFace;
  /** The face had just been taken for the holder (its earlier uses were not foreign). */
  elected: boolean;
  /** Faces of the credential found to be `face` and folded into it (their ids are gone). */
  absorbed: number[];
}

/**
 * Who carries each credential (issue 10 item 1): the face consistently captured with a card
 * over weeks is that card's holder, whether or not the holder has an enrolled face. A card
 * whose companion face is stable from its first uses counts as its owner's presence; so
 * does a face that tries the terminal, fails, and then swipes its own card (item 4). A
 * second, different face on several days is what suggests lending. Bounded: a few faces per
 * credential, each forgotten after the face-data retention without a sighting.
 */
export class Carriers {
  readonly models = new Map<string, CredentialModel>();
  /** Cluster → holder face: the face is that face's owner wherever it is seen (while it is a holder). */
  readonly #clusterFace = new Map<number, number>();
  /** Every holder face by its centroid, for captures that fell in another cluster. */
  readonly #holders = new Map<number, FaceIndex>();
  readonly #holderOwner = new Map<number, string>();
  /** Credentials by owner (the models' reverse index). */
  readonly #byOwner = new Map<string, Set<string>>();
  /** Each model's place in `models` (its insertion order), so an owner's models list in that order. */
  readonly #rank = new Map<string, number>();
  #nextRank = 0;
  readonly dirty = new Set<string>();
  #nextFace = 1;
  readonly #r: CarrierRules;
  readonly #hashes: FaceHashes;

  /** `hashes`: the holder index's rotations, shared with the clusters' index (face-hashes.ts). */
  constructor(rules: CarrierRules, hashes = new FaceHashes()) {
    this.#r = rules;
    this.#hashes = hashes;
  }

  get nextFace(): number {
    return this.#nextFace;
  }

  set nextFace(n: number) {
    this.#nextFace = Math.max(this.#nextFace, n);
  }

  /** The resident an unregistered face has been learnt as (by its cluster, else its embedding), if any. */
  ownerOfFace(cluster: number | null, emb: Float32Array | null): string | undefined {
    const fid = cluster === null ? undefined : this.#clusterFace.get(cluster);
    const byCluster = fid === undefined ? undefined : this.#holderOwner.get(fid);
    if (byCluster !== undefined || emb === null) return byCluster;
    const hit = this.#holders.get(emb.length)?.nearest(emb, this.#r.similarity);
    const owner = hit ? this.#holderOwner.get(hit.id) : undefined;
    if (hit && owner !== undefined && cluster !== null) this.#clusterFace.set(cluster, hit.id);
    return owner;
  }

  /**
   * The models of `owner`'s credentials, in the order of `models` (what a scan of every
   * model filtered by owner gives, without the scan: it ran per household and per day).
   */
  ofOwner(owner: string): Array<[string, CredentialModel]> {
    const creds = this.#byOwner.get(owner);
    if (!creds || creds.size === 0) return [];
    const out: Array<[string, CredentialModel]> = [];
    for (const cred of creds) {
      const m = this.models.get(cred);
      if (m && m.owner === owner) out.push([cred, m]);
    }
    if (out.length > 1) out.sort((a, b) => (this.#rank.get(a[0]) ?? 0) - (this.#rank.get(b[0]) ?? 0));
    return out;
  }

  /** Sets a model, ranking a credential new to `models` after every other. */
  #put(cred: string, m: CredentialModel): void {
    if (!this.models.has(cred)) this.#rank.set(cred, this.#nextRank++);
    this.models.set(cred, m);
  }

  #own(owner: string, cred: string): void {
    const s = this.#byOwner.get(owner) ?? new Set<string>();
    s.add(cred);
    this.#byOwner.set(owner, s);
  }

  /** Indexes a holder face under its owner (or forgets it). */
  #index(f: CompanionFace, owner: string | null): void {
    let idx = this.#holders.get(f.v.length);
    if (!idx) {
      idx = new FaceIndex(f.v.length, this.#hashes.of(f.v.length));
      this.#holders.set(f.v.length, idx);
    }
    if (owner === null) {
      idx.delete(f.id);
      this.#holderOwner.delete(f.id);
    } else {
      idx.set(f.id, f.v);
      this.#holderOwner.set(f.id, owner);
      if (f.cluster !== null) this.#clusterFace.set(f.cluster, f.id);
    }
  }

  /** The model of a credential, created on its first judged use. */
  model(cred: string, owner: string, day: number): CredentialModel {
    let m = this.models.get(cred);
    if (!m || m.owner !== owner) {
      m = { owner, firstDay: day, learn: [], ownerDays: [], faces: [] };
      this.#put(cred, m);
      this.#own(owner, cred);
      this.dirty.add(cred);
    }
    return m;
  }

  /** The holder face of `cred` this embedding matches, if any. */
  holderMatch(cred: string, emb: Float32Array): CompanionFace | undefined {
    const m = this.models.get(cred);
    return m
      ? best(
          m.faces.filter((f) => f.holder !== null),
          emb,
          this.#r.similarity,
        )
      : undefined;
  }

  /** The owner's recognised face came with the card (it is in the owner's hands). */
  ownerSeen(cred: string, owner: string, day: number): void {
    const m = this.model(cred, owner, day);
    if (day <= m.firstDay + this.#r.learnDays && addDay(m.ownerDays, day)) this.dirty.add(cred);
    used(m, day, cred, this.dirty);
  }

  /** Local days the owner (or the face learnt as its holder) used `cred` lately, ascending. */
  ownerUse(cred: string): readonly number[] {
    return this.models.get(cred)?.ownerUse ?? [];
  }

  /**
   * One unregistered face judged the only candidate for a use of `cred`: updates (or starts)
   * its companion face and elects it the holder when it has earned it.
   */
  observe(
    cred: string,
    owner: string,
    u: {
      emb: Float32Array;
      cluster: number | null;
      ts: number;
      day: number;
      seq: number;
      thumb: string | null;
    },
    faceFirst: boolean,
    ownerFaceDays: number,
  ): Observed {
    const m = this.model(cred, owner, u.day);
    let f = best(m.faces, u.emb, this.#r.similarity);
    if (!f) {
      f = {
        id: this.#nextFace++,
        v: Float32Array.from(u.emb),
        n: 0,
        days: [],
        first: u.ts,
        last: u.ts,
        pairs: 0,
        faceFirst: 0,
        holder: null,
        rejected: false,
        cluster: u.cluster,
        seqs: [],
        thumbs: [],
      };
      m.faces.push(f);
      if (m.faces.length > MAX_FACES) {
        const drop = m.faces.filter((x) => x.holder === null).sort((a, b) => a.last - b.last)[0];
        if (drop) m.faces.splice(m.faces.indexOf(drop), 1);
      }
    } else fold(f, u.emb);
    f.n++;
    f.pairs++;
    if (faceFirst) f.faceFirst++;
    f.first = Math.min(f.first, u.ts);
    f.last = Math.max(f.last, u.ts);
    addDay(f.days, u.day);
    if (u.cluster !== null) f.cluster = u.cluster;
    pushCapped(f.seqs, u.seq, 6);
    if (u.thumb && !f.thumbs.includes(u.thumb)) pushCapped(f.thumbs, u.thumb, 4);
    if (u.day <= m.firstDay + this.#r.learnDays) addDay(m.learn, u.day);
    this.dirty.add(cred);
    const absorbed: number[] = [];
    f = this.#merge(m, f, absorbed);
    let elected = false;
    if (
      f.holder === 'face_first' &&
      f.pairs >= 2 * FACE_FIRST_MIN &&
      f.faceFirst < f.pairs * FACE_FIRST_KEEP
    ) {
      // No poor recogniser after all; still the holder when it has come with the card from
      // its first days (a card-only resident the terminal captured before a few swipes).
      f.holder = this.#earned(m, f, ownerFaceDays);
      if (f.holder === null) {
        f.rejected = true;
        this.#index(f, null);
      }
    }
    if (f.holder === null && !f.rejected) {
      const why = this.#earned(m, f, ownerFaceDays);
      if (why && m.faces.filter((x) => x.holder !== null).length < MAX_HOLDERS) {
        f.holder = why;
        elected = true;
      }
    }
    if (f.holder !== null) {
      this.#index(f, owner);
      used(m, u.day, cred, this.dirty);
    }
    return { face: f, elected, absorbed };
  }

  /**
   * Folds into one the faces of `m` that are one face (issue 10: noisy terminals). A face
   * begins as a single capture; with captures as noisy as two of one person at 0.79 cosine,
   * the next capture of the same person misses it about half the time and starts a face of
   * its own, so a card-only resident's first weeks fell into several faces, none of them
   * learnt as the holder and each a "second face" on their own card. The mean of a few
   * captures sheds the noise: when `f`'s mean comes within `similarity` of another face's,
   * they are the same person, however noisy each capture was. Two different people's means
   * do not come closer with more captures. A holder face stays (its id is what the holder
   * index and the enrolment offer know); two holders, or a face the operator or the owner's
   * own face ruled out, are never folded. The ids folded away go into `absorbed`.
   */
  #merge(m: CredentialModel, f: CompanionFace, absorbed: number[]): CompanionFace {
    for (;;) {
      const g = m.faces.find(
        (x) =>
          x !== f &&
          x.v.length === f.v.length &&
          !x.rejected &&
          !f.rejected &&
          (x.holder === null || f.holder === null) &&
          dot(x.v, f.v) >= this.#r.similarity,
      );
      if (!g) return f;
      const keep = g.holder !== null || (f.holder === null && g.days.length > f.days.length) ? g : f;
      const gone = keep === g ? f : g;
      combine(keep, gone);
      m.faces.splice(m.faces.indexOf(gone), 1);
      absorbed.push(gone.id);
      f = keep;
    }
  }

  /**
   * Why `f` is the card's holder, if it is: it tries the face terminal and then swipes on
   * most of its uses (a poor recogniser, item 4), or it has come with the card from its
   * first days, on most of the days of the learning period, while the owner's own face was
   * not recognised — not with the card, not anywhere (a card-only resident, item 1).
   * `ownerFaceDays`: days on which the owner's own face was recognised (ever, as far as kept).
   */
  #earned(m: CredentialModel, f: CompanionFace, ownerFaceDays: number): HolderWhy | null {
    if (f.faceFirst >= FACE_FIRST_MIN && f.faceFirst >= f.pairs * FACE_FIRST_SHARE) return 'face_first';
    if (f.days.length < this.#r.holderDays) return null;
    if (m.ownerDays.length > 0 || ownerFaceDays > 0) return null;
    const end = m.firstDay + this.#r.learnDays;
    if ((f.days[0] as number) <= start(m) + FROM_START_DAYS) {
      const inLearning = f.days.filter((d) => d <= end).length;
      if (inLearning * 10 >= m.learn.length * 6) return 'learnt';
    }
    // A second chance after the learning period (issue 10: a card-only resident's captures
    // fell into several faces in its first days, none on enough of them, and their own face
    // was a second face on their card for good): the face there from the card's first days
    // that comes with it on most of the days any regular face does, while no face holds it.
    if ((f.days[f.days.length - 1] as number) <= end || dayOf(f.first) > m.firstDay + FROM_START_DAYS)
      return null;
    if (m.faces.some((x) => x.holder !== null)) return null;
    // Days of the faces that came with it more than once: a capture that fell into a face of
    // its own, or someone let in once with the swipe, takes no day from the regular.
    const any = new Set(m.faces.filter((x) => x.days.length >= 2).flatMap((x) => x.days));
    return f.days.length * 10 >= any.size * 6 ? 'learnt' : null;
  }

  /**
   * The owner's own face was recognised: a face learnt as the holder of one of their cards
   * from the learning period alone was someone else's (the owner is no card-only
   * resident). It is no longer taken for them, and never again.
   */
  ownerRecognised(owner: string): void {
    for (const cred of this.#byOwner.get(owner) ?? []) {
      const m = this.models.get(cred);
      if (!m) continue;
      for (const f of m.faces)
        if (f.holder === 'learnt') {
          f.holder = null;
          f.rejected = true;
          this.#index(f, null);
          this.dirty.add(cred);
        }
    }
  }

  /** An operator decision on a face learnt for `cred` (enrolled: it is the owner; rejected: never). */
  decide(cred: string, faceId: number, enrolled: boolean): CompanionFace | undefined {
    const f = this.models.get(cred)?.faces.find((x) => x.id === faceId);
    if (!f) return undefined;
    f.holder = enrolled ? 'enrolled' : null;
    f.rejected = !enrolled;
    this.#index(f, enrolled ? (this.models.get(cred)?.owner ?? null) : null);
    this.dirty.add(cred);
    return f;
  }

  /**
   * An enrolled face whose companion face was forgotten meanwhile (the offer outlived it):
   * taken back from the offer's embedding, as the owner's.
   */
  enrolFace(cred: string, owner: string, faceId: number, emb: Float32Array, ts: number): void {
    const m = this.model(cred, owner, Math.floor((ts + 8 * 3600_000) / 86_400_000));
    const f: CompanionFace = {
      id: faceId,
      v: Float32Array.from(emb),
      n: MAX_WEIGHT,
      days: [],
      first: ts,
      last: ts,
      pairs: 0,
      faceFirst: 0,
      holder: 'enrolled',
      rejected: false,
      cluster: null,
      seqs: [],
      thumbs: [],
    };
    m.faces.push(f);
    this.#index(f, owner);
    this.#nextFace = Math.max(this.#nextFace, faceId + 1);
    this.dirty.add(cred);
  }

  /**
   * Forgets faces not seen since `cutoff` (face-data retention); a face taken for the
   * card's holder, since `holderCutoff`. A holder is a registered resident's face, not a
   * passer-by's (issue 10: a card-only resident back from a long absence, during which a
   * relative minded the flat with the card, was a second face on their own card).
   */
  expire(cutoff: number, holderCutoff = cutoff): void {
    for (const [cluster, fid] of this.#clusterFace)
      if (!this.#holderOwner.has(fid)) this.#clusterFace.delete(cluster);
    for (const [cred, m] of this.models) {
      const kept = m.faces.filter(
        (f) => f.last >= cutoff || f.holder === 'enrolled' || (f.holder !== null && f.last >= holderCutoff),
      );
      if (kept.length === m.faces.length) continue;
      for (const f of m.faces) if (!kept.includes(f) && f.holder !== null) this.#index(f, null);
      m.faces = kept;
      // Nothing left to remember: the card's next use starts its learning afresh (a
      // card-only resident back from months in hospital is learnt again).
      if (kept.length === 0) {
        this.models.delete(cred);
        this.#rank.delete(cred);
        this.#byOwner.get(m.owner)?.delete(cred);
      }
      this.dirty.add(cred);
    }
  }

  /** Forgets everything (before the state is read back). */
  clear(): void {
    this.models.clear();
    this.#rank.clear();
    this.#clusterFace.clear();
    this.#holders.clear();
    this.#holderOwner.clear();
    this.#byOwner.clear();
    this.dirty.clear();
  }

  /** The stored form of a credential's model, or null when there is none. */
  serialize(cred: string): string | null {
    const m = this.models.get(cred);
    if (!m) return null;
    return JSON.stringify({
      ...m,
      faces: m.faces.map((f) => ({ ...f, v: embeddingToBlob(f.v).toString('base64') })),
    });
  }

  /** Restores a credential's model from its stored form (start-up). */
  restore(cred: string, json: string): void {
    const o = JSON.parse(json) as Omit<CredentialModel, 'faces'> & {
      faces: Array<Omit<CompanionFace, 'v'> & { v: string }>;
    };
    const m: CredentialModel = {
      ...o,
      faces: o.faces.map((f) => ({ ...f, v: blobToEmbedding(Buffer.from(f.v, 'base64')) })),
    };
    this.#put(cred, m);
    this.#own(m.owner, cred);
    for (const f of m.faces) {
      this.#nextFace = Math.max(this.#nextFace, f.id + 1);
      if (f.holder !== null) this.#index(f, m.owner);
    }
  }
}

/**
 * The day a card's regular faces began: the first day of a face seen with it on two days or
 * more. A face caught once behind a swipe (someone holding the door) on the card's first
 * day does not move it: in a large family the holder's first swipes are explained by the
 * family's faces beside them, and the holder's own face comes alone only days later.
 */
function start(m: CredentialModel): number {
  let out = Number.POSITIVE_INFINITY;
  for (const f of m.faces) if (f.days.length >= 2) out = Math.min(out, f.days[0] as number);
  return Number.isFinite(out) ? out : m.firstDay;
}

/** The face of `faces` most similar to `emb` at or above `min`. */
function best(faces: readonly CompanionFace[], emb: Float32Array, min: number): CompanionFace | undefined {
  let out: CompanionFace | undefined;
  let top = min;
  for (const f of faces) {
    if (f.v.length !== emb.length) continue;
    const s = dot(f.v, emb);
    if (s >= top) {
      top = s;
      out = f;
    }
  }
  return out;
}

/** The owner used the card on `day`: written when the day changes, not on every read. */
function used(m: CredentialModel, day: number, cred: string, dirty: Set<string>): void {
  const l = m.ownerUse ?? [];
  if (l.includes(day)) return;
  m.ownerUse = [...l, day].sort((a, b) => a - b).filter((d) => d > day - KEEP_USE);
  dirty.add(cred);
}

/** `gone`'s captures, days and uses added to `keep` (the same person's face). */
function combine(keep: CompanionFace, gone: CompanionFace): void {
  blend(keep.v, Math.min(keep.n, MAX_WEIGHT), gone.v, Math.min(gone.n, MAX_WEIGHT));
  keep.n += gone.n;
  for (const d of gone.days) addDay(keep.days, d);
  keep.first = Math.min(keep.first, gone.first);
  keep.last = Math.max(keep.last, gone.last);
  keep.pairs += gone.pairs;
  keep.faceFirst += gone.faceFirst;
  keep.cluster ??= gone.cluster;
  for (const s of gone.seqs) if (!keep.seqs.includes(s)) pushCapped(keep.seqs, s, 6);
  for (const t of gone.thumbs) if (!keep.thumbs.includes(t)) pushCapped(keep.thumbs, t, 4);
}

/** `v` becomes the unit mean of `v` weighted `a` and `e` weighted `b`. */
function blend(v: Float32Array, a: number, e: Float32Array, b: number): void {
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    const x = (v[i] as number) * a + (e[i] as number) * b;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
}

function fold(f: CompanionFace, e: Float32Array): void {
  blend(f.v, Math.min(f.n, MAX_WEIGHT), e, 1);
}

/** Adds a day to an ascending list kept to its last KEEP_DAYS; returns whether it was new. */
function addDay(days: number[], day: number): boolean {
  if (days.includes(day)) return false;
  days.push(day);
  days.sort((a, b) => a - b);
  while ((days[0] as number) < day - KEEP_DAYS) days.shift();
  return true;
}

function pushCapped<T>(l: T[], v: T, max: number): void {
  l.push(v);
  if (l.length > max) l.splice(0, l.length - max);
}
