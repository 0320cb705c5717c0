import { build } from '../gateway/build.js';
import { createLogger } from '../gateway/log.js';
import { defaultConfigPath, parse } from './args.js';
import { loadOrExit } from './config-file.js';
import { demoFaceMoveOut } from './demo-face-move-out.js';
import { ensureDemoLogin } from './demo-login.js';
import { MOVE_OUT_AFTER_MS, scheduleDemoMoveOut } from './demo-move-out.js';
import { DEMO_HELP } from './help.js';
import { handleSignals } from './lifecycle.js';
import {
  demoTerminalLogins,
  ensureSimCameraLogins,
  importSimRoster,
  simEstate,
  simRosterIssuer,
  startEstate,
  startSerialDoors,
  startSimCameras,
  startSimUpstream,
  startVendorDoors,
} from './simulation.js';

/** `estate-gateway demo`. */
export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' } });
  if (values.help) {
    console.log(DEMO_HELP);
    return;
  }
  const l = loadOrExit(values.config ?? defaultConfigPath());
  const c = l.config;
  const log = createLogger({ level: c.log.level, pretty: c.log.pretty });
  // The simulated cameras' logins go into the secrets file before the gateway reads it.
  ensureSimCameraLogins(l);
  const gw = build(l, { log });
  // The simulated estate's roster and the demo login go into the store before the gateway
  // runs: its roster step then loads them.
  await gw.open();
  let login: Awaited<ReturnType<typeof ensureDemoLogin>>;
  let estate: Awaited<ReturnType<typeof simEstate>>;
  try {
    estate = await simEstate(l);
    await importSimRoster(gw.db, estate, gw.secrets);
    demoTerminalLogins(l, gw.secrets);
    login = await ensureDemoLogin(gw.db, l.dataDir);
  } catch (err) {
    await gw.stop();
    throw err;
  }
  const issuer = simRosterIssuer(l, estate);
  const upstream = await startSimUpstream(l, gw.secrets, log, issuer);
  // The serial devices, the vendor terminals and the cameras listen before the gateway
  // opens its lines to them; a door is held open and another forced within the first
  // minute (issue 13).
  const serial = await startSerialDoors(l, estate, log, {});
  const vendor = await startVendorDoors(l, estate, gw.secrets, log);
  const cameras = await startSimCameras(l, gw.secrets, log);
  const stopSimulators = async () => {
    await vendor.stop();
    await serial.stop();
    await cameras.stop();
    await upstream?.stop();
  };
  let stopSim = async () => {};
  handleSignals(log, async () => {
    await stopSim();
    await gw.stop();
    await stopSimulators();
  });
  try {
    await gw.start();
  } catch (err) {
    // The gateway stopped what it had started; the simulators go too, so nothing lingers.
    await stopSimulators();
    throw err;
  }
  const brokerUrl = c.mqtt.url ?? `mqtt://127.0.0.1:${gw.brokerPort}`;
  vendor.play();
  const terminalUrl = gw.terminalPort ? `http://127.0.0.1:${gw.terminalPort}` : undefined;
  const sim = await startEstate(l, estate, brokerUrl, gw.secrets, log, terminalUrl);
  const cancelMoveOut = issuer ? scheduleDemoMoveOut(gw, issuer, sim, estate, log) : () => {};
  stopSim = () => {
    cancelMoveOut();
    return sim.stop();
  };
  // Face terminals the estate simulation plays (zkteco-push, mqtt-face), besides v1's.
  const faceVendor = c.readers.filter((r) => r.driver !== 'mqtt-v1' && sim.faceLibraries().has(r.id));
  const terminals = c.readers.filter((r) => r.driver === 'mqtt-v1').length + faceVendor.length;

  let reads = 0;
  let denied = 0;
  let alerts = 0;
  gw.live.on('entry', (e) => {
    reads++;
    if (e.outcome === 'denied') denied++;
  });
  gw.live.on('alert', (_a, isNew) => {
    if (isNew) alerts++;
  });
  const residents = estate.persons.filter((p) => p.kind !== 'stranger').length;
  console.log(
    [
      '',
      `estate-gateway demo — ${c.estate.name} (${c.estate.id})`,
      `  Dashboard     ${gw.httpUrl}/   login ${login.user} / ${login.password ?? `(changed on the dashboard; reset: estate-gateway user passwd ${login.user})`}`,
      `                (kept in ${login.file}; HTTP API under ${gw.httpUrl}/api/ needs a login or an API token)`,
      `  MQTT broker   ${brokerUrl}${c.mqtt.url ? '' : ' (embedded; reader passwords in the secrets file)'}`,
      `  Upstream      ${upstream ? `${upstream.url} (simulated district system; GET …/v1/stats)` : (c.upstream.url ?? 'off')}`,
      `  Roster        ${issuer ? `signed by the simulated district system (${c.rosterSync.pullUrl}, every ${c.rosterSync.pullIntervalSeconds} s); a resident moves out there in ${MOVE_OUT_AFTER_MS / 1000} s` : c.rosterSync.enabled ? 'synced from upstream' : 'imported from the simulated estate'}`,
      `  Estate        ${c.sim.households} households, ${residents} residents, ${terminals} face terminals; ${c.sim.speed}× speed`,
      `  Serial doors  ${serial.doorIds.join(', ') || 'none'}: ${serial.rig.servers.length} simulated serial devices on tcp:// ports (ser2net style)`,
      `  Vendor terms  ${vendor.terminals.map((v) => `${v.reader.id} (${v.vendor}, 127.0.0.1:${v.sim.port})`).join(', ') || 'none'}`,
      `  Face libraries ${[...sim.faceLibraries().keys()].join(', ') || 'none'}: kept in step with the roster${faceVendor.length > 0 ? ` (${faceVendor.map((r) => `${r.id} ${r.driver}`).join(', ')}; terminal listener :${gw.terminalPort ?? '—'})` : ''}; a move-out is shown in 15 s`,
      `  Doors         contacts at ${serial.leaves.doorIds.join(', ') || 'none'}; ${serial.acts?.held ?? '—'} held open and ${serial.acts?.forced ?? '—'} forced within the first minute`,
      `  Cameras       ${[...cameras.cameras.keys()].join(', ') || 'none'} (simulated ONVIF; logins in the secrets file)`,
      `  Data          ${l.dataDir}`,
      'Ctrl+C stops.',
      '',
    ].join('\n'),
  );
  // Issue 11: a resident moves out and leaves every face terminal; the demo says how fast.
  // With a signed roster the move-out is made at the district system (a delta the gateway
  // pulls); else in the store, as a roster import would, and the roster reloaded.
  const moveOut = (id: string): string => {
    if (issuer) {
      const v = issuer.moveOut(id).payload.version;
      return `at the district system, signed roster delta ${v}`;
    }
    gw.db
      .prepare(`UPDATE residents SET status = 'moved_out', updated_at = ? WHERE id = ?`)
      .run(Date.now(), id);
    gw.reloadRoster();
    return 'roster change';
  };
  void demoFaceMoveOut(gw, sim.faceLibraries(), log, moveOut).catch((err: unknown) =>
    log.warn({ err }, 'demo: the move-out walkthrough failed'),
  );
  // The first lock a serial door's relay switches is said at once, not at the next
  // summary: it is what an installer watching `npm start` waits for.
  let firstPulseSaid = false;
  for (const door of serial.rig.doors.values())
    for (const relay of door.relays)
      relay.board.coilListeners.add((e) => {
        if (firstPulseSaid || !e.on || e.coil !== relay.coil) return;
        firstPulseSaid = true;
        log.info(
          { door: door.doorId, lockPulses: serial.pulses },
          `demo: the relay board switched the lock of serial door ${door.doorId}`,
        );
      });
  const summary = setInterval(() => {
    const up = upstream?.stats();
    log.info(
      {
        reads,
        denied,
        alerts,
        upstreamAccepted: up?.accepted ?? null,
        outbox: gw.upstream?.status.depth ?? 0,
        serialPresented: serial.presented,
        lockPulses: serial.pulses,
        vendorPresented: vendor.presented,
        vendorDoorOpens: vendor.opens,
        doors: serial.leaves.counts,
        cameraSnapshots: cameras.snapshots,
      },
      `demo: ${reads} entries checked (${denied} denied), ${alerts} alerts, ${up ? `${up.accepted} events at the district system` : 'no simulated upstream'}, ${serial.pulses} lock pulses at serial doors, ${cameras.snapshots} camera snapshots`,
    );
  }, 10_000);
  summary.unref();
}
