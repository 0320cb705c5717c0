import path from 'node:path';
import { loadSecrets } from '../config/secrets.js';
import { readRosterFile } from '../roster/import.js';
import { type ImportMode, saveRoster } from '../roster/repository.js';
import { openDb } from '../store/db.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';

export const ROSTER_HELP = `Usage: estate-gateway roster import FILE [--replace] [--dry-run] [--config FILE]

Imports the authorized-resident roster from JSON or CSV (docs/roster-import.md).
Every row is checked first (ID numbers against GB 11643, dates, roles, duplicates); if
any row is bad nothing is imported and every bad row is listed as "FILE:LINE field: reason".
ID numbers are stored only as a keyed hash and a masked form. A running gateway picks
the new roster up within seconds.

Options:
  --replace        the file is the whole roster: residents missing from it become
                   moved_out, households missing from it terminated (default: merge)
  --dry-run        check the file, import nothing
  -c, --config FILE
  -h, --help`;

/** `estate-gateway roster import FILE`. Returns the exit code. */
export function rosterCommand(argv: string[]): number {
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
  if (sub !== 'import' || !file || rest.length > 0) throw new UsageError('expected: roster import FILE');
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
    const shown = parsed.errors.slice(0, 200);
    for (const e of shown) console.error(`${file}:${e.line ?? '?'} ${e.field || '(row)'}: ${e.reason}`);
    if (parsed.errors.length > shown.length)
      console.error(`… and ${parsed.errors.length - shown.length} more`);
    console.error(`${parsed.errors.length} bad row(s): nothing imported.`);
    return 1;
  }
  const s = parsed.snapshot;
  if (values['dry-run']) {
    console.log(
      `${file}: OK — ${s.households.length} households, ${s.residents.length} residents, ${s.credentials.length} credentials (dry run, nothing imported)`,
    );
    return 0;
  }
  const db = openDb(path.join(loaded.dataDir, 'gateway.db'));
  try {
    const mode: ImportMode = values.replace ? 'replace' : 'merge';
    const stats = saveRoster(db, s, mode, Date.now(), parsed.version);
    const ms = Math.round(performance.now() - t0);
    console.log(
      `imported ${stats.households} households, ${stats.residents} residents, ${stats.credentials} credentials (${mode}) in ${ms} ms` +
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
