import { randomBytes, randomInt, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * scrypt parameters: N = 2^15, r = 8, p = 3 (OWASP's equivalent of N = 2^17, p = 1; issue
 * 9 item 2). The work is three times that of p = 1, while the memory stays 32 MiB per hash
 * (OpenSSL runs the p lanes one after another): four logins at once on libuv's four
 * threads cost 128 MiB, not the 512 MiB of N = 2^17 — an edge box has little to spare.
 * They are stored in every hash, so older hashes still verify and are replaced at the
 * next login (needsRehash).
 */
const N = 1 << 15;
const R = 8;
const P = 3;
const KEYLEN = 32;

/** Shortest password accepted for a dashboard account. */
export const MIN_PASSWORD_LENGTH = 10;

function derive(password: string, salt: Buffer, o: ScryptOptions & { N: number; r: number }) {
  return new Promise<Buffer>((resolve, reject) => {
    // maxmem: scrypt needs 128·N·r bytes; twice that leaves OpenSSL its slack.
    scrypt(password.normalize('NFC'), salt, KEYLEN, { ...o, maxmem: 256 * o.N * o.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url parts). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Checks a password against a stored hash in constant time; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64url');
  const got = await derive(password, Buffer.from(salt, 'base64url'), { N: +n, r: +r, p: +p });
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * True when a stored hash was made with weaker parameters than today's (or is not a
 * scrypt hash at all): the password, just verified, is hashed again.
 */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$');
  if (scheme !== 'scrypt') return true;
  return Number(n) * Number(r) * Number(p) < N * R * P || Number(n) * Number(r) < N * R;
}

/** A hash of nothing, verified when the user does not exist so both cases take as long. */
let dummy: Promise<string> | null = null;
/** Spends the time of one verification (unknown user names must not answer faster). */
export async function verifyDummy(password: string): Promise<void> {
  dummy ??= hashPassword(randomBytes(12).toString('hex'));
  await verifyPassword(password, await dummy);
}

/** Letters and digits without look-alikes (0/O, 1/l/I): passwords are read off a screen. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password of four groups of four, e.g. `k7Rm-q2Wd-…` (about 90 bits). */
export function generatePassword(): string {
  const groups: string[] = [];
  for (let g = 0; g < 4; g++) {
    let s = '';
    for (let i = 0; i < 4; i++) s += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(s);
  }
  return groups.join('-');
}

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    return `password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 256) return 'password must have at most 256 characters';
  return null;
}
