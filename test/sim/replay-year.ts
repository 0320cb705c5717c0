import path from 'node:path';
import { openForReplay, replayGateway } from '../../cli/replay.js';
import { ManualClock } from '../../core/clock.js';
import { DRIVER_NAMES } from '../../drivers/registry.js';
import { loadConfig } from '../../gateway/config/load.js';
import { readRosterFile } from '../../gateway/roster/import.js';
import { saveRoster } from '../../gateway/roster/repository.js';

/**
 * A replay gateway over a `sim year` directory, opened as `estate-gateway replay` opens it,
 * with the year's roster imported: the caller starts it (`gw.start(REPLAY_UNTIL)`) and
 * replays `reads.jsonl` on `clock`. `data` names the data directory inside `dir`.
 */
export async function openYear(dir: string, data = 'data') {
  const l = loadConfig(path.join(dir, 'config.yaml'), DRIVER_NAMES);
  const clock = new ManualClock(0);
  const gw = replayGateway(l, path.join(dir, data), clock);
  await openForReplay(gw);
  const parsed = readRosterFile(path.join(dir, 'roster.json'), gw.secrets.idHashKey);
  saveRoster(gw.db, parsed.snapshot as never, 'replace', Date.now(), parsed.version);
  return { gw, clock };
}
