import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { mosquittoBinary } from '../testkit/mosquitto.js';
import { freePort, waitForPort } from '../testkit/ports.js';
import { tmpDir } from '../testkit/tmp.js';

/**
 * The broker of the independent measurements: mosquitto with exactly the reviewers'
 * `mosquitto-bench.conf` (listener, anonymous, TCP_NODELAY, no persistence, mosquitto's
 * default queue and inflight limits), on a free port. The responder and the gateway are
 * measured behind the same broker with the same settings, and nothing else is connected to
 * it, so that its CPU per read is theirs alone.
 */

/** A running bench broker. */
export interface BenchBroker {
  url: string;
  port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** The configuration lines, as in shared/bench/mosquitto-bench.conf, for `port`. */
export function benchBrokerConf(port: number, asRoot: boolean): string {
  return [
    // Started as root, mosquitto drops to its own user; keep root so it can read our temp dir.
    ...(asRoot ? ['user root'] : []),
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'set_tcp_nodelay true',
    'persistence false',
    '',
  ].join('\n');
}

/** Starts the bench broker; resolves once it accepts connections. */
export async function startBenchBroker(): Promise<BenchBroker> {
  const port = await freePort();
  const { dir, cleanup } = tmpDir('bench-mosq-');
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, benchBrokerConf(port, process.getuid?.() === 0));
  const child = spawn(mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      cleanup();
    },
  };
}
