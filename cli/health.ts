import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { HEALTH_HELP } from './help.js';

/** `estate-gateway health`. Returns the exit code. */
export async function healthCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    config: { type: 'string', short: 'c' },
    wait: { type: 'string', default: '0' },
  });
  if (values.help) {
    console.log(HEALTH_HELP);
    return 0;
  }
  const wait = Number(values.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError('--wait takes a number of seconds');
  const { config, secretsFile } = loadOrExit(values.config ?? defaultConfigPath());
  // /healthz tells strangers the status only; with an API token from the secrets file
  // (when this user may read it) the whole view is printed (issue 9 item 9).
  const token = firstToken(secretsFile);
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const host =
    config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host === '::' ? '[::1]' : config.http.host;
  const url = `http://${host}:${config.http.port}/healthz`;
  const until = Date.now() + wait * 1000;
  for (;;) {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(3000) });
      console.log(JSON.stringify(await res.json(), null, 2));
      return 0;
    } catch (err) {
      if (Date.now() >= until) {
        console.error(`no answer from ${url}: ${(err as Error).message}`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The first API token of the secrets file, or null when there is none or it cannot be read. */
function firstToken(file: string): string | null {
  try {
    const s = parseYaml(readFileSync(file, 'utf8')) as {
      api?: { tokens?: Array<{ token?: unknown }> };
    } | null;
    const t = s?.api?.tokens?.find((x) => typeof x.token === 'string')?.token;
    return typeof t === 'string' ? t : null;
  } catch {
    return null;
  }
}
