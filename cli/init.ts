import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { loadSecrets } from '../gateway/config/secrets.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { INIT_HELP } from './help.js';

/** A user's numeric uid and gid, from `id` (Node has no getpwnam). */
function ids(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new UsageError(`no such user: ${user}`);
  }
}

/**
 * `estate-gateway init`: the install step that creates the secrets file (or adds what it
 * lacks: the password of a reader added to the config) before the service starts. The
 * service cannot do it itself: /etc/estate-gateway is read-only to it (issue 9 item 12).
 * Creates the data directory too, both owned by --owner. Prints names, never values.
 * Returns the exit code.
 */
export function initCommand(argv: string[]): number {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    owner: { type: 'string' },
  });
  if (values.help) {
    console.log(INIT_HELP);
    return 0;
  }
  const loaded = loadOrExit(values.config ?? defaultConfigPath());
  const owner = values.owner ? ids(values.owner) : null;
  const { generated, modeFixed } = loadSecrets(
    loaded.secretsFile,
    loaded.config.readers.map((r) => r.id),
  );
  mkdirSync(loaded.dataDir, { recursive: true, mode: 0o750 });
  if (owner) {
    chownSync(loaded.secretsFile, owner.uid, owner.gid);
    chownSync(loaded.dataDir, owner.uid, owner.gid);
  }
  if (modeFixed) console.log(`${loaded.secretsFile}: was mode ${modeFixed}, now 0600`);
  console.log(
    generated.length > 0
      ? `${loaded.secretsFile}: generated ${generated.join(', ')} (mode 0600${values.owner ? `, owner ${values.owner}` : ''})`
      : `${loaded.secretsFile}: complete, nothing to add`,
  );
  const readers = generated.filter((g) => g.startsWith('readers.'));
  if (readers.length > 0)
    console.log(
      'Give each new reader its password from the secrets file (readers.<id>); with mosquitto, add it to the password file too.',
    );
  return 0;
}
