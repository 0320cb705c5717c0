/**
 * The face-embedding seam of the camera snapshots (issue 13): a capture at a card,
 * fingerprint or ID-card door is made matchable by a service the estate runs, which takes
 * a JPEG and answers `{"embedding": "<base64 little-endian float32, unit length>"}` (the
 * form of reader protocol v1's face.embedding). Without one configured, snapshots are
 * evidence only. Config load refuses a service that is not on this box unless the config
 * says otherwise (faces stay on the box, design.md §9).
 */
import { cappedText } from '../capped-text.js';
import { decodeEmbedding } from '../passes/model.js';

/** Turns a face image into an embedding; null when the service found no face. */
export interface EmbeddingService {
  embed(jpeg: Buffer): Promise<Float32Array | null>;
}

/** Largest answer read from the service: an embedding is at most 2 KiB of base64. */
const MAX_ANSWER = 64 * 1024;

/** An embedding service over HTTP: POST image/jpeg, JSON back. */
export class HttpEmbeddingService implements EmbeddingService {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
  }

  async embed(jpeg: Buffer): Promise<Float32Array | null> {
    const res = await fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg', accept: 'application/json' },
      body: jpeg,
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`embedding service answered HTTP ${res.status}`);
    }
    const body = JSON.parse(
      await cappedText(res, MAX_ANSWER, () => new Error('embedding service answer too large')),
    ) as { embedding?: unknown };
    if (body.embedding === null || body.embedding === undefined) return null;
    if (typeof body.embedding !== 'string') throw new Error('embedding is not a base64 string');
    const v = decodeEmbedding(body.embedding);
    if (typeof v === 'string') throw new Error(v);
    return v;
  }
}
