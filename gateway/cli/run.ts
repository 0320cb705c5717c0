import { Gateway } from '../app.js';
import { createLogger } from '../log.js';
import { notifyReady } from '../sd-notify.js';
import { defaultConfigPath, parse } from './args.js';
import { loadOrExit } from './config-file.js';
import { handleSignals } from './lifecycle.js';

export const RUN_HELP = `Usage: estate-gateway run [--config FILE]

Runs the gateway daemon: readers, roster check, journal, alerts, upstream, HTTP API.
Signals: SIGTERM/SIGINT stop in order; SIGHUP reloads the roster from the database.

Options:
  -c, --config FILE   configuration (default: $ESTATE_GATEWAY_CONFIG,
                      /etc/estate-gateway/config.yaml, or the demo defaults)
  -h, --help          this help
Exit codes: 0 stopped, 1 crashed, 78 invalid configuration.`;

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
  await notifyReady();
}
