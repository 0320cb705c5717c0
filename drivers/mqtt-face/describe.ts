import { credentialOut, type Described } from '../describe.js';
import { MAX_PICTURE_BYTES } from './constants.js';
import { parseUplink } from './parse.js';

/**
 * What a captured mqtt-face message holds, for `estate-gateway decode mqtt-face --topic …`
 * (protocols.md §5), through the driver's own parser: a record as the gateway would read
 * it (its picture as mime and size, never the bytes), a presence or Ack message, or the
 * reason it is refused.
 */
export function describeUplink(topic: string, payload: Buffer, zoneOffsetMs: number): Described[] {
  const kind = topic.slice(topic.lastIndexOf('/') + 1);
  const m = parseUplink(kind, payload, { zoneOffsetMs, maxPictureBytes: MAX_PICTURE_BYTES });
  if ('reason' in m) return [{ error: m.reason, reason: m.detail }];
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  switch (m.kind) {
    case 'online':
      return [
        {
          message: 'online',
          facesluiceId: m.facesluiceId,
          ts: iso(m.ts),
          firmware: m.firmware ?? null,
          answer: 'Online-Ack',
        },
      ];
    case 'offline':
      return [{ message: 'offline', facesluiceId: m.facesluiceId }];
    case 'heartbeat':
      return [{ message: 'heartbeat', facesluiceId: m.facesluiceId, ts: iso(m.ts) }];
    case 'ack':
      return [
        { message: 'ack', operator: m.operator, messageId: m.messageId ?? null, code: m.code, info: m.info },
      ];
    default: {
      const r = m.record;
      const out: Described[] = [
        {
          recordId: r.recordId,
          ts: iso(r.ts),
          offline: r.resent,
          ...credentialOut(r.credential),
          ...(r.picture ? { image: { mime: 'image/jpeg', bytes: r.picture.length } } : {}),
          ...(r.verifyStatus !== null ? { verifyStatus: r.verifyStatus } : {}),
          answer: r.ackType === 'other' ? null : 'PushAck',
        },
      ];
      if (r.pictureProblem)
        out.push({ error: 'bad_image', reason: `${r.pictureProblem}; the record is kept without it` });
      return out;
    }
  }
}
