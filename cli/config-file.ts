import { GatewayError } from '../core/errors.js';
import { DRIVERS } from '../drivers/registry.js';
import { type ConfigProblem, formatProblems, type LoadedConfig, loadConfig } from '../gateway/config/load.js';
import { EXIT_CONFIG } from './lifecycle.js';

/** Loads a config for a command, or prints every problem and exits 78 (EX_CONFIG). */
export function loadOrExit(file: string): LoadedConfig {
  try {
    return loadConfig(file, DRIVERS);
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'CONFIG_INVALID') {
      const problems = (err.context.problems ?? []) as ConfigProblem[];
      process.stderr.write(
        `${formatProblems(file, problems)}\n${problems.length} problem(s): the gateway will not start with this config.\n`,
      );
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
}
