import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signatures of an HTTPS batch to the upstream (design.md §7, docs/upstream.md). The
 * original signature covers the body only, so a captured request could be sent again at
 * any time; the upstream deduplicates by event id, but a replay still costs it work and
 * says "the gateway is alive". Since issue 9 every request also carries its time and a
 * second signature over time and body: a receiver that checks it refuses requests older
 * (or newer) than the skew it allows. Both gateway and simulator use this module.
 */

/** HMAC-SHA256 of the exact body: `sha256=<hex>` (kept for receivers that check only this). */
export const SIGNATURE_HEADER = 'x-estate-signature';
/** When the request was signed: Unix seconds. */
export const TIMESTAMP_HEADER = 'x-estate-timestamp';
/** HMAC-SHA256 of `{timestamp}.{body}`: `sha256=<hex>`. */
export const SIGNATURE_V2_HEADER = 'x-estate-signature-v2';
/** The skew a receiver should allow between the gateway's clock and its own. */
export const MAX_SKEW_MS = 300_000;

/** The value of the body-only signature header. */
export function signBody(key: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/** The value of the timestamped signature header for `ts` (Unix seconds). */
export function signTimestamped(key: string, ts: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', key).update(`${ts}.`).update(body).digest('hex')}`;
}

/** Every signature header of a request signed now. */
export function signatureHeaders(key: string, body: string, nowMs: number): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return {
    [SIGNATURE_HEADER]: signBody(key, body),
    [TIMESTAMP_HEADER]: String(ts),
    [SIGNATURE_V2_HEADER]: signTimestamped(key, ts, body),
  };
}

/** Why a request's timestamped signature was refused, or 'ok'. */
export type SignatureCheck = 'ok' | 'missing' | 'bad_signature' | 'stale';

function same(header: string, want: string): boolean {
  const a = Buffer.from(header);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks the timestamped signature (constant time) and that its time is within `maxSkewMs`
 * of `nowMs`: what a receiver runs on every request.
 */
export function verifyTimestamped(
  key: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  nowMs: number,
  maxSkewMs = MAX_SKEW_MS,
): SignatureCheck {
  const ts = headers[TIMESTAMP_HEADER];
  const sig = headers[SIGNATURE_V2_HEADER];
  if (typeof ts !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(ts)) return 'missing';
  if (!same(sig, signTimestamped(key, Number(ts), body))) return 'bad_signature';
  return Math.abs(nowMs - Number(ts) * 1000) > maxSkewMs ? 'stale' : 'ok';
}
