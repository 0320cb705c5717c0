import { GatewayError } from '../core/errors.js';
import { DRIVERS } from '../drivers/registry.js';
import { fileProblems } from '../gateway/config/files.js';
import { type ConfigProblem, formatProblems, loadConfig } from '../gateway/config/load.js';
import { parse, UsageError } from './args.js';
import { CHECK_HELP } from './help.js';

/** `estate-gateway check-config FILE`. Returns the exit code. */
export function checkConfigCommand(argv: string[]): number {
  const { values, positionals } = parse(argv, {}, true);
  if (values.help) {
    console.log(CHECK_HELP);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('check-config takes exactly one FILE');
  try {
    const { config } = loadConfig(file, DRIVERS);
    const missing = fileProblems(config);
    if (missing.length > 0) {
      console.error(formatProblems(file, missing));
      console.error(`${missing.length} problem(s)`);
      return 1;
    }
    console.log(
      `${file}: OK — estate ${config.estate.id}, ${config.doors.length} doors, ${config.readers.length} readers, broker ${config.mqtt.url ?? 'embedded'}, upstream ${config.upstream.enabled ? (config.upstream.url ?? 'simulated') : 'off'}`,
    );
    return 0;
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'CONFIG_INVALID') {
      const problems = (err.context.problems ?? []) as ConfigProblem[];
      console.error(formatProblems(file, problems));
      console.error(`${problems.length} problem(s)`);
      return 1;
    }
    throw err;
  }
}
