import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  openRosterMessage,
  type RosterChanges,
  type RosterDocument,
  signDelta,
  signSnapshot,
} from '../core/roster-message.js';
import {
  fingerprint,
  generateSigningKey,
  keyId,
  privateKeyFromText,
  publicKeyFromText,
} from '../core/signing.js';
import { rosterRows } from '../gateway/roster/sync/apply.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';

/**
 * The upstream side of the signed roster (issue 14), and its check: `roster keygen` makes the
 * district system's key pair, `roster sign` turns a roster file into a signed snapshot (or a
 * changes file into a delta), `roster verify` checks a signed message as a gateway would —
 * signature against the configured keys (or --pubkey), estate, framing and every row by the
 * import rules — without touching any database.
 */
export function rosterSignCommand(sub: 'keygen' | 'sign' | 'verify', argv: string[]): number {
  if (sub === 'keygen') return keygen(argv);
  if (sub === 'sign') return sign(argv);
  return verify(argv);
}

function keygen(argv: string[]): number {
  const { values } = parse(argv, { out: { type: 'string' } });
  if (!values.out) throw new UsageError('expected: roster keygen --out FILE');
  if (existsSync(values.out)) {
    console.error(`${values.out} exists: not overwritten (a key in use must be rotated, not replaced)`);
    return 1;
  }
  const k = generateSigningKey();
  mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
  writeFileSync(values.out, k.privatePem, { mode: 0o600 });
  chmodSync(values.out, 0o600);
  const pub = publicKeyFromText(k.publicText);
  console.log(
    [
      `private key written to ${values.out} (mode 0600): keep it at the district system, never on a gateway`,
      '',
      'gateway config (rosterSync.publicKeys):',
      `  - key: ${k.publicText}`,
      '    label: <name of this key>',
      '',
      `key id       ${k.keyId}`,
      `fingerprint  ${fingerprint(pub)}`,
    ].join('\n'),
  );
  return 0;
}

function sign(argv: string[]): number {
  const { values } = parse(argv, {
    key: { type: 'string' },
    estate: { type: 'string' },
    version: { type: 'string' },
    snapshot: { type: 'string' },
    delta: { type: 'string' },
    out: { type: 'string' },
  });
  const version = Number(values.version);
  if (!values.key || !values.estate || !values.version)
    throw new UsageError(
      'expected: roster sign --key FILE --estate ID --version N (--snapshot ROSTER.json | --delta CHANGES.json)',
    );
  if (!Number.isSafeInteger(version) || version < 1)
    throw new UsageError('--version must be a positive integer');
  if (Boolean(values.snapshot) === Boolean(values.delta))
    throw new UsageError('give one of --snapshot ROSTER.json or --delta CHANGES.json');
  const key = privateKeyFromText(readFileSync(values.key, 'utf8'));
  const issuer = { estate: values.estate, key };
  const input = JSON.parse(readFileSync((values.snapshot ?? values.delta) as string, 'utf8')) as unknown;
  if (values.delta && version < 2)
    throw new UsageError('a delta has --version 2 or more (it applies to version - 1)');
  const msg = values.snapshot
    ? signSnapshot(issuer, version, input as RosterDocument)
    : signDelta(issuer, version, input as RosterChanges);
  // Checked as a gateway will check it, before it leaves: a signed bad roster helps nobody.
  const problem = rowsProblem(
    msg.payload.kind === 'snapshot' ? msg.payload.roster : msg.payload.changes?.upsert,
  );
  if (problem) {
    console.error(`not signed: ${problem}`);
    return 1;
  }
  const text = `${JSON.stringify(msg)}\n`;
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
  if (values.out)
    console.error(
      `${msg.payload.kind} ${version} for ${values.estate} signed by ${keyId(key)} → ${values.out}`,
    );
  return 0;
}

function verify(argv: string[]): number {
  const { values, positionals } = parse(
    argv,
    { config: { type: 'string', short: 'c' }, pubkey: { type: 'string', multiple: true } },
    true,
  );
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0)
    throw new UsageError('expected: roster verify FILE [--pubkey KEY] [--config FILE]');
  const cfg = values.pubkey?.length ? null : loadOrExit(values.config ?? defaultConfigPath()).config;
  const keys = new Map(
    (values.pubkey ?? cfg?.rosterSync.publicKeys.map((k) => k.key) ?? []).map((text) => {
      const k = publicKeyFromText(text);
      return [keyId(k), k] as const;
    }),
  );
  if (keys.size === 0) {
    console.error('no key to verify with: give --pubkey or configure rosterSync.publicKeys');
    return 1;
  }
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    console.error(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return 1;
  }
  const opened = openRosterMessage(raw, keys, 256 * 1024 * 1024);
  if (!opened.ok) {
    console.error(`${file}: REFUSED (${opened.why}): ${opened.detail}`);
    return 1;
  }
  const p = opened.message.payload;
  if (cfg && p.estate !== cfg.estate.id) {
    console.error(
      `${file}: REFUSED (wrong_estate): for estate ${p.estate}, this gateway is ${cfg.estate.id}`,
    );
    return 1;
  }
  const problem = rowsProblem(p.kind === 'snapshot' ? p.roster : p.changes?.upsert);
  if (problem) {
    console.error(`${file}: REFUSED (invalid_roster): ${problem}`);
    return 1;
  }
  const label = cfg?.rosterSync.publicKeys.find(
    (k) => keyId(publicKeyFromText(k.key)) === opened.message.keyId,
  )?.label;
  const what =
    p.kind === 'snapshot'
      ? `${p.roster?.households.length ?? 0} households`
      : p.kind === 'delta'
        ? `${p.changes?.upsert?.households.length ?? 0} households written, ${p.changes?.moveOut?.length ?? 0} residents moved out, ${p.changes?.terminate?.length ?? 0} households terminated`
        : `snapshot ${p.snapshot?.version}`;
  console.log(
    `${file}: OK — ${p.kind} version ${p.version}${p.kind === 'delta' ? ` (after ${p.base})` : ''} for estate ${p.estate}, ${what}; signed by ${opened.message.keyId}${label ? ` (${label})` : ''}, issued ${p.issuedAt}; digest ${opened.message.digest}`,
  );
  return 0;
}

/** The rows of a roster document checked by the import rules (a throwaway hash key: nothing is kept). */
function rowsProblem(doc: RosterDocument | undefined): string | null {
  if (!doc) return null;
  try {
    rosterRows(doc, randomBytes(32).toString('hex'));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
