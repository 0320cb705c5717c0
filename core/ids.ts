import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Time-ordered unique id: `{prefix}-{ms base32, 10}{random, 10}` (ULID-like, lower case).
 * Sorts by creation time, which keeps alert lists and outbox ids readable.
 */
export function newId(prefix: string, now: number): string {
  let t = '';
  let ms = now;
  for (let i = 0; i < 10; i++) {
    t = ALPHABET[ms % 32] + t;
    ms = Math.floor(ms / 32);
  }
  const rnd = randomBytes(10);
  let r = '';
  for (const b of rnd) r += ALPHABET[b % 32];
  return `${prefix}-${t}${r}`;
}
