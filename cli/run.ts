import { build } from '../gateway/build.js';
import { createLogger } from '../gateway/log.js';
import { defaultConfigPath, parse } from './args.js';
import { loadOrExit } from './config-file.js';
import { RUN_HELP } from './help.js';
import { handleSignals } from './lifecycle.js';

/**
 * `estate-gateway run`. Resolves once the gateway is up (it then runs until a signal);
 * rejects when it could not start, after everything that had started was stopped again,
 * so the entry point exits non-zero with nothing left listening.
 */
export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' } });
  if (values.help) {
    console.log(RUN_HELP);
    return;
  }
  const loaded = loadOrExit(values.config ?? defaultConfigPath());
  const log = createLogger({ level: loaded.config.log.level, pretty: loaded.config.log.pretty });
  const gw = build(loaded, { log });
  handleSignals(
    log,
    () => gw.stop(),
    () => gw.reloadRoster(),
  );
  await gw.start();
}
