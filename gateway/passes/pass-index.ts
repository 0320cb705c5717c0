import type { NormalizedRead } from '../pipeline/normalize.js';
import { dot, type Pass, passValidAt } from './model.js';

/** Passes this long past their end are dropped from memory (late offline reads still match). */
const KEEP_AFTER_MS = 2 * 86_400_000;

/**
 * The passes in memory, for O(1) matching on the hot path: by card UID, ID-number hash,
 * QR token and terminal person id; face embeddings by a scan of the (few) current passes.
 */
export class PassIndex {
  readonly #byId = new Map<string, Pass>();
  readonly #byKey = new Map<string, Pass[]>();
  #faces: Pass[] = [];
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
    if (p.embedding) this.#faces.push(p);
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
    let best: Pass | null = null;
    let bestSim = this.#similarity;
    for (const p of this.#faces) {
      if (!passValidAt(p, n.ts)) continue;
      const s = dot(n.embedding, p.embedding as Float32Array);
      if (s >= bestSim) {
        best = p;
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
    if (p.embedding) this.#faces = this.#faces.filter((x) => x.id !== id);
  }
}

function keys(p: Pass): string[] {
  const k: string[] = [];
  if (p.cardUid) k.push(`card:${p.cardUid}`);
  if (p.idHash) k.push(`idcard:${p.idHash}`);
  if (p.token) k.push(`qrcode:${p.token}`);
  if (p.facePersonId) k.push(`face:${p.facePersonId}`);
  return k;
}
