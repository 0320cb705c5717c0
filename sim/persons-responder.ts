/**
 * A v1 terminal's answer to face-library operations (docs/protocol-v1.md `persons`,
 * issue 11): upserts and deletes go to its SimFaceLibrary, each is acknowledged on
 * `persons/ack` with the library's refusal as the code, `list` returns the person ids.
 */
import type { SimFaceLibrary } from './face-library.js';
import { encodePersonsAck, parsePersonsOp } from './reader-protocol.js';

/** Words a v1 terminal puts beside each refusal code. */
const MESSAGES: Record<string, string> = {
  bad_photo: 'photo cannot be decoded',
  photo_too_small: 'photo smaller than 1 KB',
  photo_too_large: 'photo larger than 1 MB',
  no_face: 'no face detected',
  face_quality_low: 'face quality too low',
  face_too_similar: 'too similar to an enrolled face',
  library_full: 'person library full',
  bad_person: 'person id not accepted',
};

/** Counters of the operations a terminal answered. */
export interface PersonsStats {
  upserts: number;
  deletes: number;
  lists: number;
  refused: number;
  badOps: number;
}

/**
 * Answers one payload of the `persons` topic; returns the ack to publish (or null for junk).
 * `lists: false` plays a terminal that knows upsert and delete only.
 */
export function answerPersons(
  library: SimFaceLibrary,
  payload: Buffer,
  stats: PersonsStats,
  lists = true,
): string | null {
  const op = parsePersonsOp(payload);
  if (!op) {
    stats.badOps++;
    return null;
  }
  if (op.op === 'list') {
    stats.lists++;
    return lists
      ? encodePersonsAck(op.id, { ok: true, personIds: library.ids() })
      : encodePersonsAck(op.id, { ok: false, code: 'not_supported', message: 'list not supported' });
  }
  if (op.op === 'delete' && 'personId' in op) {
    stats.deletes++;
    library.remove(op.personId);
    return encodePersonsAck(op.id, { ok: true });
  }
  if (op.op === 'upsert' && 'photo' in op) {
    stats.upserts++;
    const photo = op.photo?.mime === 'image/jpeg' ? Buffer.from(op.photo.data, 'base64') : null;
    const refusal = photo
      ? library.upsert(
          {
            id: op.personId,
            ...(op.name ? { name: op.name } : {}),
            validFrom: op.validFrom ? Date.parse(op.validFrom) : null,
            validTo: op.validTo ? Date.parse(op.validTo) : null,
            cards: op.cards,
            temporary: op.temporary,
            photoBytes: photo.length,
          },
          photo,
        )
      : 'bad_photo';
    if (!refusal) return encodePersonsAck(op.id, { ok: true });
    stats.refused++;
    return encodePersonsAck(op.id, { ok: false, code: refusal, message: MESSAGES[refusal] ?? refusal });
  }
  stats.badOps++;
  return encodePersonsAck(op.id, { ok: false, code: 'not_supported', message: `op ${op.op} not supported` });
}
