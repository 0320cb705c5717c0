import { blobToEmbedding, dot, embeddingToBlob } from '../passes/model.js';

/** One unregistered face: the running mean of its captures. */
interface Cluster {
  id: number;
  v: Float32Array;
  n: number;
  first: number;
  last: number;
}

/** Captures folded into a centroid at most: later ones still move it (faces change). */
const MAX_WEIGHT = 20;

/**
 * Unregistered faces told apart by their embeddings (reader protocol v1 `face.embedding`):
 * a capture whose cosine to a known centroid reaches the threshold is that person again,
 * otherwise a new person. Bounded: faces not seen for the TTL are forgotten (they are
 * face data of people who never consented), and past `max` the least recently seen goes.
 */
export class FaceClusters {
  readonly #byId = new Map<number, Cluster>();
  #list: Cluster[] = [];
  #next = 1;
  readonly #threshold: number;
  readonly #max: number;
  /** Ids changed since the last `takeDirty()` (persisted by the detector state). */
  readonly dirty = new Set<number>();

  constructor(threshold: number, max: number) {
    this.#threshold = threshold;
    this.#max = max;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The cluster id of this capture, creating one when nobody is close enough. */
  assign(e: Float32Array, ts: number): number {
    let best: Cluster | null = null;
    let bestSim = this.#threshold;
    for (const c of this.#list) {
      if (c.v.length !== e.length) continue;
      const s = dot(c.v, e);
      if (s >= bestSim) {
        bestSim = s;
        best = c;
      }
    }
    if (best) {
      const w = Math.min(best.n, MAX_WEIGHT);
      let norm = 0;
      const v = best.v;
      for (let i = 0; i < v.length; i++) {
        const x = (v[i] as number) * w + (e[i] as number);
        v[i] = x;
        norm += x * x;
      }
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / norm;
      best.n++;
      best.last = Math.max(best.last, ts);
      this.dirty.add(best.id);
      return best.id;
    }
    const c: Cluster = { id: this.#next++, v: Float32Array.from(e), n: 1, first: ts, last: ts };
    this.#byId.set(c.id, c);
    this.#list.push(c);
    this.dirty.add(c.id);
    if (this.#byId.size > this.#max) this.#evictOldest(this.#byId.size - this.#max);
    return c.id;
  }

  /** Forgets clusters last seen before `cutoff`; returns the ids forgotten. */
  expire(cutoff: number): number[] {
    const gone = this.#list.filter((c) => c.last < cutoff).map((c) => c.id);
    for (const id of gone) this.#drop(id);
    if (gone.length > 0) this.#list = [...this.#byId.values()];
    return gone;
  }

  #evictOldest(n: number): void {
    const old = [...this.#list].sort((a, b) => a.last - b.last).slice(0, n);
    for (const c of old) this.#drop(c.id);
    this.#list = [...this.#byId.values()];
  }

  #drop(id: number): void {
    this.#byId.delete(id);
    this.dirty.add(id);
  }

  /** The stored form of a cluster, or null when it was forgotten. */
  serialize(id: number): string | null {
    const c = this.#byId.get(id);
    if (!c) return null;
    return JSON.stringify({ v: embeddingToBlob(c.v).toString('base64'), n: c.n, f: c.first, l: c.last });
  }

  /** Restores a cluster from its stored form (start-up). */
  restore(id: number, json: string): void {
    const o = JSON.parse(json) as { v: string; n: number; f: number; l: number };
    const c: Cluster = { id, v: blobToEmbedding(Buffer.from(o.v, 'base64')), n: o.n, first: o.f, last: o.l };
    this.#byId.set(id, c);
    this.#list.push(c);
    this.#next = Math.max(this.#next, id + 1);
  }

  get nextId(): number {
    return this.#next;
  }

  set nextId(n: number) {
    this.#next = Math.max(this.#next, n);
  }
}
