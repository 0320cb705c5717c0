import type { Credential, DoorSignalKind } from '../../core/contracts.js';
import { parseDeviceTime } from '../http/device-time.js';
import { FieldError, intField, isObject, numberField, stringField, tryFields } from '../http/fields.js';
import { type CardFormat, cardUid, type Mapped, shortDigest } from '../http/mapped.js';
import type { RawDahuaEvent } from './codec.js';
import { DOOR_CODES, METHODS } from './constants.js';

/** Where one picture sits in the image part that follows a snap event. */
export interface ImageSlice {
  offset: number;
  length: number;
}

/** A Dahua event with its fields read (strings or numbers, as each firmware writes them). */
export interface DahuaEvent {
  code: string;
  action: string;
  index: number;
  /** On the terminal's clock, epoch ms. */
  time: number;
  userId: string | null;
  cardNo: string | null;
  method: number | null;
  status: number | null;
  similarity: number | null;
  /** The record number of the terminal's access log, when the firmware sends it. */
  recNo: number | null;
  door: number | null;
  images: ImageSlice[];
  data: Readonly<Record<string, unknown>>;
}

/** An event, or why its fields are refused. */
export type ParsedDahua =
  | { ok: true; event: DahuaEvent }
  | { ok: false; reason: 'bad_field'; detail: string };

/**
 * Reads an event's fields. Its time is `RealUTC` or `UTC` (epoch seconds), else the push's
 * local `Time` or a record's `CreateTime`, in the terminal's zone.
 */
export function readEvent(raw: RawDahuaEvent, zoneMinutes: number, pushTime?: string): ParsedDahua {
  const d = raw.data;
  const r = tryFields((): DahuaEvent => {
    const utc = intField(d, 'RealUTC') ?? intField(d, 'UTC') ?? intField(d, 'CreateTime');
    const time = utc !== undefined ? utc * 1000 : pushTime ? parseDeviceTime(pushTime, zoneMinutes) : null;
    if (time === null) throw new FieldError('UTC', 'present (or the push its Time)');
    const images = Array.isArray(d.ImageInfo)
      ? d.ImageInfo.filter(isObject).map((i, n) => ({
          offset: intField(i, 'Offset', `ImageInfo[${n}].Offset`) ?? 0,
          length: intField(i, 'Length', `ImageInfo[${n}].Length`) ?? 0,
        }))
      : [];
    const similarity = numberField(d, 'Similarity');
    // Method and Status are numbers in an access record; other events use Status for words ("Open").
    const access = raw.code === 'AccessControl';
    return {
      code: raw.code,
      action: raw.action,
      index: raw.index,
      time,
      userId: stringField(d, 'UserID', 'UserID', 64) ?? null,
      cardNo: stringField(d, 'CardNo', 'CardNo', 64) ?? null,
      method: access ? (intField(d, 'Method') ?? null) : null,
      status: access ? (intField(d, 'Status') ?? null) : null,
      similarity:
        similarity === undefined ? null : similarity > 1 ? Math.min(1, similarity / 100) : similarity,
      recNo: intField(d, 'RecNo') ?? null,
      door: intField(d, 'Door') ?? null,
      images,
      data: d,
    };
  });
  return r.ok ? { ok: true, event: r.value } : { ok: false, reason: 'bad_field', detail: r.detail };
}

/**
 * A record's identity, the same whichever way it came (stream, push, recordFinder): the
 * second and a digest of who did what where. RecNo is not in every stream, so it only moves
 * the catch-up cursor.
 */
export function recordIdOf(e: DahuaEvent): string {
  const second = Math.floor(e.time / 1000);
  return e.code === 'AccessControl'
    ? `${second}-${shortDigest(e.code, e.userId, e.cardNo, e.method, e.door)}`
    : `${second}-${shortDigest(e.code, e.action, e.index)}`;
}

/** What mapping needs besides the event. */
export interface DahuaMapContext {
  readerId: string;
  receivedAt: number;
  cardFormat: CardFormat;
  offline: boolean;
  image?: { mime: string; data: Buffer };
}

/** An event as the gateway takes it (constants.ts METHODS and DOOR_CODES). */
export function mapDahua(e: DahuaEvent, c: DahuaMapContext): Mapped {
  const recordId = recordIdOf(e);
  const door = (kind: DoorSignalKind): Mapped => ({
    kind: 'door',
    signal: {
      readerId: c.readerId,
      kind,
      ts: e.time,
      receivedAt: c.receivedAt,
      recordId,
      offline: c.offline,
      ...(e.door !== null ? { input: e.door } : {}),
    },
  });
  const doorCode = DOOR_CODES.get(e.code);
  if (doorCode) {
    const kind = doorCode(e.data, e.action);
    return kind ? door(kind) : { kind: 'note', name: `${e.code}/${e.action}` };
  }
  if (e.code !== 'AccessControl') return { kind: 'unknown', code: e.code.slice(0, 40) };
  const m = e.method === null ? undefined : METHODS.get(e.method);
  if (!m) return { kind: 'unknown', code: `AccessControl/Method=${e.method ?? 'none'}` };
  if (m.door) return door(m.door);
  if (!m.read) return { kind: 'note', name: m.name };
  let credential: Credential;
  const person = e.userId !== null && e.userId !== '' ? e.userId : null;
  switch (m.read) {
    case 'face':
      credential = { type: 'face', personId: person, score: e.similarity ?? (person ? 1 : 0) };
      break;
    case 'fingerprint':
      credential = { type: 'fingerprint', templateId: person };
      break;
    case 'card': {
      const uid = e.cardNo === null ? null : cardUid(e.cardNo, c.cardFormat);
      if (uid === null)
        return {
          kind: 'bad',
          reason: 'bad_field',
          detail: `CardNo missing or not a ${c.cardFormat} card number`,
        };
      credential = { type: 'card', uid };
      break;
    }
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

/** A recordFinder record as an AccessControl event (always history). */
export function recordEvent(rec: Readonly<Record<string, unknown>>, zoneMinutes: number): ParsedDahua {
  if (!isObject(rec)) return { ok: false, reason: 'bad_field', detail: 'record is not an object' };
  return readEvent({ code: 'AccessControl', action: 'Pulse', index: 0, data: rec }, zoneMinutes);
}
