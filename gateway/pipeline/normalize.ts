import type { CredentialKind } from '../../core/codes.js';
import type { CredentialRead, CredentialType } from '../../core/contracts.js';
import {
  hashIdNumber,
  type IdNumberProblem,
  idNumberProblem,
  maskIdNumber,
  normalizeIdNumber,
} from '../../core/id-number.js';
import { localDate } from '../../core/time.js';

/** A read after the protocol-neutral checks: times corrected, ID number hashed, flags set. */
export interface NormalizedRead {
  readerId: string;
  recordId: string;
  doorId: string;
  direction: 'in' | 'out';
  type: CredentialType;
  /** Event time on the gateway clock: reader time plus the reader's observed offset. */
  ts: number;
  readerTs: number;
  receivedAt: number;
  /** Roster lookup kind and key; null when the credential carries no identity (a stranger). */
  kind: CredentialKind;
  key: string | null;
  score: number | null;
  liveness: boolean | null;
  offline: boolean;
  /** A live read that arrived too late to answer. */
  stale: boolean;
  strangerId: string | null;
  idMasked: string | null;
  idProblem: IdNumberProblem | null;
  idExpired: boolean;
  embedding: Float32Array | null;
}

export interface NormalizeOptions {
  staleAfterMs: number;
  maxFutureMs: number;
  idHashKey: string;
}

export type NormalizeResult =
  | { ok: true; read: NormalizedRead }
  | { ok: false; reason: 'future_ts'; detail: string };

/**
 * Pure: turns a driver's read into what the pipeline checks. `offsetMs` is the reader's
 * observed clock offset (gateway time minus reader time), so a terminal whose clock
 * drifts is judged against itself, not against the gateway (design.md §5).
 */
export function normalize(
  read: CredentialRead,
  reader: { doorId: string; direction: 'in' | 'out' },
  offsetMs: number,
  opts: NormalizeOptions,
): NormalizeResult {
  if (read.ts - read.receivedAt > opts.maxFutureMs) {
    return {
      ok: false,
      reason: 'future_ts',
      detail: `event time is ${Math.round((read.ts - read.receivedAt) / 1000)} s ahead of the gateway`,
    };
  }
  const ts = read.ts + offsetMs;
  const lag = read.receivedAt - ts;
  const c = read.credential;
  const n: NormalizedRead = {
    readerId: read.readerId,
    recordId: read.recordId,
    doorId: reader.doorId,
    direction: reader.direction,
    type: c.type,
    ts,
    readerTs: read.ts,
    receivedAt: read.receivedAt,
    kind: c.type,
    key: null,
    score: null,
    liveness: null,
    offline: read.offline,
    stale: !read.offline && lag > opts.staleAfterMs,
    strangerId: null,
    idMasked: null,
    idProblem: null,
    idExpired: false,
    embedding: null,
  };
  switch (c.type) {
    case 'face':
      n.key = c.personId;
      n.score = c.score;
      n.liveness = c.liveness ?? null;
      n.strangerId = c.strangerId ?? null;
      n.embedding = c.embedding ?? null;
      break;
    case 'card':
      n.key = c.uid;
      break;
    case 'idcard': {
      n.idProblem = idNumberProblem(c.number);
      n.idMasked = maskIdNumber(normalizeIdNumber(c.number));
      if (!n.idProblem) n.key = hashIdNumber(opts.idHashKey, c.number);
      n.idExpired = typeof c.validUntil === 'string' && c.validUntil < localDate(ts);
      break;
    }
    case 'fingerprint':
      n.key = c.templateId;
      n.score = c.score ?? null;
      break;
    case 'qrcode':
      n.key = c.token;
      break;
  }
  return { ok: true, read: n };
}
