import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { GatewayError } from '../../core/errors.js';

/**
 * Secrets live in their own file (style.md: "Secrets in their own file, never in logs"):
 * the per-estate key that hashes ID numbers, broker passwords, reader passwords.
 */
export interface Secrets {
  /** HMAC-SHA256 key for ID numbers, hex. Changing it orphans every stored hash. */
  idHashKey: string;
  mqtt?: { password?: string };
  upstream?: { password?: string; hmacKey?: string };
  /** Password at the district broker the roster comes from (issue 14). */
  rosterSync?: { password?: string };
  /** Digest password at the police VIID platform (GA/T 1400, issue 14). */
  viid?: { password?: string };
  /** Password of each reader at the embedded broker, by reader id. */
  readers: Record<string, string>;
  /**
   * The gateway's Ed25519 private key (PKCS #8 PEM): it signs the hand-over packages for
   * 城管 (issue 14). Generated once; its fingerprint is on every package's cover page.
   */
  signingKey?: string;
  /** API tokens for machine clients of the HTTP API (upstream, scripts). */
  api?: { tokens?: Array<{ name: string; token: string; role: 'viewer' | 'operator' | 'admin' }> };
  /** Camera logins by camera reader id (issue 13): ONVIF and the snapshot's Digest use them. */
  cameras?: Record<string, { username?: unknown; password?: unknown }>;
}

/** A camera's login from the secrets, when it is there and well-formed. */
export function cameraLogin(
  s: Secrets,
  readerId: string,
): { username: string; password: string } | undefined {
  const c = s.cameras?.[readerId];
  return typeof c?.username === 'string' && typeof c.password === 'string'
    ? { username: c.username, password: c.password }
    : undefined;
}

const HEADER =
  '# estate-gateway secrets. Mode 0600; never commit, never paste into tickets.\n' +
  '# idHashKey hashes residents’ ID numbers: keep it for the life of the estate.\n';

function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Loads the secrets file, creating it with fresh random values when it does not exist,
 * and adding a password for every reader id that has none. Returns what was generated
 * so the caller can log it (ids only, never values).
 */
export function loadSecrets(
  file: string,
  readerIds: readonly string[],
): { secrets: Secrets; generated: string[] } {
  const generated: string[] = [];
  let secrets: Secrets;
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new GatewayError('SECRETS_INVALID', `secrets file ${file} is not valid YAML`, {}, { cause: err });
    }
    const r = (raw ?? {}) as Partial<Secrets>;
    if (typeof r.idHashKey !== 'string' || !/^[0-9a-f]{32,}$/i.test(r.idHashKey)) {
      throw new GatewayError(
        'SECRETS_INVALID',
        `secrets file ${file}: idHashKey must be at least 32 hex digits`,
      );
    }
    secrets = { ...r, idHashKey: r.idHashKey, readers: { ...(r.readers ?? {}) } };
  } else {
    secrets = { idHashKey: randomBytes(32).toString('hex'), readers: {} };
    generated.push('idHashKey');
  }
  if (!secrets.upstream?.hmacKey) {
    secrets.upstream = { ...(secrets.upstream ?? {}), hmacKey: randomBytes(32).toString('hex') };
    generated.push('upstream.hmacKey');
  }
  if (!secrets.signingKey) {
    secrets.signingKey = generateKeyPairSync('ed25519')
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    generated.push('signingKey');
  }
  for (const id of readerIds) {
    if (!secrets.readers[id]) {
      secrets.readers[id] = randomSecret();
      generated.push(`readers.${id}`);
    }
  }
  if (generated.length > 0) saveSecrets(file, secrets);
  return { secrets, generated };
}

/** Writes the secrets file (mode 0600), e.g. after the demo added its simulated cameras' logins. */
export function saveSecrets(file: string, secrets: Secrets): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, HEADER + stringify(secrets), { mode: 0o600 });
  chmodSync(file, 0o600);
}
