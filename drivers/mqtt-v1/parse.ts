import { normalizeCardUid } from '../../core/card-uid.js';
import type { Credential, CredentialRead, ReaderStatus, RejectReason } from '../../core/contracts.js';
import { isIsoDate, parseIsoTime } from '../../core/time.js';
import type { DecodeResult } from '../types.js';
import {
  CREDENTIAL_TYPES,
  EMBEDDING_MAX_DIMS,
  EMBEDDING_MIN_DIMS,
  EMBEDDING_NORM_TOLERANCE,
  IMAGE_MIMES,
  MAX_EVENT_BYTES,
  MAX_RECORD_ID,
} from './constants.js';

/** A read, or why the input is not one: the registry's DecodeResult. */
export type ParseResult = DecodeResult;

class Bad extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(detail);
  }
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function obj(v: unknown, field: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new Bad('bad_field', `${field} must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, field: string, max = 256): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw new Bad('bad_field', `${field} must be a non-empty string (≤ ${max})`);
  return v;
}

function decodeBase64(s: unknown, field: string, reason: RejectReason): Buffer {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !BASE64_RE.test(s))
    throw new Bad(reason, `${field} is not valid base64`);
  return Buffer.from(s, 'base64');
}

/**
 * Parses an ISO time with zone into epoch ms. A time that does not exist (2026-02-30,
 * 24:00) is refused rather than rolled over into another day (issue 12 item 5).
 */
export function parseTime(v: unknown, field: string): number {
  if (typeof v !== 'string') throw new Bad('bad_field', `${field} must be an ISO 8601 time with a zone`);
  const t = parseIsoTime(v);
  if (t === null) throw new Bad('bad_field', `${field} must be an ISO 8601 time with a zone that exists`);
  return t;
}

function magicMatches(mime: string, b: Buffer): boolean {
  if (mime === 'image/jpeg') return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  if (mime === 'image/png') return b.length > 8 && b.readUInt32BE(0) === 0x89504e47;
  return b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP';
}

function embedding(v: unknown): Float32Array {
  const raw = decodeBase64(v, 'face.embedding', 'bad_field');
  const dims = raw.length / 4;
  if (!Number.isInteger(dims) || dims < EMBEDDING_MIN_DIMS || dims > EMBEDDING_MAX_DIMS) {
    throw new Bad(
      'bad_field',
      `face.embedding must hold ${EMBEDDING_MIN_DIMS}–${EMBEDDING_MAX_DIMS} float32 values`,
    );
  }
  const out = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const x = raw.readFloatLE(i * 4);
    if (!Number.isFinite(x)) throw new Bad('bad_field', 'face.embedding holds a non-finite value');
    out[i] = x;
    norm += x * x;
  }
  if (Math.abs(Math.sqrt(norm) - 1) > EMBEDDING_NORM_TOLERANCE)
    throw new Bad('bad_field', 'face.embedding must be unit length');
  return out;
}

function credential(e: Record<string, unknown>): Credential {
  const type = e.type;
  if (typeof type !== 'string' || !(CREDENTIAL_TYPES as readonly string[]).includes(type)) {
    throw new Bad('bad_field', `type must be one of ${CREDENTIAL_TYPES.join(', ')}`);
  }
  const c = obj(e[type], type);
  switch (type) {
    case 'face': {
      const personId = c.personId ?? null;
      if (
        personId !== null &&
        (typeof personId !== 'string' || personId.length === 0 || personId.length > 64)
      ) {
        throw new Bad('bad_field', 'face.personId must be a string or null');
      }
      if (typeof c.score !== 'number' || !(c.score >= 0 && c.score <= 1))
        throw new Bad('bad_field', 'face.score must be a number 0..1');
      if (c.liveness !== undefined && typeof c.liveness !== 'boolean')
        throw new Bad('bad_field', 'face.liveness must be boolean');
      const face: Credential = { type: 'face', personId, score: c.score };
      if (typeof c.liveness === 'boolean') face.liveness = c.liveness;
      if (c.embedding !== undefined && c.embedding !== null) face.embedding = embedding(c.embedding);
      if (c.strangerId !== undefined && c.strangerId !== null)
        face.strangerId = str(c.strangerId, 'face.strangerId', 64);
      return face;
    }
    case 'card': {
      const uid = normalizeCardUid(str(c.uid, 'card.uid', 64));
      if (!uid) throw new Bad('bad_field', 'card.uid must be 4–32 hex digits');
      return { type: 'card', uid };
    }
    case 'idcard': {
      const number = str(c.number, 'idcard.number', 32);
      const out: Credential = { type: 'idcard', number };
      if (c.name !== undefined) out.name = str(c.name, 'idcard.name', 64);
      if (c.validUntil !== undefined && c.validUntil !== null) {
        const v = str(c.validUntil, 'idcard.validUntil', 16);
        if (v === '长期') out.validUntil = null;
        else {
          const day = /^\d{8}$/.test(v) ? `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6)}` : v;
          if (!isIsoDate(day))
            throw new Bad('bad_field', 'idcard.validUntil must be a YYYY-MM-DD day or 长期');
          out.validUntil = day;
        }
      }
      return out;
    }
    case 'fingerprint': {
      const t = c.templateId ?? null;
      if (t !== null && typeof t !== 'string' && !(typeof t === 'number' && Number.isInteger(t) && t >= 0)) {
        throw new Bad('bad_field', 'fingerprint.templateId must be a string, a whole number or null');
      }
      if (c.score !== undefined && typeof c.score !== 'number')
        throw new Bad('bad_field', 'fingerprint.score must be a number');
      const out: Credential = { type: 'fingerprint', templateId: t === null ? null : String(t) };
      if (typeof c.score === 'number') out.score = c.score;
      return out;
    }
    default:
      return { type: 'qrcode', token: str(c.token, 'qrcode.token', 512) };
  }
}

/**
 * Parses a credential event payload of reader protocol v1. Pure and total: any input
 * gives either a read or a reject reason with a detail for the log, never an exception.
 */
export function parseEvent(readerId: string, payload: Buffer, receivedAt: number): ParseResult {
  try {
    if (payload.length > MAX_EVENT_BYTES)
      throw new Bad('too_large', `${payload.length} bytes > ${MAX_EVENT_BYTES}`);
    let data: unknown;
    try {
      data = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new Bad('not_json', 'payload is not JSON');
    }
    return parseEventObject(readerId, data, receivedAt);
  } catch (err) {
    if (err instanceof Bad) return { ok: false, reason: err.reason, detail: err.message };
    return { ok: false, reason: 'bad_field', detail: String(err) };
  }
}

/**
 * The checks of parseEvent on an event already parsed from JSON (replayed files carry
 * one event per line, issue 4). Total: a read or a reject reason, never an exception.
 */
export function parseEventObject(readerId: string, data: unknown, receivedAt: number): ParseResult {
  try {
    const e = obj(data, 'event');
    if (e.id === undefined || e.id === null || e.id === '') throw new Bad('missing_id', 'event has no id');
    if (typeof e.id !== 'string' || e.id.length > MAX_RECORD_ID)
      throw new Bad('bad_field', `id must be a string (≤ ${MAX_RECORD_ID})`);
    const ts = parseTime(e.ts, 'ts');
    const cred = credential(e);
    if (e.offline !== undefined && typeof e.offline !== 'boolean')
      throw new Bad('bad_field', 'offline must be boolean');
    const read: CredentialRead = {
      readerId,
      recordId: e.id,
      ts,
      receivedAt,
      credential: cred,
      offline: e.offline === true,
    };
    if (e.image !== undefined && e.image !== null) {
      const img = obj(e.image, 'image');
      const mime = img.mime;
      if (typeof mime !== 'string' || !(IMAGE_MIMES as readonly string[]).includes(mime)) {
        throw new Bad('bad_image', `image.mime must be one of ${IMAGE_MIMES.join(', ')}`);
      }
      const data = decodeBase64(img.data, 'image.data', 'bad_image');
      if (!magicMatches(mime, data)) throw new Bad('bad_image', `image.data is not ${mime}`);
      read.image = { mime, data };
    }
    return { ok: true, read };
  } catch (err) {
    if (err instanceof Bad) return { ok: false, reason: err.reason, detail: err.message };
    return { ok: false, reason: 'bad_field', detail: String(err) };
  }
}

/** Parses a status payload `{"online":bool,"ts"?:…,"firmware"?:…}`. */
export function parseStatus(payload: Buffer): ReaderStatus | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(payload.toString('utf8'));
  } catch {
    return { error: 'status is not JSON' };
  }
  if (!data || typeof data !== 'object' || typeof (data as { online?: unknown }).online !== 'boolean') {
    return { error: 'status must have a boolean online' };
  }
  const d = data as { online: boolean; ts?: unknown; firmware?: unknown };
  const s: ReaderStatus = { online: d.online };
  if (typeof d.ts === 'number' && Number.isFinite(d.ts)) s.ts = d.ts;
  else if (typeof d.ts === 'string') {
    try {
      s.ts = parseTime(d.ts, 'ts');
    } catch {
      return { error: 'status ts must be an ISO time with a zone or epoch ms' };
    }
  }
  if (typeof d.firmware === 'string') s.firmware = d.firmware.slice(0, 64);
  return s;
}
