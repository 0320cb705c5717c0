import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fingerprint, keyId, privateKeyFromText, publicKeyFromText, publicTextOf } from '../core/signing.js';
import { loadSecrets } from '../gateway/config/secrets.js';
import { verifyHandoverPackage } from '../gateway/ledger/handover-package.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { HANDOVER_HELP } from './help.js';

/**
 * `estate-gateway handover verify FILE [--pubkey KEY]` checks a signed hand-over package as
 * the enforcement office would (issue 14); `estate-gateway handover key` prints this
 * gateway's signing key and fingerprint, for the district to register. Returns the exit code.
 */
export function handoverCommand(argv: string[]): number {
  const { values, positionals } = parse(
    argv,
    { config: { type: 'string', short: 'c' }, pubkey: { type: 'string', multiple: true } },
    true,
  );
  if (values.help) {
    console.log(HANDOVER_HELP);
    return 0;
  }
  const [sub, file, ...rest] = positionals;
  if (sub === 'key' && !file) {
    const l = loadOrExit(values.config ?? defaultConfigPath());
    const { secrets } = loadSecrets(
      l.secretsFile,
      l.config.readers.map((r) => r.id),
    );
    const key = createPublicKey(privateKeyFromText(secrets.signingKey ?? ''));
    console.log(
      `public key   ${publicTextOf(key)}\nkey id       ${keyId(key)}\nfingerprint  ${fingerprint(key)}`,
    );
    return 0;
  }
  if (sub !== 'verify' || !file || rest.length > 0)
    throw new UsageError('expected: handover verify FILE [--pubkey KEY], or handover key');
  let zip: Buffer;
  try {
    zip = readFileSync(file);
  } catch (err) {
    console.error(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return 1;
  }
  const trusted = (values.pubkey ?? []).map((k) => publicKeyFromText(k));
  const r = verifyHandoverPackage(zip, trusted);
  const m = r.manifest;
  if (!r.ok) {
    for (const p of r.problems) console.error(`${file}: ${p}`);
    console.error(`${file}: REFUSED — do not rely on this package`);
    return 1;
  }
  console.log(
    [
      `${file}: OK — package ${m?.packageId}, case ${m?.caseId}, ${m?.estate.name} (${m?.estate.id}), made ${m?.createdAt} by gateway ${m?.gatewayId}`,
      `${m?.files.length} files, each matching its SHA-256; manifest signed by key ${m?.key.keyId}`,
      `fingerprint  ${m?.key.fingerprint}`,
      trusted.length > 0
        ? 'the key is the one given with --pubkey'
        : 'compare the fingerprint with the one the district registered for this gateway (or give --pubkey)',
    ].join('\n'),
  );
  return 0;
}
