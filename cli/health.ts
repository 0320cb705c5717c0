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
  const { config } = loadOrExit(values.config ?? defaultConfigPath());
  const host =
    config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host === '::' ? '[::1]' : config.http.host;
  const url = `http://${host}:${config.http.port}/healthz`;
  const until = Date.now() + wait * 1000;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
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
