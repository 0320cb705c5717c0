import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { waitForPort } from './ports.js';

const ROOT = path.join(
  import.meta.dirname,
  '..',
  ...(import.meta.dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []),
);
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

/**
 * The V8 flags the daemon runs with in production (systemd/estate-gateway.service, the
 * bin shebang, npm start): a 4 MB young generation instead of 16 MB keeps ~30 MB of
 * resident memory off a small box at a few percent of throughput.
 */
export const DAEMON_NODE_FLAGS = process.env.DAEMON_FLAGS?.split(' ').filter(Boolean) ?? [
  '--max-semi-space-size=4',
  '--max-old-space-size=256',
];

/**
 * The environment the unit gives the daemon: two glibc malloc arenas instead of one per
 * thread that ever allocates (measured: peak RSS 147.9 MB median of three bench runs
 * against 151.8 MB without, same throughput).
 */
export const DAEMON_ENV: NodeJS.ProcessEnv = { ...process.env, MALLOC_ARENA_MAX: '2' };

/** Writes a config file for a daemon under test and returns its path. */
export function writeConfig(dir: string, cfg: Record<string, unknown>): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, stringify({ dataDir: '.', secretsFile: './secrets.yaml', ...cfg }));
  const secrets = path.join(dir, 'secrets.yaml');
  if (!existsSync(secrets)) {
    writeFileSync(
      secrets,
      stringify({
        idHashKey: randomBytes(32).toString('hex'),
        readers: {},
        api: { tokens: [{ name: 'bench', token: BENCH_TOKEN, role: 'admin' }] },
      }),
      { mode: 0o600 },
    );
  }
  return file;
}

/** The API token writeConfig puts in the secrets file (for /metrics and the API). */
export const BENCH_TOKEN = 'bench-admin-token-0123456789abcdef';

/** fetch with the bench token. */
export function benchFetch(url: string): Promise<Response> {
  return fetch(url, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
}

/**
 * The built daemon as a child process (`npm test` builds dist/ first), so it can be
 * killed with SIGKILL like a power cut.
 */
export class Daemon {
  #child: ChildProcess | undefined;
  stderr = '';
  /** Log lines (stdout) so far, parsed, when started with `captureLogs`. */
  readonly logs: Array<Record<string, unknown>> = [];
  /** Bytes written to stdout, when started with `captureLogs`. */
  logBytes = 0;
  /** `captureLogs`: keep what the daemon writes to stdout (its JSON log) in `logs`. */
  constructor(
    readonly configFile: string,
    readonly httpPort: number,
    readonly nodeArgs: string[] = DAEMON_NODE_FLAGS,
    readonly captureLogs = false,
  ) {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (npm test does)`);
  }

  /** Pid of the running daemon, if any. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Exit code of the last run, once it exited. */
  get exited(): boolean {
    const c = this.#child;
    return !!c && (c.exitCode !== null || c.signalCode !== null);
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [...this.nodeArgs, MAIN, 'run', '--config', this.configFile], {
      env: DAEMON_ENV,
      stdio: ['ignore', this.captureLogs ? 'pipe' : process.env.DAEMON_STDOUT ? 'inherit' : 'ignore', 'pipe'],
    });
    this.#child = child;
    let partial = '';
    child.stdout?.on('data', (d: Buffer) => {
      this.logBytes += d.length;
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l) this.logs.push(JSON.parse(l) as Record<string, unknown>);
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    try {
      await waitForPort(this.httpPort, 15_000);
    } catch (err) {
      // Say why: what the daemon wrote to stderr, and whether it is still running.
      const state = this.exited ? `exited ${child.exitCode ?? child.signalCode}` : 'still running';
      throw new Error(`${(err as Error).message}; the daemon ${state}; stderr: ${this.stderr.slice(-2000)}`);
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const c = this.#child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve(c?.exitCode ?? null);
    return new Promise((resolve) => {
      c.once('exit', (code) => resolve(code));
      c.kill(signal);
    });
  }
}
