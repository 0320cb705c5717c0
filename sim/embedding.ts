/**
 * Face embeddings for simulated people: one stable unit vector per person, and the small
 * per-capture noise a real face model shows (the same face never yields the same vector
 * twice). Reader protocol v1 carries them as base64 of little-endian float32 (§5).
 */
import { hashSeed, Random } from './random.js';

/** Dimensions of simulated embeddings (the smallest §5 allows; common on terminals). */
export const EMBEDDING_DIMS = 128;

function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}

/** The stable unit-length embedding of a person, from the estate seed and the person's id. */
export function personEmbedding(seed: number, personId: string, dims = EMBEDDING_DIMS): Float32Array {
  const rng = new Random(hashSeed(seed, 'embedding', personId));
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) v[i] = rng.normal();
  return normalize(v);
}

/**
 * One capture of a face: the person's vector plus Gaussian noise, renormalised. With the
 * default sd the cosine to the stable vector stays around 0.97, well apart from the ~0
 * between two different random people.
 */
export function captureEmbedding(rng: Random, base: Float32Array, sd = 0.02): Float32Array {
  const v = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) v[i] = (base[i] ?? 0) + rng.normal(0, sd);
  return normalize(v);
}

/** Cosine similarity of two vectors of the same length. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}

/** Base64 of the vector as little-endian float32, whatever the host byte order (§5). */
export function encodeEmbedding(v: Float32Array): string {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i] ?? 0, i * 4);
  return buf.toString('base64');
}

/** Inverse of encodeEmbedding (tests, tools). */
export function decodeEmbedding(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const v = new Float32Array(Math.floor(buf.length / 4));
  for (let i = 0; i < v.length; i++) v[i] = buf.readFloatLE(i * 4);
  return v;
}
