/**
 * What the fault benches share (issue 12, `npm run bench:faults`): a daemon's directory
 * with its config and roster, its health, and the cleanups to run however a bench ends.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchFetch, writeConfig } from '../testkit/daemon.js';
import { freePort } from '../testkit/ports.js';
import { syntheticRoster } from '../testkit/roster-gen.js';
import { tmpDir } from '../testkit/tmp.js';

const ROOT = path.join(import.meta.dirname, '..', '..');
/** The built CLI. */
export const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

/** Everything to stop when the run ends, in reverse. */
export const cleanups: Array<() => unknown> = [];

/** A daemon's working directory: its config file, roster imported, HTTP port. */
export interface Site {
  dir: string;
  file: string;
  httpPort: number;
}

/**
 * Writes a config (`cfg` over a small estate) and imports a roster of `residents`
 * (faces F-R00001…) as an installer would.
 */
export async function site(prefix: string, cfg: Record<string, unknown>, residents = 100): Promise<Site> {
  const { dir, cleanup } = tmpDir(prefix);
  cleanups.push(cleanup);
  const httpPort = await freePort();
  const file = writeConfig(dir, {
    estate: { id: 'SH-FAULTS', name: 'faults' },
    gateway: { id: 'gw-faults' },
    log: { level: 'info' },
    http: { host: '127.0.0.1', port: httpPort },
    doors: [{ id: 'GATE', name: '大门' }],
    ...cfg,
  });
  const roster = path.join(dir, 'roster.json');
  writeFileSync(roster, JSON.stringify(syntheticRoster(residents)));
  execFileSync(process.execPath, [MAIN, 'roster', 'import', roster, '--config', file], { stdio: 'ignore' });
  return { dir, file, httpPort };
}

/** The daemon's /healthz. */
export async function health(port: number): Promise<HealthBody> {
  return (await (await benchFetch(`http://127.0.0.1:${port}/healthz`)).json()) as HealthBody;
}

/** The parts of /healthz the benches read. */
export interface HealthBody {
  status: string;
  broker: { connected: boolean; sessions?: { connected: number; total: number } };
  store: { state: string; freeBytes: number | null; held: number; answered: number };
  problems: string[];
}

/** The daemon's /metrics as text. */
export async function metrics(port: number): Promise<string> {
  return (await benchFetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** Resolves once `f()` holds, looking every `everyMs`; throws after `ms`. */
export async function until(
  f: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
  everyMs = 50,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A pause that is part of a scenario (an outage of so many seconds), never a wait for a state. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
