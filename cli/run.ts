import { Gateway } from '../gateway/app.js';
import { createLogger } from '../gateway/log.js';
import { defaultConfigPath, parse } from './args.js';
import { loadOrExit } from './config-file.js';
import { RUN_HELP } from './help.js';
import { handleSignals } from './lifecycle.js';

/** `estate-gateway run`. */
export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' } });
  if (values.help) {
    console.log(RUN_HELP);
    return;
  }
  const loaded = loadOrExit(values.config ?? defaultConfigPath());
  const log = createLogger({ level: loaded.config.log.level, pretty: loaded.config.log.pretty });
  const gw = new Gateway(loaded, { log });
  handleSignals(
    log,
    () => gw.stop(),
    () => gw.reloadRoster(),
  );
  await gw.start();
}
