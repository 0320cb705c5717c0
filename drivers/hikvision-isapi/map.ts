import type { Credential } from '../../core/contracts.js';
import { type CardFormat, cardUid, type Mapped, shortDigest } from '../http/mapped.js';
import { MAJOR, MINORS, OPERATIONS } from './constants.js';
import type { HikEvent } from './event.js';

/** What mapping needs besides the event. */
export interface MapContext {
  readerId: string;
  receivedAt: number;
  cardFormat: CardFormat;
  /** The record came from a catch-up search or a replayed buffer, not from a person at the door now. */
  offline: boolean;
  image?: { mime: string; data: Buffer };
}

/**
 * The record's identity: serial number and second, so the same event pushed, streamed and
 * found again by a catch-up is one record, while a terminal whose counter restarted
 * (a factory reset) does not have its new events taken for old ones.
 */
export function recordIdOf(e: HikEvent): string {
  const second = Math.floor(e.time / 1000);
  if (e.serialNo !== null) return `${e.serialNo}@${second}`;
  return `t${second}-${e.major}-${e.minor}-${shortDigest(e.employeeNo, e.cardNo)}`;
}

/** An access event as the gateway takes it (constants.ts MINORS). */
export function mapEvent(e: HikEvent, c: MapContext): Mapped {
  const code = `${e.major}/0x${e.minor.toString(16).padStart(2, '0')}`;
  if (e.major === MAJOR.operation && OPERATIONS.has(e.minor))
    return { kind: 'note', name: OPERATIONS.get(e.minor) as string };
  const known = e.major === MAJOR.event ? MINORS.get(e.minor) : undefined;
  if (!known) return { kind: 'unknown', code };
  const m = known.means;
  const recordId = recordIdOf(e);
  if ('door' in m) {
    return {
      kind: 'door',
      signal: {
        readerId: c.readerId,
        kind: m.door,
        ts: e.time,
        receivedAt: c.receivedAt,
        recordId,
        offline: c.offline,
        ...(e.doorNo !== null ? { input: e.doorNo } : {}),
      },
    };
  }
  if ('note' in m) return { kind: 'note', name: known.name };
  let credential: Credential;
  switch (m.read) {
    case 'face':
      credential = {
        type: 'face',
        personId: m.matched ? e.employeeNo : null,
        // The terminal matched by its own threshold; without a similarity it vouches fully.
        score: m.matched ? (e.similarity ?? 1) : (e.similarity ?? 0),
      };
      break;
    case 'card': {
      if (e.cardNo === null)
        return { kind: 'bad', reason: 'bad_field', detail: `${known.name} without cardNo` };
      const uid = cardUid(e.cardNo, c.cardFormat);
      if (uid === null)
        return { kind: 'bad', reason: 'bad_field', detail: `cardNo is not a ${c.cardFormat} card number` };
      credential = { type: 'card', uid };
      break;
    }
    case 'fingerprint':
      credential = { type: 'fingerprint', templateId: m.matched ? e.employeeNo : null };
      break;
    case 'qrcode':
      if (e.cardNo === null) return { kind: 'note', name: known.name };
      credential = { type: 'qrcode', token: e.cardNo };
      break;
  }
  return {
    kind: 'read',
    read: {
      readerId: c.readerId,
      recordId,
      ts: e.time,
      receivedAt: c.receivedAt,
      credential,
      offline: c.offline,
      ...(c.image && credential.type === 'face' ? { image: c.image } : {}),
    },
  };
}
