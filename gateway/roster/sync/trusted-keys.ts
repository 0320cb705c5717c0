import type { KeyObject } from 'node:crypto';
import { keyId, publicKeyFromText } from '../../../core/signing.js';

/** An upstream key the gateway trusts, with the name the installer gave it. */
export interface TrustedKey {
  id: string;
  label: string;
  key: KeyObject;
}

/**
 * The configured roster keys by key id (config rosterSync.publicKeys: one, or two during a
 * changeover). The config check has already refused keys that do not decode.
 */
export function trustedKeys(keys: ReadonlyArray<{ key: string; label: string }>): Map<string, TrustedKey> {
  const out = new Map<string, TrustedKey>();
  for (const k of keys) {
    const key = publicKeyFromText(k.key);
    const id = keyId(key);
    out.set(id, { id, label: k.label, key });
  }
  return out;
}
