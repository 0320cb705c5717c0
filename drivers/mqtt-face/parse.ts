import type { RejectReason } from '../../core/contracts.js';
import { BASIC, HEARTBEAT, MAX_PAYLOAD_BYTES, OP, UPLINK } from './constants.js';

/**
 * Pure parsing of what an mqtt-face terminal publishes (protocols.md §5). Tolerant where
 * firmware differs (numbers as strings or numbers, `personName` or `persionName`, times
 * with or without seconds' fractions), strict where a read depends on it (record ids,
 * times). Total: every input gives a message or a reason, never an exception.
 */

/** What one uplink message is. */
export type Uplink =
  | { kind: 'online'; facesluiceId: string; ts: number | null; firmware?: string; messageId?: string }
  | { kind: 'offline'; facesluiceId: string }
  | { kind: 'heartbeat'; facesluiceId: string; ts: number | null }
  | { kind: 'record'; facesluiceId: string | null; messageId?: string; record: FaceRecord }
  | {
      kind: 'ack';
      facesluiceId: string | null;
      operator: string;
      messageId?: string;
      code: string;
      info: Info;
    };

/** A record of a face (recognised or a stranger), a card, a QR code or an ID card. */
export interface FaceRecord {
  /** `rec-…`, `snap-…`, `card-…`: recognitions and snapshots are numbered apart on the terminal. */
  recordId: string;
  /** The id the terminal wants back in PushAck (RecordID / SnapID). */
  ackId: string;
  ackType: 'record' | 'snap' | 'other';
  /** Terminal local time as epoch ms (its configured zone applied). */
  ts: number;
  credential:
    | { type: 'face'; personId: string | null; score: number; strangerId?: string }
    | { type: 'card'; uid: string }
    | { type: 'qrcode'; token: string }
    | { type: 'idcard'; number: string };
  /** The terminal said it sends this from its buffer (Sendintime 0, a firmware variant). */
  resent: boolean;
  /** The picture, decoded, if it came and was usable. */
  picture?: Buffer;
  /** Why a picture that came was dropped (the record is kept). */
  pictureProblem?: string;
  /** VerifyStatus as sent (0 none, 1 allowed, 2 refused, 3 not registered). */
  verifyStatus: number | null;
  /** A name was sent (`personName` or old firmware's `persionName`): present, never kept. */
  named: boolean;
}

type Info = Record<string, unknown>;

/** A reason a message is refused, and the detail for the log (never personal data). */
export interface Refused {
  reason: RejectReason;
  detail: string;
}

/** Whether the value is a string or number that reads as a finite number: "94.000000" → 94. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** A similarity as 0..1: terminals send a percentage ("94.000000"), some firmware a ratio. */
function ratio(sim: number): number {
  return sim > 1 ? Math.round(sim * 100) / 10_000 : sim;
}

/** A non-empty string, or a number written as one. */
function text(v: unknown, max = 128): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s.length > 0 && s.length <= max ? s : null;
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;
const ZONED_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A terminal time as epoch ms: `YYYY-MM-DD HH:mm:ss` in its configured zone (it sends
 * none), an ISO time with a zone, or epoch seconds/ms (some firmware). Null when none.
 */
