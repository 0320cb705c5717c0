#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=256
import { GatewayError } from '../core/errors.js';
import { VERSION } from '../gateway/version.js';
import { UsageError } from './args.js';
import {
  CHECK_HELP,
  DECODE_HELP,
  DEMO_HELP,
  EVENTS_HELP,
  HANDOVER_HELP,
  HEALTH_HELP,
  INIT_HELP,
  REPLAY_HELP,
  REPORT_HELP,
  ROSTER_HELP,
  RUN_HELP,
  SIM_HELP,
  USER_HELP,
} from './help.js';

const HELP = `estate-gateway ${VERSION} — smart-access-control edge gateway for affordable-housing estates

Usage: estate-gateway COMMAND [options]

Commands:
  run            run the daemon (--config FILE)
  init           create the secrets file and data directory before the first start
  check-config   validate a configuration file
  roster import  import the resident roster (JSON or CSV); roster verify|sign|keygen: the signed
                 roster from the district system
  user           dashboard accounts: user add NAME --role admin, user passwd, user list
  events         export the journal of access records (jsonl or csv)
  health         ask the running gateway how it is (--wait for start-up)
  decode         decode bytes captured on a serial reader line (fingerprint, idcard, wiegand, modbus)
  report         the monthly report (report monthly --month YYYY-MM [--format json|csv|pdf])
  handover       verify a signed hand-over package for 城管; print the gateway's signing key
  replay         push a file of reads through the pipeline and detectors at full speed
  sim            run a simulated estate against a running gateway; sim year writes a labelled year
  demo           the gateway and a simulated estate in one process (what npm start runs)

"estate-gateway COMMAND --help" explains each. Documentation: README.md and docs/.`;

const HELPS: Record<string, string> = {
  run: RUN_HELP,
  'check-config': CHECK_HELP,
  init: INIT_HELP,
  roster: ROSTER_HELP,
  events: EVENTS_HELP,
  health: HEALTH_HELP,
  decode: DECODE_HELP,
  sim: SIM_HELP,
  report: REPORT_HELP,
  handover: HANDOVER_HELP,
  replay: REPLAY_HELP,
  demo: DEMO_HELP,
  user: USER_HELP,
};

async function main(argv: string[]): Promise<number | undefined> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'run':
      // Each command loads only what it needs: `run` never loads the simulator (or libvips).
      await (await import('./run.js')).runCommand(rest);
      return undefined; // keeps running until a signal
    case 'check-config':
      return (await import('./check-config.js')).checkConfigCommand(rest);
    case 'init':
      return (await import('./init.js')).initCommand(rest);
    case 'roster':
      return (await import('./roster.js')).rosterCommand(rest);
    case 'user':
      return (await import('./user.js')).userCommand(rest);
    case 'events':
      return (await import('./events.js')).eventsCommand(rest);
    case 'health':
      return (await import('./health.js')).healthCommand(rest);
    case 'decode':
      return (await import('./decode.js')).decodeCommand(rest);
    case 'handover':
      return (await import('./handover.js')).handoverCommand(rest);
    case 'report':
      return (await import('./report.js')).reportCommand(rest);
    case 'replay':
      return (await import('./replay.js')).replayCommand(rest);
    case 'sim':
      if (rest[0] === 'year') return (await import('./sim-year.js')).simYearCommand(rest.slice(1));
      await (await import('./sim.js')).simCommand(rest);
      return undefined;
    case 'demo':
      await (await import('./demo.js')).demoCommand(rest);
      return undefined;
    case '--version':
    case '-v':
      console.log(VERSION);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return 0;
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

/**
 * A command that failed has stopped what it started (a gateway rolls back its start
 * steps), so the process ends by itself with the exit code set. Should anything still
 * hold the event loop, it is a leak: say so and exit anyway rather than linger (issue 12).
 */
function failed(code: number): void {
  process.exitCode = code;
  setTimeout(() => {
    console.error('estate-gateway: still running 5 s after the failure; exiting');
    process.exit(code);
  }, 5000).unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      const cmd = process.argv[2] ?? '';
      console.error(`estate-gateway: ${err.message}\n\n${HELPS[cmd] ?? HELP}`);
      failed(2);
      return;
    }
    // A second instance on a data directory is refused (issue 12): say who holds it, no stack.
    if (err instanceof GatewayError && err.code === 'DATA_DIR_LOCKED')
      console.error(`estate-gateway: ${err.message}`);
    else console.error(err);
    failed(1);
  },
);
