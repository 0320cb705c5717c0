import { build } from '../gateway/build.js';
import { createLogger } from '../gateway/log.js';
import { SdNotify } from '../gateway/sd-notify.js';
import { defaultConfigPath, parse } from './args.js';
import { loadOrExit } from './config-file.js';
import { RUN_HELP } from './help.js';
import { handleSignals } from './lifecycle.js';

/**
 * `estate-gateway run`. Resolves once the gateway is up (it then runs until a signal);
 * rejects when it could not start, after everything that had started was stopped again,
 * so the entry point exits non-zero with nothing left listening. Under systemd
 * (Type=notify) READY=1 goes out only when every start step — store, broker link,
 * readers, upstream, HTTP, housekeeping — is done, and the watchdog is pinged after.
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
  const systemd = new SdNotify({ log: log.child({ module: 'systemd' }) });
  handleSignals(
    log,
    async () => {
      await systemd.stopping();
      await gw.stop();
    },
    () => gw.reloadRoster(),
  );
  await gw.start();
  await systemd.ready(`serving ${loaded.config.readers.length} readers at ${gw.httpUrl}`);
}
