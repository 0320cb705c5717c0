/**
 * What a terminal reports when a simulated person presents themselves: the credential
 * object of reader protocol v1 (§5) and, for faces, a snapshot.
 */
import { captureEmbedding, encodeEmbedding } from './embedding.js';
import { hashSeed, type Random } from './random.js';
import type { TerminalCredential } from './reader-protocol.js';
import type { SimPerson } from './types.js';

/** Share of residents' face reads that carry a snapshot (strangers and moved-out tenants: all). */
export const RESIDENT_IMAGE_RATE = 0.25;

/**
 * The credential a person presents. Recognised faces score 0.85–0.99 with liveness; an
 * unrecognised face (a stranger) gets the terminal's best, too-low score, personId null and
 * the embedding of this capture so the gateway can tell the same stranger again. Asked for
 * a card or ID card the person does not have, they show their face instead.
 */
export function credentialOf(
  p: SimPerson,
  kind: 'face' | 'card' | 'idcard',
  rng: Random,
): TerminalCredential {
  if (kind === 'card' && p.card) return { type: 'card', card: { uid: p.card } };
  if (kind === 'idcard' && p.idNumber) {
    // 二代证 validity: 10 or 20 years from issue; a fixed year per person keeps it stable.
    const year = 2027 + (hashSeed(p.id, 'idcard') % 15);
    return { type: 'idcard', idcard: { number: p.idNumber, name: p.name, validUntil: `${year}-06-30` } };
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  if (p.facePersonId === null) {
    return {
      type: 'face',
      face: {
        personId: null,
        score: round(rng.float(0.3, 0.65)),
        liveness: true,
        embedding: encodeEmbedding(captureEmbedding(rng, p.embedding)),
      },
    };
  }
  return {
    type: 'face',
    face: { personId: p.facePersonId, score: round(rng.float(0.85, 0.99)), liveness: true },
  };
}

/** The snapshot for a face read, or undefined (no images loaded, or this resident read has none). */
export function imageFor(p: SimPerson, images: readonly Buffer[], rng: Random): Buffer | undefined {
  if (images.length === 0) return undefined;
  if (p.kind === 'resident' && !rng.chance(RESIDENT_IMAGE_RATE)) return undefined;
  // The same person always looks the same.
  return images[hashSeed(p.id, 'face') % images.length];
}
