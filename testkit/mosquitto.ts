import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';
import { tmpDir } from './tmp.js';

/** Path of the mosquitto binary; tests that need it fail loudly when it is missing (.ci/run installs it). */
export function mosquittoBinary(): string {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'])
    if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  throw new Error('mosquitto is not installed: `apt-get install mosquitto` (.ci/run does this)');
}

export interface Mosquitto {
  port: number;
  url: string;
  dir: string;
  /** Pid of the broker process (CPU time per read from /proc in the bench). */
  readonly pid: number | undefined;
  /** Stops the broker (SIGTERM, persistence saved). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same persistence directory. */
  restart(): Promise<void>;
  /** Kills the broker with SIGKILL (a crash: nothing saved since the last autosave). */
  kill(): Promise<void>;
  /** Starts a killed or stopped broker again; resolves once it accepts connections. */
  start(): Promise<void>;
}

/**
 * Starts a private mosquitto on a free port with the settings docs/mosquitto.conf asks for:
 * persistence, TCP_NODELAY, no cap on the queue of an offline session.
 */
export interface MosquittoOptions {
  maxQueued?: number;
  /** Replaces the plain listener: lines for the listener(s) and their TLS files. */
  listener?: (port: number, dir: string) => string[];
  /** Extra configuration lines (passwords, ACLs…); `dir` is the broker's own directory. */
  extra?: (dir: string) => string[];
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Mosquitto> {
  const bin = mosquittoBinary();
  const port = await freePort();
  const { dir, cleanup } = tmpDir('mosq-');
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      // Started as root, mosquitto drops to its own user and cannot read our temp dir.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      ...(opts.listener ? opts.listener(port, dir) : [`listener ${port} 127.0.0.1`, 'allow_anonymous true']),
      ...(opts.extra ? opts.extra(dir) : []),
      'persistence true',
      `persistence_location ${dir}/`,
      'set_tcp_nodelay true',
      `max_queued_messages ${opts.maxQueued ?? 0}`,
      ...(process.env.MOSQ_INFLIGHT ? [`max_inflight_messages ${process.env.MOSQ_INFLIGHT}`] : []),
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      ...(process.env.MOSQ_LOG ? ['log_type all'] : []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(bin, ['-c', conf], {
      stdio: ['ignore', 'ignore', process.env.MOSQ_LOG ? 'inherit' : 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => {
      if (code && code !== 0) process.stderr.write(`mosquitto exited ${code}: ${err}\n`);
    });
    await waitForPort(port);
  };
  await launch();
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };
  return {
    port,
    url: `${opts.listener ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child?.pid;
    },
    stop: async () => {
      await stop();
      cleanup();
    },
    restart: async () => {
      await stop();
      await launch();
    },
    kill: () => stop('SIGKILL'),
    start: launch,
  };
}
