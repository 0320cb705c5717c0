import path from 'node:path';
import { ManualClock } from '../core/clock.js';
import { build } from '../gateway/build.js';
import type { LoadedConfig } from '../gateway/config/load.js';
import type { Gateway } from '../gateway/gateway.js';
import { createLogger } from '../gateway/log.js';
import { REPLAY_BATCH_ROWS, replayFile } from '../gateway/replay/replay.js';
import { SeenFilter } from '../gateway/replay/seen-filter.js';
import { parseRoster, readRosterFile } from '../gateway/roster/import.js';
import { saveRoster } from '../gateway/roster/repository.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { REPLAY_HELP } from './help.js';
import { printRowErrors } from './roster.js';

/**
 * A gateway for replaying a file: the same pipeline, detectors and ledger, its clock
 * following event time, commits in large slices and without fsync (a replay can be run
 * again; a live gateway keeps synchronous=FULL). Built, not started: the caller opens it
 * (tuneForReplay), may import a roster, then starts it through the pipeline step only —
 * no broker, readers, upstream or HTTP.
 */
export function replayGateway(l: LoadedConfig, dataDir: string | undefined, clock: ManualClock): Gateway {
  const loaded: LoadedConfig = {
    ...l,
    dataDir: dataDir ?? l.dataDir,
    secretsFile: dataDir ? path.join(dataDir, 'secrets.yaml') : l.secretsFile,
    config: {
      ...l.config,
      store: { ...l.config.store, batchMaxRows: REPLAY_BATCH_ROWS },
      upstream: { ...l.config.upstream, enabled: false },
    },
  };
  const log = createLogger({ level: l.config.log.level === 'info' ? 'warn' : l.config.log.level });
  return build(loaded, { log, clock });
}

/** Opens a replay gateway's store with the settings of a replay (see replayGateway). */
export async function openForReplay(gw: Gateway): Promise<void> {
  await gw.open();
  // Each entry lands in per-household and per-resident indexes, one page each: in WAL
  // mode every page is written twice (WAL, then checkpoint). A replay writes it once,
  // rolling back through an in-memory journal; a crashed replay is simply run again.
  gw.db.pragma('journal_mode = MEMORY');
  gw.db.pragma('synchronous = OFF');
  // A year of journal outgrows the daemon's 4 MB page cache: every insert into the
  // per-household and per-resident indexes would read a page back. 48 MB keeps their
  // hot leaves (one per household and resident) in memory.
  gw.db.pragma('cache_size = -49152');
}

/** The start step a replay runs through: the pipeline and what it needs, nothing that listens. */
export const REPLAY_UNTIL = 'pipeline';

/** `estate-gateway replay FILE.jsonl`. Returns the exit code. */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      data: { type: 'string' },
      roster: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    true,
  );
  if (values.help) {
    console.log(REPLAY_HELP);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('replay takes exactly one FILE.jsonl');
  const l = loadOrExit(values.config ?? defaultConfigPath());
  const clock = new ManualClock(0);
  const gw = replayGateway(l, values.data, clock);
  await openForReplay(gw);
  if (values.roster) {
    const parsed = readRosterFile(values.roster, gw.secrets.idHashKey);
    if (!parsed.snapshot) {
      printRowErrors(values.roster, parsed.errors);
      gw.store.close();
      return 1;
    }
    saveRoster(gw.db, parsed.snapshot, 'replace', Date.now(), parsed.version);
  }
  await gw.start(REPLAY_UNTIL);
  // The dedupe of a replay run again (or resumed) holds; a fresh one skips its queries.
  gw.pipeline.useSeenKeys(SeenFilter.fromJournal(gw.db));
  const target = {
    pipeline: gw.pipeline,
    passes: gw.passes,
    importRoster: (json: string, mode: 'merge' | 'replace', ts: number) =>
      importDuringReplay(gw, json, mode, ts),
  };
  const stats = await replayFile(
    target,
    clock,
    file,
    (s) => {
      if (!values.quiet)
        process.stderr.write(`replay: ${s.reads} reads, ${s.readsPerSecond}/s, peak RSS ${s.peakRssMB} MB\n`);
    },
    (problems) => {
      console.error(`${file}: a roster in the file was refused, the previous one kept:`);
      for (const p of problems.slice(0, 20)) console.error(`  ${p}`);
    },
  );
  const cases = gw.db.prepare('SELECT kind, count(*) AS n FROM cases GROUP BY kind ORDER BY kind').all();
  gw.store.close();
  console.log(JSON.stringify({ ...stats, seconds: Math.round(stats.seconds * 10) / 10, cases }));
  return stats.failed > 0 ? 1 : 0;
}

/** A roster line of a replayed file: validated and saved as `roster import` would, then swapped in. */
export function importDuringReplay(
  gw: Gateway,
  json: string,
  mode: 'merge' | 'replace',
  ts: number,
): string[] {
  const parsed = parseRoster(json, 'json', gw.secrets.idHashKey);
  if (!parsed.snapshot) return parsed.errors.map((e) => `${e.at ?? e.field}: ${e.reason}`);
  saveRoster(gw.db, parsed.snapshot, mode, ts, parsed.version);
  gw.reloadRoster();
  return [];
}
