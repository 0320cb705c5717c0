/**
 * Ed25519 signatures over a canonical JSON encoding (issue 14): the roster that comes down
 * from the district system, and the hand-over package the gateway signs for 城管. node:crypto
 * has Ed25519, so there is no dependency. Pure functions; keys are node KeyObjects.
 *
 * The canonical encoding follows RFC 8785 (JCS) for the JSON the payloads use: object
 * members sorted by their names' UTF-16 code units, no whitespace, strings and numbers as
 * ECMAScript's JSON.stringify writes them. So a message may be pretty-printed, re-ordered or
 * re-serialised on its way and still verify, while any change of a value does not.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as edSign,
  verify as edVerify,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/** Nesting depth a canonical value may have: a hostile message cannot exhaust the stack. */
export const MAX_CANONICAL_DEPTH = 64;

/** The signature block beside a signed payload. */
export interface Signature {
  alg: 'Ed25519';
  /** keyId() of the public key that verifies it. */
  keyId: string;
  /** The 64 signature bytes, base64. */
  sig: string;
}

/** A payload with its signature, as it travels. */
export interface Signed<T> {
  payload: T;
  signature: Signature;
}

/** Why a canonical encoding was refused. */
export class CanonicalError extends Error {}

/**
 * The canonical JSON text of a value (RFC 8785 for the types JSON has). Throws
 * CanonicalError on what JSON cannot carry exactly: non-finite numbers, undefined in an
 * array, functions, nesting deeper than MAX_CANONICAL_DEPTH.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(v: unknown, depth: number): string {
  if (depth > MAX_CANONICAL_DEPTH) throw new CanonicalError(`nested deeper than ${MAX_CANONICAL_DEPTH}`);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
    case 'string':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new CanonicalError('a number must be finite');
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) {
        return `[${v
          .map((x) => {
            if (x === undefined) throw new CanonicalError('undefined in an array');
            return encode(x, depth + 1);
          })
          .join(',')}]`;
      }
      const o = v as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is what RFC 8785 §3.2.3 asks.
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(o[k], depth + 1)}`).join(',')}}`;
    }
    default:
      throw new CanonicalError(`a ${typeof v} has no JSON form`);
  }
}

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' }) as { kty?: string; crv?: string; x?: string };
  if (jwk.crv !== 'Ed25519' || !jwk.x) throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** The short id of a public key as signatures name it: the first 16 hex digits of its SHA-256. */
export function keyId(key: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(key)).digest('hex').slice(0, 16);
}

/**
 * The fingerprint a person compares by eye (the hand-over cover page, `roster keygen`): the
 * whole SHA-256 of the raw public key, upper-case hex in groups of four.
 */
export function fingerprint(key: KeyObject): string {
  const hex = createHash('sha256').update(rawPublicKey(key)).digest('hex').toUpperCase();
  return hex.match(/.{4}/g)?.join(' ') ?? hex;
}

/**
 * A public key from its text form: the raw 32 bytes in base64 (how the config carries it),
 * or a PEM `PUBLIC KEY` block. Throws with a message fit for `check-config` otherwise.
 */
export function publicKeyFromText(text: string): KeyObject {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) {
    const k = createPublicKey(t);
    if (k.asymmetricKeyType !== 'ed25519') throw new Error('the PEM key is not Ed25519');
    return k;
  }
  if (!/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t))
    throw new Error('must be the 32-byte Ed25519 public key in base64 (44 characters) or a PEM block');
  const raw = Buffer.from(t, 'base64');
  if (raw.length !== 32) throw new Error(`decodes to ${raw.length} bytes, not 32`);
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** A private key from a PEM `PRIVATE KEY` block (PKCS #8) or its DER in base64. */
export function privateKeyFromText(text: string): KeyObject {
  const t = text.trim();
  const k = t.startsWith('-----BEGIN')
    ? createPrivateKey(t)
    : createPrivateKey({ key: Buffer.from(t, 'base64'), format: 'der', type: 'pkcs8' });
  if (k.asymmetricKeyType !== 'ed25519') throw new Error('the private key is not Ed25519');
  return k;
}

/** A new key pair: the private key as PEM (PKCS #8), the public key as config text (base64 raw). */
export function generateSigningKey(): { privatePem: string; publicText: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicText: rawPublicKey(publicKey).toString('base64'),
    keyId: keyId(publicKey),
  };
}

/** The public key of a private key, as config text. */
export function publicTextOf(key: KeyObject): string {
  return rawPublicKey(key).toString('base64');
}

/** Signs the canonical encoding of `payload`. */
export function signPayload<T>(payload: T, key: KeyObject): Signed<T> {
  const sig = edSign(null, Buffer.from(canonicalJson(payload), 'utf8'), key);
  return { payload, signature: { alg: 'Ed25519', keyId: keyId(key), sig: sig.toString('base64') } };
}

/** Signs raw bytes (a manifest file as written): the signature block for them. */
export function signBytes(bytes: Buffer, key: KeyObject): Signature {
  return { alg: 'Ed25519', keyId: keyId(key), sig: edSign(null, bytes, key).toString('base64') };
}

/** Checks a signature over raw bytes with one key. Never throws. */
export function verifyBytes(bytes: Buffer, signature: Signature, key: KeyObject): boolean {
  try {
    const sig = Buffer.from(signature.sig, 'base64');
    return sig.length === 64 && edVerify(null, bytes, key, sig);
  } catch {
    return false;
  }
}

/** Why a signed message did not verify. */
export type VerifyRefusal = 'unsigned' | 'unknown_key' | 'bad_signature' | 'malformed';

/**
 * Verifies a signed payload against the trusted keys (by key id: two during a rotation).
 * Total: any input gives the key that verified it or the reason it did not.
 */
export function verifyPayload(
  msg: unknown,
  trusted: ReadonlyMap<string, KeyObject>,
): { ok: true; keyId: string } | { ok: false; why: VerifyRefusal } {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return { ok: false, why: 'malformed' };
  const m = msg as { payload?: unknown; signature?: unknown };
  if (m.payload === undefined) return { ok: false, why: 'malformed' };
  const s = m.signature as Partial<Signature> | undefined;
  if (!s || typeof s !== 'object' || typeof s.sig !== 'string' || s.sig === '')
    return { ok: false, why: 'unsigned' };
  if (s.alg !== 'Ed25519' || typeof s.keyId !== 'string') return { ok: false, why: 'bad_signature' };
  const key = trusted.get(s.keyId);
  if (!key) return { ok: false, why: 'unknown_key' };
  let text: string;
  try {
    text = canonicalJson(m.payload);
  } catch {
    return { ok: false, why: 'malformed' };
  }
  return verifyBytes(Buffer.from(text, 'utf8'), s as Signature, key)
    ? { ok: true, keyId: s.keyId }
    : { ok: false, why: 'bad_signature' };
}
