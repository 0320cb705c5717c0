import { createHash } from 'node:crypto';
import { normalizeCardUid } from '../../core/card-uid.js';
import type { CredentialRead, DoorSignal, RejectReason } from '../../core/contracts.js';

/**
 * What one terminal record became for the gateway: a credential read, a door signal, a
 * known event with nothing for the pipeline (counted by name), an event code the driver does
 * not know (counted and logged, never dropped silently), or bad input.
 */
export type Mapped =
  | { kind: 'read'; read: CredentialRead }
  | { kind: 'door'; signal: DoorSignal }
  | { kind: 'note'; name: string }
  | { kind: 'unknown'; code: string }
  | { kind: 'bad'; reason: RejectReason; detail: string };

/** How a terminal writes card numbers: MinMoe and Dahua show the UID as a decimal number by default. */
export type CardFormat = 'decimal' | 'hex';

/**
 * A terminal's card number as the roster's UID (upper-case hex, core/card-uid.ts), or null
 * when it is no number of that format. Decimal numbers become hex of at least 8 digits
 * (a 32-bit UID), an even count.
 */
export function cardUid(cardNo: string, format: CardFormat): string | null {
  const s = cardNo.trim();
  if (format === 'hex') return normalizeCardUid(s);
  if (!/^\d{1,38}$/.test(s)) return null;
  let hex = BigInt(s).toString(16).toUpperCase();
  if (hex.length < 8) hex = hex.padStart(8, '0');
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return normalizeCardUid(hex);
}

/** The roster's hex UID as the terminal writes it (the inverse of cardUid). */
export function terminalCardNo(uid: string, format: CardFormat): string {
  return format === 'hex' ? uid.toUpperCase() : BigInt(`0x${uid}`).toString(10);
}

/** A short digest for record ids that must not carry a card number or a person id in clear. */
export function shortDigest(...parts: Array<string | number | null>): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 10);
}

/** True when the bytes start like a JPEG (SOI marker FF D8 FF). */
export function looksLikeJpeg(b: Buffer): boolean {
  return b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}
