import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from './ports.js';

const ROOT = path.join(import.meta.dirname, '..');

/** The parts of config/default.yaml a demo test moves onto free ports. */
export interface DemoConfig {
  readers: Array<{ id: string; door: string; driver?: string; options?: Record<string, unknown> }>;
  http: { port: number };
  mqtt: { embedded: { port: number } };
  terminals: { http: { port: number } };
  upstream: { url: string };
  sim: { upstreamPort: number };
  rosterSync?: { pullUrl?: string };
  log: unknown;
}

/**
 * config/default.yaml as `npm start` runs it, with every port it opens moved to a free one
 * and its data under `dir`; returns the config and the file written.
 */
export async function demoConfig(dir: string): Promise<{ cfg: DemoConfig; file: string }> {
  const cfg = parse(readFileSync(path.join(ROOT, 'config', 'default.yaml'), 'utf8')) as DemoConfig;
  for (const r of cfg.readers)
    if (typeof r.options?.path === 'string' && r.options.path.startsWith('tcp://'))
      r.options.path = `tcp://127.0.0.1:${await freePort()}`;
  const upstreamPort = await freePort();
  Object.assign(cfg, { dataDir: path.join(dir, 'var'), secretsFile: path.join(dir, 'var', 'secrets.yaml') });
  cfg.log = { level: 'info', pretty: false };
  cfg.http.port = 0;
  cfg.mqtt.embedded.port = 0;
  cfg.terminals.http.port = await freePort();
  // An mqtt-face terminal fetches its photos from the terminal listener.
  for (const r of cfg.readers)
    if (r.driver === 'mqtt-face' && r.options)
      r.options.photoUrl = `http://127.0.0.1:${cfg.terminals.http.port}`;
  cfg.upstream.url = `http://127.0.0.1:${upstreamPort}/v1/events`;
  cfg.sim.upstreamPort = upstreamPort;
  // The signed roster comes from the same simulated district system, as in npm start.
  if (cfg.rosterSync?.pullUrl) cfg.rosterSync.pullUrl = `http://127.0.0.1:${upstreamPort}/v1/roster`;
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, stringify(cfg));
  return { cfg, file };
}

/** A running `estate-gateway demo` (dist/cli/main.js; build first). */
export interface DemoProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts the demo on a config file, as `npm start` does. */
export function startDemo(file: string): DemoProcess {
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=256', path.join(ROOT, 'dist', 'cli', 'main.js'), 'demo', '-c', file],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
