import path from 'node:path';
import { loadSecrets } from '../gateway/config/secrets.js';
import { type RowError, readRosterFile } from '../gateway/roster/import.js';
import { type ImportMode, saveRoster } from '../gateway/roster/repository.js';
import { openDb } from '../gateway/store/db.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { ROSTER_HELP } from './help.js';

/** `estate-gateway roster import FILE` (and keygen, sign, verify of the signed roster). Returns the exit code. */
export async function rosterCommand(argv: string[]): Promise<number> {
  const sub0 = argv[0];
  if (
    (sub0 === 'keygen' || sub0 === 'sign' || sub0 === 'verify') &&
    !argv.includes('--help') &&
    !argv.includes('-h')
  )
    return (await import('./roster-sign.js')).rosterSignCommand(sub0, argv.slice(1));
  const { values, positionals } = parse(
    argv,
    { config: { type: 'string', short: 'c' }, replace: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
    true,
  );
  if (values.help) {
    console.log(ROSTER_HELP);
    return 0;
  }
  const [sub, file, ...rest] = positionals;
  if (sub !== 'import' || !file || rest.length > 0)
    throw new UsageError(
      'expected: roster import FILE, roster verify FILE, roster sign …, roster keygen --out FILE',
    );
  const loaded = loadOrExit(values.config ?? defaultConfigPath());
  const { secrets } = loadSecrets(
    loaded.secretsFile,
    loaded.config.readers.map((r) => r.id),
  );
  const t0 = performance.now();
  let parsed: ReturnType<typeof readRosterFile>;
  try {
    parsed = readRosterFile(file, secrets.idHashKey);
  } catch (err) {
    console.error(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return 1;
  }
  if (!parsed.snapshot) {
    printRowErrors(file, parsed.errors);
    return 1;
  }
  const s = parsed.snapshot;
  if (values['dry-run']) {
    console.log(
      `${file}: OK — ${s.households.length} households, ${s.residents.length} residents, ${s.credentials.length} credentials${templatesNote(s.fingerprintTemplates?.length ?? 0)} (dry run, nothing imported)`,
    );
    return 0;
  }
  const db = openDb(path.join(loaded.dataDir, 'gateway.db'));
  try {
    const mode: ImportMode = values.replace ? 'replace' : 'merge';
    const stats = saveRoster(db, s, mode, Date.now(), parsed.version);
    const ms = Math.round(performance.now() - t0);
    console.log(
      `imported ${stats.households} households, ${stats.residents} residents, ${stats.credentials} credentials${templatesNote(stats.templates)} (${mode}) in ${ms} ms` +
        (mode === 'replace'
          ? `; ${stats.movedOut} residents now moved_out, ${stats.terminated} households terminated`
          : '') +
        `; roster version ${stats.version}`,
    );
  } finally {
    db.close();
  }
  return 0;
}

function templatesNote(n: number): string {
  return n > 0 ? `, ${n} fingerprint templates` : '';
}

/** Prints a roster file's bad rows (the first 200) to stderr: file:line, where, why. */
export function printRowErrors(file: string, errors: readonly RowError[]): void {
  const shown = errors.slice(0, 200);
  for (const e of shown)
    console.error(`${file}:${e.line ?? '?'} ${e.at ?? (e.field || '(row)')}: ${e.reason}`);
  if (errors.length > shown.length) console.error(`… and ${errors.length - shown.length} more`);
  console.error(`${errors.length} bad row(s): nothing imported.`);
}
