import path from 'node:path';
import { loadSecrets } from '../gateway/config/secrets.js';
import { createLogger } from '../gateway/log.js';
import { openDb } from '../gateway/store/db.js';
import { defaultConfigPath, parse } from './args.js';
import { loadOrExit } from './config-file.js';
import { SIM_HELP } from './help.js';
import { handleSignals } from './lifecycle.js';
import {
  ensureSimCameraLogins,
  importSimRoster,
  simEstate,
  simRosterIssuer,
  startEstate,
  startSerialDoors,
  startSimCameras,
  startSimUpstream,
} from './simulation.js';

/** `estate-gateway sim`. */
export async function simCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    'no-roster': { type: 'boolean' },
    broker: { type: 'string' },
  });
  if (values.help) {
    console.log(SIM_HELP);
    return;
  }
  const l = loadOrExit(values.config ?? defaultConfigPath());
  const c = l.config;
  const log = createLogger({ level: c.log.level, pretty: c.log.pretty });
  if (ensureSimCameraLogins(l))
    log.warn('simulated camera logins added to the secrets file: restart the gateway to read them');
  const { secrets } = loadSecrets(
    l.secretsFile,
    c.readers.map((r) => r.id),
  );
  const estate = simEstate(l);
  if (!values['no-roster']) {
    const db = openDb(path.join(l.dataDir, 'gateway.db'));
    try {
      if (importSimRoster(db, estate, secrets))
        log.info({ version: estate.roster.version }, 'simulated roster imported');
    } finally {
      db.close();
    }
  }
  const upstream = await startSimUpstream(l, secrets, log, simRosterIssuer(l, estate));
  const brokerUrl = values.broker ?? c.mqtt.url ?? `mqtt://127.0.0.1:${c.mqtt.embedded.port}`;
  const serial = await startSerialDoors(l, estate, log, {});
  const cameras = await startSimCameras(l, secrets, log);
  const sim = await startEstate(l, estate, brokerUrl, secrets, log);
  handleSignals(log, async () => {
    await sim.stop();
    await serial.stop();
    await cameras.stop();
    await upstream?.stop();
  });
  const t = setInterval(() => {
    const s = sim.stats();
    log.info(
      {
        presented: s.presented,
        unlock: s.commands.unlock,
        deny: s.commands.deny,
        serialPresented: serial.presented,
        lockPulses: serial.pulses,
        upstream: upstream?.stats().accepted ?? null,
      },
      'simulation running',
    );
  }, 10_000);
  t.unref();
}
