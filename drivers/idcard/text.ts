import { createHash } from 'node:crypto';
import { GatewayError } from '../../core/errors.js';
import { normalizeIdNumber } from '../../core/id-number.js';
import {
  FINGERPRINT_BYTES,
  KIND_MARK_OFFSET,
  NATIONS,
  OTHER_CARD_KINDS,
  OTHER_NATIONS,
  PHOTO_BYTES,
  SEXES,
  TEXT_BYTES,
  TEXT_FIELDS,
  VALID_FOREVER,
} from './constants.js';

/** The decoded text block of a resident ID card (居民身份证). */
export interface IdCardText {
  name: string;
  sex: 'male' | 'female';
  /** GB 3304 code, e.g. '01'. */
  nationCode: string;
  /** e.g. '汉'. */
  nation: string;
  /** YYYY-MM-DD. */
  birth: string;
  address: string;
  /**
   * As the card carries it (spaces removed, x upper-cased), not checked here: the pipeline
   * judges it (GB 11643, `invalid_id_number`) as it does for a number read over MQTT.
   */
  number: string;
  authority: string;
  /** YYYY-MM-DD. */
  validFrom: string;
  /** YYYY-MM-DD, or null for 长期. */
  validUntil: string | null;
}

/** A whole card as read: text, the photo's SHA-256 (the wlt photo itself is not kept). */
export interface IdCardRead extends IdCardText {
  photoSha256: string;
}

/** A field's text without its padding (spaces; some writers pad with NUL or U+3000). */
function field(block: Buffer, [off, len]: readonly [number, number]): string {
  const s = block.toString('utf16le', off, off + len);
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) <= 0x20 || s.charCodeAt(end - 1) === 0x3000)) end--;
  return s.slice(0, end);
}

/**
 * Decodes the 256-byte UCS-2 LE text block. Throws IDCARD_KIND for other card kinds
 * (they reuse the block with other layouts) and IDCARD_FIELD for a field that is not what
 * the layout says (a sex or nation code, a date): such bytes are no text block, better
 * refused than misread. The ID number is reported as read: drivers report, the pipeline
 * judges (issue 8: a card with a bad check digit was never journaled at a serial reader).
 */
export function decodeText(block: Buffer): IdCardText {
  if (block.length !== TEXT_BYTES)
    throw fieldError('text', `block is ${block.length} bytes, not ${TEXT_BYTES}`);
  const mark = block.toString('utf16le', KIND_MARK_OFFSET, KIND_MARK_OFFSET + 2);
  const other = OTHER_CARD_KINDS[mark];
  if (other) throw new GatewayError('IDCARD_KIND', `not a resident ID card: ${other}`, { mark });
  const f = (k: keyof typeof TEXT_FIELDS) => field(block, TEXT_FIELDS[k]);
  const sex = SEXES[f('sex')];
  if (!sex) throw fieldError('sex', 'code is neither 1 nor 2');
  const nationCode = f('nation');
  const nation = /^\d{2}$/.test(nationCode)
    ? (NATIONS[Number(nationCode) - 1] ?? OTHER_NATIONS[nationCode])
    : undefined;
  if (!nation) throw fieldError('nation', 'not a GB 3304 code');
  const number = normalizeIdNumber(f('number'));
  const birth = date(f('birth'), 'birth');
  const name = f('name');
  if (name.length === 0) throw fieldError('name', 'empty');
  const to = f('validTo');
  return {
    name,
    sex,
    nationCode,
    nation,
    birth,
    address: f('address'),
    number,
    authority: f('authority'),
    validFrom: date(f('validFrom'), 'validFrom'),
    validUntil: to === VALID_FOREVER ? null : date(to, 'validTo'),
  };
}

/** Encodes a text block (simulator and fixtures): each field UCS-2 LE, space padded. */
export function encodeText(t: IdCardText, kindMark = ' '): Buffer {
  const block = Buffer.alloc(TEXT_BYTES);
  const put = ([off, len]: readonly [number, number], s: string) => {
    block.write(s.padEnd(len / 2, ' ').slice(0, len / 2), off, len, 'utf16le');
  };
  const compact = (d: string | null) => (d === null ? VALID_FOREVER : d.replace(/-/g, ''));
  put(TEXT_FIELDS.name, t.name);
  put(TEXT_FIELDS.sex, t.sex === 'male' ? '1' : '2');
  put(TEXT_FIELDS.nation, t.nationCode);
  put(TEXT_FIELDS.birth, compact(t.birth));
  put(TEXT_FIELDS.address, t.address);
  put(TEXT_FIELDS.number, t.number);
  put(TEXT_FIELDS.authority, t.authority);
  put(TEXT_FIELDS.validFrom, compact(t.validFrom));
  put(TEXT_FIELDS.validTo, compact(t.validUntil));
  put(TEXT_FIELDS.reserved, '');
  block.write(kindMark, KIND_MARK_OFFSET, 2, 'utf16le');
  return block;
}

/**
 * Splits the data of a read reply (30 01: text length, photo length, blocks; 30 10: a
 * third length and the fingerprint block) and decodes the text.
 */
export function decodeReadData(data: Buffer, withFingerprint = false): IdCardRead {
  const heads = withFingerprint ? 3 : 2;
  if (data.length < heads * 2) throw new GatewayError('FRAME_LENGTH', 'read reply without block lengths');
  const textLen = data.readUInt16BE(0);
  const photoLen = data.readUInt16BE(2);
  const fpLen = withFingerprint ? data.readUInt16BE(4) : 0;
  const start = heads * 2;
  if (textLen !== TEXT_BYTES || photoLen !== PHOTO_BYTES || (withFingerprint && fpLen > FINGERPRINT_BYTES)) {
    throw new GatewayError('FRAME_LENGTH', 'unexpected block lengths', { textLen, photoLen, fpLen });
  }
  if (data.length !== start + textLen + photoLen + fpLen) {
    throw new GatewayError('FRAME_LENGTH', 'block lengths do not add up to the reply', { have: data.length });
  }
  const text = decodeText(data.subarray(start, start + textLen));
  const photo = data.subarray(start + textLen, start + textLen + photoLen);
  return { ...text, photoSha256: createHash('sha256').update(photo).digest('hex') };
}

/** Builds the data of a 30 01 read reply (simulator). */
export function encodeReadData(text: Buffer, photo: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(text.length, 0);
  head.writeUInt16BE(photo.length, 2);
  return Buffer.concat([head, text, photo]);
}

/** True when a card valid until `validUntil` (a China-local date) has expired at `nowMs`. */
export function isExpired(validUntil: string | null, nowMs: number): boolean {
  if (validUntil === null) return false;
  const today = new Date(nowMs + 8 * 3_600_000).toISOString().slice(0, 10); // UTC+8, no DST
  return validUntil < today;
}

function date(s: string, name: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) throw fieldError(name, 'not a YYYYMMDD date');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) throw fieldError(name, 'not a calendar date');
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function fieldError(name: string, why: string): GatewayError {
  return new GatewayError('IDCARD_FIELD', `text block field ${name}: ${why}`, { field: name });
}
