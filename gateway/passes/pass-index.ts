import type { NormalizedRead } from '../pipeline/normalize.js';
import { dot, type Pass, passValidAt } from './model.js';

/**
 * Below this rounding bound (products of float32 values are exact in a double; 128 sums
 * round by ~1e-14 at most) a face is skipped only when it surely falls short of the best.
 */
const SLACK = 1e-9;

/** A pass with a face, and the norms of its embedding past the first quarter and half. */
interface FacePass {
  p: Pass;
  v: Float32Array;
  t1: number;
  t2: number;
}

/** Passes this long past their end are dropped from memory (late offline reads still match). */
const KEEP_AFTER_MS = 2 * 86_400_000;

/**
 * The passes in memory, for O(1) matching on the hot path: by card UID, ID-number hash,
 * QR token and terminal person id; face embeddings by a scan of the (few) current passes.
 */
export class PassIndex {
  readonly #byId = new Map<string, Pass>();
  readonly #byKey = new Map<string, Pass[]>();
  #faces: FacePass[] = [];
  readonly #similarity: number;
  #prunedAt = 0;

  /** @param similarity cosine at or above which a face matches a pass's embedding */
  constructor(similarity: number) {
    this.#similarity = similarity;
  }

  /** Adds or replaces a pass (creation, revocation). */
  put(p: Pass): void {
    if (this.#byId.has(p.id)) this.#remove(p.id);
    this.#byId.set(p.id, p);
    for (const k of keys(p)) {
      const list = this.#byKey.get(k);
      if (list) list.push(p);
      else this.#byKey.set(k, [p]);
    }
    if (p.embedding) {
      const v = p.embedding;
      this.#faces.push({ p, v, t1: tailNorm(v, v.length >> 2), t2: tailNorm(v, v.length >> 1) });
    }
  }

  /** The pass with this id, if it is still in memory. */
  get(id: string): Pass | undefined {
    return this.#byId.get(id);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Drops passes long expired or revoked, at most once an (event-time) hour. */
  prune(now: number): void {
    if (now - this.#prunedAt < 3_600_000) return;
    this.#prunedAt = now;
    for (const p of [...this.#byId.values()]) {
      const end = p.revokedAt === null ? p.validTo : Math.min(p.validTo, p.revokedAt);
      if (end + KEEP_AFTER_MS < now) this.#remove(p.id);
    }
  }

  /** The pass that admits the credential of this read at its event time, if any. */
  match(n: NormalizedRead): Pass | null {
    if (n.key !== null) {
      const list = this.#byKey.get(`${n.kind}:${n.key}`);
      if (list) for (const p of list) if (passValidAt(p, n.ts)) return p;
      if (n.kind !== 'face') return null;
    }
    if (n.kind !== 'face' || !n.embedding || this.#faces.length === 0) return null;
    // Every current pass's face is compared (visitors grow with the estate), but most are
    // strangers to the capture: by Cauchy–Schwarz the rest of a dot product cannot add
    // more than the two tails' norms, so it stops after a quarter or a half of the
    // products when the best is out of reach. The products that are summed are summed in
    // the same order as dot(): the same value, the same answer.
    const q = n.embedding;
    const d = q.length;
    const h1 = d >> 2;
    const h2 = d >> 1;
    const q1 = tailNorm(q, h1);
    const q2 = tailNorm(q, h2);
    let best: Pass | null = null;
    let bestSim = this.#similarity;
    for (const f of this.#faces) {
      if (!passValidAt(f.p, n.ts)) continue;
      const v = f.v;
      let s: number;
      if (v.length !== d) s = dot(q, v);
      else {
        s = 0;
        let i = 0;
        for (; i < h1; i++) s += (q[i] as number) * (v[i] as number);
        if (s + q1 * f.t1 + SLACK < bestSim) continue;
        for (; i < h2; i++) s += (q[i] as number) * (v[i] as number);
        if (s + q2 * f.t2 + SLACK < bestSim) continue;
        for (; i < d; i++) s += (q[i] as number) * (v[i] as number);
      }
      if (s >= bestSim) {
        best = f.p;
        bestSim = s;
      }
    }
    return best;
  }

  #remove(id: string): void {
    const p = this.#byId.get(id);
    if (!p) return;
    this.#byId.delete(id);
    for (const k of keys(p)) {
      const list = this.#byKey.get(k)?.filter((x) => x.id !== id);
      if (list && list.length > 0) this.#byKey.set(k, list);
      else this.#byKey.delete(k);
    }
    if (p.embedding) this.#faces = this.#faces.filter((x) => x.p.id !== id);
  }
}

/** The norm of v[from…]. */
function tailNorm(v: Float32Array, from: number): number {
  let s = 0;
  for (let i = from; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  return Math.sqrt(s);
}

function keys(p: Pass): string[] {
  const k: string[] = [];
  if (p.cardUid) k.push(`card:${p.cardUid}`);
  if (p.idHash) k.push(`idcard:${p.idHash}`);
  if (p.token) k.push(`qrcode:${p.token}`);
  if (p.facePersonId) k.push(`face:${p.facePersonId}`);
  return k;
}
