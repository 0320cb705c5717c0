import { existsSync } from 'node:fs';
import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../gateway/version.js';

/**
 * The config a command uses when --config is not given: $ESTATE_GATEWAY_CONFIG, then
 * /etc/estate-gateway/config.yaml (an installed box), then the package's demo defaults.
 */
export function defaultConfigPath(): string {
  const env = process.env.ESTATE_GATEWAY_CONFIG;
  if (env) return env;
  if (existsSync('/etc/estate-gateway/config.yaml')) return '/etc/estate-gateway/config.yaml';
  return path.join(PACKAGE_ROOT, 'config', 'default.yaml');
}

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {}

/** parseArgs with errors turned into UsageError. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
