import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../gateway/config/load.js';
import { cameraLogin, loadSecrets, type Secrets, writeSecretsFile } from '../gateway/config/secrets.js';
import { parseRoster } from '../gateway/roster/import.js';
import { rosterVersion, saveRoster } from '../gateway/roster/repository.js';
import type { Db } from '../gateway/store/db.js';
import { SimCameras } from '../sim/cameras.js';
import { shanghaiMidnight } from '../sim/dates.js';
import { demoDistrictKey } from '../sim/district-key.js';
import { generateEstate } from '../sim/estate.js';
import { EstateSimulation } from '../sim/scenario.js';
import { SerialDoorsSimulation } from '../sim/serial-doors.js';
import { simCameraPort } from '../sim/site.js';
import type { SimEstate } from '../sim/types.js';
import { SimUpstream } from '../sim/upstream.js';
import { SimRosterIssuer } from '../sim/upstream-roster.js';
import { VendorDoorsSimulation } from '../sim/vendor-doors.js';

/**
 * Puts the simulated estate's roster into the gateway database, unless the same version
 * is already there. Returns whether it imported.
 */
export function importSimRoster(db: Db, estate: SimEstate, secrets: Secrets): boolean {
  if (rosterVersion(db) === estate.roster.version) return false;
  const parsed = parseRoster(JSON.stringify(estate.roster), 'json', secrets.idHashKey);
  if (!parsed.snapshot)
    throw new Error(`simulated roster is invalid: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  saveRoster(db, parsed.snapshot, 'replace', Date.now(), estate.roster.version);
  return true;
}

/** Whether a URL is the simulated district system on sim.upstreamPort. */
function atSim(l: LoadedConfig, url: string | null): boolean {
  return (
    url !== null &&
    /^http:\/\/(127\.0\.0\.1|localhost):(\d+)\//.test(url) &&
    url.includes(`:${l.config.sim.upstreamPort}/`)
  );
}

/** Whether the config's upstream (events, or the signed roster) is the simulated district system. */
export function simUpstreamWanted(l: LoadedConfig): boolean {
  const u = l.config.upstream;
  const r = l.config.rosterSync;
  return (u.enabled && atSim(l, u.url)) || (r.enabled && atSim(l, r.pullUrl));
}

/**
 * The simulated district system's roster of the estate, signed with the demo key of the
 * seed (config/default.yaml trusts it), when the config pulls its roster from the simulator.
 * Its versions start at the clock's seconds: a restarted simulator never reissues an old one.
 */
export function simRosterIssuer(l: LoadedConfig, estate: SimEstate): SimRosterIssuer | null {
  const r = l.config.rosterSync;
  if (!r.enabled || !atSim(l, r.pullUrl)) return null;
  return new SimRosterIssuer({
    estate: l.config.estate.id,
    key: demoDistrictKey(l.config.sim.seed),
    roster: estate.roster,
    startVersion: Math.floor(Date.now() / 1000),
  });
}

/** Starts the simulated district system the config points at (before the gateway, so its first post lands). */
export async function startSimUpstream(
  l: LoadedConfig,
  secrets: Secrets,
  log: Logger,
  roster: SimRosterIssuer | null = null,
): Promise<SimUpstream | null> {
  if (!simUpstreamWanted(l)) return null;
  const up = new SimUpstream({
    hmacKey: secrets.upstream?.hmacKey ?? '',
    port: l.config.sim.upstreamPort,
    file: path.join(l.dataDir, 'sim-upstream.jsonl'),
    log: log.child({ module: 'sim-upstream' }),
    rosters: roster ? [roster] : [],
  });
  await up.start();
  return up;
}

/** Creates the estate's people for this config (deterministic for sim.seed). */
export function simEstate(l: LoadedConfig): SimEstate {
  return generateEstate(l.config, { seed: l.config.sim.seed, households: l.config.sim.households });
}

/** Starts the terminals and residents' days against a broker. */
export async function startEstate(
  l: LoadedConfig,
  estate: SimEstate,
  brokerUrl: string,
  secrets: Secrets,
  log: Logger,
): Promise<EstateSimulation> {
  const c = l.config;
  const sim = new EstateSimulation({
    estate,
    config: c,
    brokerUrl,
    passwords: c.mqtt.url === null && !c.mqtt.embedded.requireAuth ? undefined : secrets.readers,
    topicPrefix: c.mqtt.topicPrefix,
    speed: c.sim.speed,
    seed: c.sim.seed,
    // Start the simulated day at 07:00 in Shanghai: the morning rush makes a lively demo.
    startTime: shanghaiMidnight(Date.now()) + 7 * 3600_000,
    maxReadsPerSecond: c.sim.maxReadsPerSecond,
    log: log.child({ module: 'sim' }),
  });
  await sim.start();
  return sim;
}

/**
 * Serves the simulated serial devices the config's readers expect on tcp://127.0.0.1 ports
 * (fingerprint modules, ID-card readers, Wiegand converters, relay boards) and presents
 * fingers and cards at their doors. Start it before the gateway, so the lines connect at once.
 */
export async function startSerialDoors(
  l: LoadedConfig,
  estate: SimEstate,
  log: Logger,
  doorActs?: { firstAfterMs?: number; everyMs?: number },
): Promise<SerialDoorsSimulation> {
  const sim = new SerialDoorsSimulation({
    estate,
    config: l.config,
    seed: l.config.sim.seed,
    doorActs,
    log: log.child({ module: 'sim-serial' }),
  });
  await sim.start();
  return sim;
}

/**
 * Gives every simulated camera of the config (a camera reader on 127.0.0.1) a login in the
 * secrets file, if it has none, before the gateway reads the file: the simulated camera and
 * the gateway then share it as a real camera and its installer would. Returns whether it
 * added any. Real cameras' logins are the installer's to write.
 */
export function ensureSimCameraLogins(l: LoadedConfig): boolean {
  const { secrets } = loadSecrets(
    l.secretsFile,
    l.config.readers.map((r) => r.id),
  );
  let added = false;
  for (const r of l.config.readers) {
    if (simCameraPort(r) === null || cameraLogin(secrets, r.id)) continue;
    secrets.cameras = {
      ...(secrets.cameras ?? {}),
      [r.id]: { username: 'admin', password: randomBytes(12).toString('base64url') },
    };
    added = true;
  }
  if (added) writeSecretsFile(l.secretsFile, secrets);
  return added;
}

/** Serves the config's simulated cameras with the logins of the secrets file. */
export async function startSimCameras(l: LoadedConfig, secrets: Secrets, log: Logger): Promise<SimCameras> {
  const cams = new SimCameras(
    l.config,
    (id) => cameraLogin(secrets, id),
    log.child({ module: 'sim-cameras' }),
  );
  await cams.start();
  return cams;
}

/** The vendor terminal drivers whose readers the demo simulates. */
const VENDOR_DRIVERS = new Set(['hikvision-isapi', 'dahua']);

/**
 * Gives every vendor terminal of the config a login for this run when the secrets file has
 * none (in memory only: the demo's simulated terminals take whatever the gateway holds).
 * A real terminal's login is the installer's to put in the file: the gateway never makes one.
 */
export function demoTerminalLogins(l: LoadedConfig, secrets: Secrets): void {
  for (const r of l.config.readers) {
    if (!VENDOR_DRIVERS.has(r.driver)) continue;
    secrets.terminals ??= {};
    secrets.terminals[r.id] ??= { username: 'admin', password: randomBytes(12).toString('base64url') };
  }
}

/**
 * Serves the simulated Hikvision and Dahua terminals the config's vendor readers point at
 * (127.0.0.1 ports), their libraries filled as an estate's terminals are, and people at them.
 * Start it before the gateway, so the drivers find them at once.
 */
export async function startVendorDoors(
  l: LoadedConfig,
  estate: SimEstate,
  secrets: Secrets,
  log: Logger,
): Promise<VendorDoorsSimulation> {
  const sim = new VendorDoorsSimulation({
    estate,
    config: l.config,
    password: (id) => secrets.terminals?.[id]?.password ?? '',
    seed: l.config.sim.seed,
    log: log.child({ module: 'sim-vendor' }),
  });
  await sim.start();
  return sim;
}
