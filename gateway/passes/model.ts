import type { PassKind } from '../../core/codes.js';

/** Visitor passes (访客通行证) and registrations of couriers and property staff (issue 4). */

/** A pass as the pipeline matches it. Never a raw ID number or phone: hashes and masks. */
export interface Pass {
  id: string;
  kind: PassKind;
  /** The household visited; null for couriers and staff. */
  householdId: string | null;
  name: string;
  phoneMasked: string | null;
  phoneHash: string | null;
  idHash: string | null;
  idMasked: string | null;
  cardUid: string | null;
  facePersonId: string | null;
  embedding: Float32Array | null;
  token: string | null;
  validFrom: number;
  validTo: number;
  revokedAt: number | null;
  createdBy: string;
  createdAt: number;
  note: string | null;
}

/** Whether a pass admits its holder at event time `ts`. */
export function passValidAt(p: Pass, ts: number): boolean {
  return ts >= p.validFrom && ts <= p.validTo && (p.revokedAt === null || ts < p.revokedAt);
}

/**
 * Who the pass names, for "the same visitor registered again and again": the ID hash, else
 * the phone hash, else the name at that household.
 */
export function visitorKey(p: Pick<Pass, 'idHash' | 'phoneHash' | 'name'>): string {
  return p.idHash
    ? `id:${p.idHash.slice(0, 24)}`
    : p.phoneHash
      ? `ph:${p.phoneHash.slice(0, 24)}`
      : `nm:${p.name}`;
}

/** Float32 little-endian bytes of an embedding (SQLite BLOB). */
export function embeddingToBlob(v: Float32Array): Buffer {
  const b = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) b.writeFloatLE(v[i] ?? 0, i * 4);
  return b;
}

/** Inverse of embeddingToBlob. */
export function blobToEmbedding(b: Buffer): Float32Array {
  const v = new Float32Array(b.length >> 2);
  for (let i = 0; i < v.length; i++) v[i] = b.readFloatLE(i * 4);
  return v;
}

/**
 * Decodes a base64 little-endian float32 face embedding (reader protocol v1 §5: 128–512
 * values, unit length). Returns an error message instead of throwing.
 */
export function decodeEmbedding(b64: string): Float32Array | string {
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return 'embedding is not valid base64';
  const raw = Buffer.from(b64, 'base64');
  if (raw.length % 4 !== 0 || raw.length / 4 < 128 || raw.length / 4 > 512)
    return 'embedding must hold 128–512 float32 values';
  const v = blobToEmbedding(raw);
  let norm = 0;
  for (const x of v) {
    if (!Number.isFinite(x)) return 'embedding holds a non-finite value';
    norm += x * x;
  }
  if (Math.abs(Math.sqrt(norm) - 1) > 0.02) return 'embedding must be unit length';
  return v;
}

/** Cosine of two unit vectors (their dot product); 0 when the lengths differ. */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}
