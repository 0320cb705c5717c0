/**
 * The simulated district system's roster key (issue 14). Derived from the simulation seed so
 * that config/default.yaml can trust its public key: a demo key, published in the repository
 * and worth nothing — a real district system makes its own with `estate-gateway roster keygen`.
 */
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';

/** The PKCS #8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The demo district key of a simulation seed. */
export function demoDistrictKey(seed: number): KeyObject {
  const raw = createHash('sha256').update(`estate-gateway demo district roster key ${seed}`).digest();
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, raw]), format: 'der', type: 'pkcs8' });
}
