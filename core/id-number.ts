import { createHmac } from 'node:crypto';

/** GB 11643-1999 weights for the first 17 digits. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Check character for each value of the weighted sum mod 11. */
const CHECK = '10X98765432';

/** The check character (0-9 or X) of the first 17 digits of an ID number. */
export function checkDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK[sum % 11] ?? '?';
}

export type IdNumberProblem = 'format' | 'check_digit' | 'birth_date';

/**
 * Validates an 18-character resident ID number (GB 11643): digits, a plausible birth
 * date, and the mod-11 check character. Returns null when valid.
 */
export function idNumberProblem(raw: string): IdNumberProblem | null {
  const n = normalizeIdNumber(raw);
  if (!/^\d{17}[\dX]$/.test(n)) return 'format';
  const y = Number(n.slice(6, 10));
  const m = Number(n.slice(10, 12));
  const d = Number(n.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return 'birth_date';
  if (checkDigit(n) !== n[17]) return 'check_digit';
  return null;
}

/** Upper-cases a trailing x and strips spaces: people type ID numbers both ways. */
export function normalizeIdNumber(raw: string): string {
  return raw.replace(/\s+/g, '').toUpperCase();
}

/** Keyed hash used for matching: HMAC-SHA256 with the estate key, hex. */
export function hashIdNumber(key: string, raw: string): string {
  return createHmac('sha256', Buffer.from(key, 'hex')).update(normalizeIdNumber(raw)).digest('hex');
}

/** Display form: first three and last four characters, e.g. 310***********1234. */
export function maskIdNumber(raw: string): string {
  const n = normalizeIdNumber(raw);
  if (n.length < 8) return '*'.repeat(n.length);
  return `${n.slice(0, 3)}${'*'.repeat(n.length - 7)}${n.slice(-4)}`;
}

/** Masked name for viewer accounts: 张三 → 张*, 欧阳娜娜 → 欧***. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Masked phone: 13812345678 → 138****5678. */
export function maskPhone(phone: string): string {
  const p = phone.replace(/\D/g, '');
  if (p.length < 7) return '*'.repeat(p.length);
  return `${p.slice(0, 3)}${'*'.repeat(p.length - 7)}${p.slice(-4)}`;
}
