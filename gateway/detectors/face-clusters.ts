import { blobToEmbedding, embeddingToBlob } from '../passes/model.js';
import { FaceHashes } from './face-hashes.js';
import { FaceIndex } from './face-index.js';

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
 * otherwise a new person. The nearest centroid is found through an LSH index, not a scan
 * of every live cluster (issue 10). Bounded: faces not seen for the TTL are forgotten
 * (they are face data of people who never consented), and past `max` the least recently
 * seen go.
 */
export class FaceClusters {
  readonly #byId = new Map<number, Cluster>();
  readonly #index = new Map<number, FaceIndex>();
  #next = 1;
  readonly #threshold: number;
  readonly #max: number;
  readonly #hashes: FaceHashes;
  /** Ids changed since the detector state last wrote them. */
  readonly dirty = new Set<number>();

  /** `hashes`: the indexes' rotations, shared with the carriers' holder index (face-hashes.ts). */
  constructor(threshold: number, max: number, hashes = new FaceHashes()) {
    this.#threshold = threshold;
    this.#max = max;
    this.#hashes = hashes;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The cluster id of this capture, creating one when nobody is close enough. */
  assign(e: Float32Array, ts: number): number {
    const index = this.#indexFor(e.length);
    const hit = index.nearest(e, this.#threshold);
    const best = hit ? this.#byId.get(hit.id) : undefined;
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
      index.set(best.id, v);
      best.n++;
      best.last = Math.max(best.last, ts);
      this.dirty.add(best.id);
      return best.id;
    }
    const c: Cluster = { id: this.#next++, v: Float32Array.from(e), n: 1, first: ts, last: ts };
    this.#add(c);
    this.dirty.add(c.id);
    // Evict a twentieth at a time: sorting every live cluster for each new face would be the scan again.
    if (this.#byId.size > this.#max)
      this.#evictOldest(this.#byId.size - this.#max + Math.ceil(this.#max / 20));
    return c.id;
  }

  /** When a cluster was first seen, or undefined when it was forgotten. */
  firstSeen(id: number): number | undefined {
    return this.#byId.get(id)?.first;
  }

  /** The centroid of a cluster (not a copy), or undefined when it was forgotten. */
  centroid(id: number): Float32Array | undefined {
    return this.#byId.get(id)?.v;
  }

  /** Forgets clusters last seen before `cutoff`; returns the ids forgotten. */
  expire(cutoff: number): number[] {
    const gone: number[] = [];
    for (const c of this.#byId.values()) if (c.last < cutoff) gone.push(c.id);
    for (const id of gone) this.#drop(id);
    return gone;
  }

  #evictOldest(n: number): void {
    const old = [...this.#byId.values()].sort((a, b) => a.last - b.last).slice(0, n);
    for (const c of old) this.#drop(c.id);
  }

  #add(c: Cluster): void {
    this.#byId.set(c.id, c);
    this.#indexFor(c.v.length).set(c.id, c.v);
  }

  #drop(id: number): void {
    const c = this.#byId.get(id);
    if (c) this.#index.get(c.v.length)?.delete(id);
    this.#byId.delete(id);
    this.dirty.add(id);
  }

  #indexFor(dims: number): FaceIndex {
    let index = this.#index.get(dims);
    if (!index) {
      index = new FaceIndex(dims, this.#hashes.of(dims));
      this.#index.set(dims, index);
    }
    return index;
  }

  /** Forgets everything (before the state is read back). */
  clear(): void {
    this.#byId.clear();
    this.#index.clear();
    this.dirty.clear();
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
    this.#add({ id, v: blobToEmbedding(Buffer.from(o.v, 'base64')), n: o.n, first: o.f, last: o.l });
    this.#next = Math.max(this.#next, id + 1);
  }

  get nextId(): number {
    return this.#next;
  }

  set nextId(n: number) {
    this.#next = Math.max(this.#next, n);
  }
}
