import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
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
  /** Password of each reader at the embedded broker (or of its Digest-signed HTTP push), by reader id. */
  readers: Record<string, string>;
  /**
   * The gateway's login on each vendor terminal it calls (Hikvision ISAPI, Dahua CGI), by
   * reader id: the account the installer made on the terminal. Never generated: a guessed
   * password would only lock the terminal's account.
   */
  terminals?: Record<string, { username?: string; password: string }>;
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

/** Shortest API token accepted: a guessable token opens the whole API (issue 9 item 11). */
export const MIN_TOKEN_LENGTH = 32;

/** What loading found and did besides reading: values generated, a mode corrected. */
export interface SecretsLoad {
  secrets: Secrets;
  /** Names (never values) of what was generated and written. */
  generated: string[];
  /** The mode the file had when group or others could read it (it is 0600 now), else null. */
  modeFixed: string | null;
}

/**
 * Writes the secrets atomically (issue 9 item 11): a new file (0600, created exclusively)
 * in the same folder, fsynced, renamed over the old one, the folder fsynced. A crash
 * leaves the old file or the new one, never a torn one that lost the ID-hash key.
 */
export function writeSecretsFile(file: string, secrets: Secrets): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, HEADER + stringify(secrets));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
  const dir = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Problems of the API tokens: too short, or two alike. */
function tokenProblem(file: string, s: Secrets): string | null {
  const tokens = s.api?.tokens ?? [];
  for (const t of tokens) {
    if (typeof t?.token !== 'string' || t.token.length < MIN_TOKEN_LENGTH)
      return `secrets file ${file}: api token "${String(t?.name)}" must have at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 24)`;
  }
  if (new Set(tokens.map((t) => t.token)).size !== tokens.length)
    return `secrets file ${file}: two api tokens are the same`;
  return null;
}

/**
 * Loads the secrets file, creating it with fresh random values when it does not exist,
 * and adding a password for every reader id that has none. A file that group or others
 * may read has its mode corrected to 0600 (reported in `modeFixed`); where that is not
 * possible (a read-only /etc) loading fails. Returns what was generated so the caller can
 * log it (names only, never values).
 */
export function loadSecrets(file: string, readerIds: readonly string[]): SecretsLoad {
  const generated: string[] = [];
  let modeFixed: string | null = null;
  let secrets: Secrets;
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      try {
        chmodSync(file, 0o600);
      } catch (err) {
        throw new GatewayError(
          'SECRETS_MODE',
          `secrets file ${file} is readable by group or others (mode ${mode.toString(8)}) and its mode cannot be fixed: chmod 600 it`,
          {},
          { cause: err },
        );
      }
      modeFixed = mode.toString(8).padStart(4, '0');
    }
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
    checkTerminals(file, r.terminals);
    secrets = { ...r, idHashKey: r.idHashKey, readers: { ...(r.readers ?? {}) } };
    const bad = tokenProblem(file, secrets);
    if (bad) throw new GatewayError('SECRETS_INVALID', bad);
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
  if (generated.length > 0) {
    try {
      writeSecretsFile(file, secrets);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EROFS' || e.code === 'EACCES' || e.code === 'EPERM')
        throw new GatewayError(
          'SECRETS_READONLY',
          `secrets file ${file} lacks ${generated.join(', ')} and cannot be written here (${e.code}): run \`estate-gateway init --config <config>\` as root first`,
          { generated },
          { cause: err },
        );
      throw err;
    }
  }
  return { secrets, generated, modeFixed };
}

/** `terminals.{id}` must each hold a password (and may hold a user name): said by path, never by value. */
function checkTerminals(file: string, t: unknown): void {
  if (t === undefined || t === null) return;
  if (typeof t !== 'object' || Array.isArray(t))
    throw new GatewayError(
      'SECRETS_INVALID',
      `secrets file ${file}: terminals must be a map of reader id to login`,
    );
  for (const [id, login] of Object.entries(t)) {
    const l = login as { username?: unknown; password?: unknown } | null;
    if (typeof l?.password !== 'string' || l.password.length === 0)
      throw new GatewayError(
        'SECRETS_INVALID',
        `secrets file ${file}: terminals.${id}.password must be a non-empty string`,
      );
    if (l.username !== undefined && (typeof l.username !== 'string' || l.username.length === 0))
      throw new GatewayError(
        'SECRETS_INVALID',
        `secrets file ${file}: terminals.${id}.username must be a non-empty string`,
      );
  }
}