export function parseTime(v: unknown, zoneOffsetMs: number): number | null {
  if (typeof v === 'number' || (typeof v === 'string' && /^\d{9,13}$/.test(v.trim()))) {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) return null;
    return n < 1e11 ? n * 1000 : n;
  }
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (ZONED_RE.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  const m = LOCAL_RE.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const utc = Date.UTC(y, mo - 1, d, h, mi, se, ms);
  // Date.UTC rolls over (Feb 30 → Mar 2): a time that does not read back is not one.
  const back = new Date(utc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
  return utc - zoneOffsetMs;
}

/** A picture as sent: `data:image/jpeg;base64,…` or bare base64. */
function picture(v: unknown, max: number): { bytes?: Buffer; problem?: string } {
  if (v === undefined || v === null || v === '') return {};
  if (typeof v !== 'string') return { problem: 'pic is not a string' };
  const b64 = v.replace(/^data:image\/[a-z]+;base64,/i, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) return { problem: 'pic is not base64' };
  if ((b64.length / 4) * 3 > max + 3) return { problem: `pic larger than ${max >> 10} KiB` };
  const bytes = Buffer.from(b64, 'base64');
  if (!(bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)) return { problem: 'pic is not a JPEG' };
  return { bytes };
}

/**
 * Parses one uplink message. `kind` is the topic's last level (`Rec`, `Snap`, `Ack`,
 * `Card`, `QRCode`, `IDCard`, `basic`, `heartbeat`).
 */
export function parseUplink(
  kind: string,
  payload: Buffer,
  o: { zoneOffsetMs: number; maxPictureBytes: number },
): Uplink | Refused {
  if (payload.length > MAX_PAYLOAD_BYTES)
    return { reason: 'too_large', detail: `${payload.length} bytes > ${MAX_PAYLOAD_BYTES}` };
  let data: unknown;
  try {
    data = JSON.parse(payload.toString('utf8'));
  } catch {
    return { reason: 'not_json', detail: `${kind}: payload is not JSON` };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    return { reason: 'bad_field', detail: `${kind}: payload must be an object` };
  const m = data as Info;
  const operator = text(m.operator, 64);
  const info = (
    m.info && typeof m.info === 'object' && !Array.isArray(m.info) ? m.info : null
  ) as Info | null;
  const messageId = text(m.messageId, 128) ?? undefined;
  const fid = text(info?.facesluiceId, 64);
  const bad = (detail: string): Refused => ({
    reason: 'bad_field',
    detail: `${operator ?? kind}: ${detail}`,
  });
  if (!operator) return bad('operator missing');

  if (kind === BASIC || kind === HEARTBEAT) {
    if (!fid) return bad('info.facesluiceId missing');
    if (operator === OP.offline) return { kind: 'offline', facesluiceId: fid };
    const ts = parseTime(info?.time, o.zoneOffsetMs);
    if (operator === OP.heartbeat) return { kind: 'heartbeat', facesluiceId: fid, ts };
    if (operator === OP.online) {
      const firmware = text(info?.version ?? info?.VerNum ?? info?.SoftVersion, 64) ?? undefined;
      return {
        kind: 'online',
        facesluiceId: fid,
        ts,
        ...(firmware ? { firmware } : {}),
        ...(messageId ? { messageId } : {}),
      };
    }
    return bad(`unknown operator on ${kind}`);
  }
  if (kind === 'Ack') {
    // Acks carry `code` at the top ("200" even when persons failed) or inside info.
    const code = text(m.code ?? info?.code ?? info?.result, 32) ?? '';
    return {
      kind: 'ack',
      facesluiceId: fid,
      operator,
      ...(messageId ? { messageId } : {}),
      code,
      info: info ?? {},
    };
  }
  if (!info) return bad('info missing');
  const record = parseRecord(kind, info, o);
  if ('reason' in record) return { reason: record.reason, detail: `${operator}: ${record.detail}` };
  return { kind: 'record', facesluiceId: fid, ...(messageId ? { messageId } : {}), record };
}

function parseRecord(
  kind: string,
  info: Info,
  o: { zoneOffsetMs: number; maxPictureBytes: number },
): FaceRecord | Refused {
  const fail = (detail: string, reason: RejectReason = 'bad_field'): Refused => ({ reason, detail });
  const rawTime = info.time ?? info.Time ?? info.recordTime;
  if (rawTime === undefined) return fail('time missing');
  const ts = parseTime(rawTime, o.zoneOffsetMs);
  if (ts === null) return fail('time must be YYYY-MM-DD HH:mm:ss');
  const pic = picture(info.pic ?? info.Pic, o.maxPictureBytes);
  const base = {
    ts,
    resent: num(info.Sendintime) === 0,
    verifyStatus: num(info.VerifyStatus),
    named: text(info.personName ?? info.persionName, 64) !== null,
    ...(pic.bytes ? { picture: pic.bytes } : {}),
    ...(pic.problem ? { pictureProblem: pic.problem } : {}),
  };
  if (kind === 'Rec') {
    const id = text(info.RecordID ?? info.recordId);
    if (!id) return fail('RecordID missing', 'missing_id');
    const sim = num(info.similarity1 ?? info.similarity);
    if (sim === null || sim < 0 || sim > 100) return fail('similarity1 must be a number 0..100');
    const notRegistered = base.verifyStatus === 3;
    const custom = text(info.customId, 64);
    const own = text(info.personId, 64);
    // customId is what the gateway enrolled; a person enrolled by hand has only the
    // terminal's own personId (the gateway then finds nobody: unknown_person).
    const personId = notRegistered ? null : (custom ?? (own ? `terminal:${own}` : null));
    return {
      ...base,
      recordId: `rec-${id}`,
      ackId: id,
      ackType: 'record',
      credential: { type: 'face', personId, score: ratio(sim) },
    };
  }
  if (kind === 'Snap') {
    const id = text(info.SnapID ?? info.snapId);
    if (!id) return fail('SnapID missing', 'missing_id');
    const sim = num(info.similarity1 ?? info.similarity) ?? 0;
    return {
      ...base,
      recordId: `snap-${id}`,
      ackId: id,
      ackType: 'snap',
      credential: { type: 'face', personId: null, score: Math.min(1, Math.max(0, ratio(sim))) },
    };
  }
  const id = text(info.RecordID ?? info.recordId ?? info.SnapID);
  if (!id) return fail('RecordID missing', 'missing_id');
  if (kind === 'Card') {
    const card = text(info.CardNo ?? info.cardNum ?? info.CardNum ?? info.RFIDCard, 40);
    if (!card || !/^[0-9A-Fa-f]{4,32}$/.test(card)) return fail('card number must be 4–32 hex digits');
    return {
      ...base,
      recordId: `card-${id}`,
      ackId: id,
      ackType: 'other',
      credential: { type: 'card', uid: card },
    };
  }
  if (kind === 'QRCode') {
    const token = text(info.QRCodeInfo ?? info.qrcode ?? info.QRCode, 512);
    if (!token) return fail('QR code content missing');
    return {
      ...base,
      recordId: `qr-${id}`,
      ackId: id,
      ackType: 'other',
      credential: { type: 'qrcode', token },
    };
  }
  if (kind === 'IDCard') {
    const number = text(info.idCard ?? info.IDCardNo ?? info.IdNumber, 32);
    if (!number) return fail('ID number missing');
    return {
      ...base,
      recordId: `id-${id}`,
      ackId: id,
      ackType: 'other',
      credential: { type: 'idcard', number },
    };
  }
  return fail(`unknown topic ${kind} (expected one of ${UPLINK.join(', ')})`);
}
