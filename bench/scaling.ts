import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DAEMON_ENV, DAEMON_NODE_FLAGS, Daemon, writeConfig } from '../testkit/daemon.js';
import { freePort } from '../testkit/ports.js';
import { tmpDir } from '../testkit/tmp.js';
import { type BenchBroker, startBenchBroker } from './bench-broker.js';
import { startHealthy } from './gateway-up.js';
import { loadgen } from './independent.js';
import { cpuMs, loadAverage, peakRssMB, perUnit } from './proc.js';
import { costGrowth, parseStatChildrenCpuMs, type ScalingRow, spreadFaces } from './scaling-summary.js';

/**
 * The scaling section of `npm run bench` (issue 15, item 4): for each estate size, a
 * labelled year of the simulator (`sim year`, residents and their visitors) is replayed by
 * the real CLI (`replay`, the daemon's heap cap), and the live daemon, with the same
 * roster and readers behind a bench broker, is driven by bench/loadgen.mjs (saturation,
 * then 500 reads/s). CPU per read comes from /proc, so that "per-read cost at 20,000
 * households within 2× of 500" can be judged on a shared box. The year is capped to
 * `days` days per size: a 365-day year of 20,000 households (~40 M reads) does not fit
 * a bench run.
 */

/** Sizes and how much of each. */
export interface ScalingOptions {
  sizes: number[];
  days: number;
  seed: number;
  events: number;
  rateSeconds: number;
}

const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

/** Runs `node args` under a shell that prints its waited-for children's CPU after it: exact CPU of the child. */
function runMeasured(args: string[]): Promise<{ stdout: string; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', '"$@" || exit $?; cat /proc/$$/stat', 'sh', process.execPath, ...args], {
      env: DAEMON_ENV,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`node ${args.slice(-8).join(' ')} exited ${code}`));
      const lines = out.trim().split('\n');
      resolve({
        stdout: lines.slice(0, -1).join('\n'),
        cpuMs: parseStatChildrenCpuMs(lines.at(-1) as string),
      });
    });
  });
}

async function oneSize(broker: BenchBroker, households: number, o: ScalingOptions): Promise<ScalingRow> {
  const { dir, cleanup } = tmpDir(`bench-scale-${households}-`);
  try {
    const node = (args: string[]) =>
      execFileSync(process.execPath, [MAIN, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    node([
      'sim',
      'year',
      '--households',
      String(households),
      '--seed',
      String(o.seed),
      '--days',
      String(o.days),
      '--out',
      dir,
    ]);
    const rosterFile = path.join(dir, 'roster.json');
    const roster = JSON.parse(readFileSync(rosterFile, 'utf8'));
    const residents = (roster.households as Array<{ residents: unknown[] }>).reduce(
      (n, h) => n + h.residents.length,
      0,
    );

    // Replay: the year through the real CLI, with the daemon's flags and heap cap.
    const replayArgs = [...DAEMON_NODE_FLAGS, MAIN, 'replay', path.join(dir, 'reads.jsonl')];
    const r = await runMeasured([
      ...replayArgs,
      ...[
        '--config',
        path.join(dir, 'config.yaml'),
        '--data',
        path.join(dir, 'replay'),
        '--roster',
        rosterFile,
        '--quiet',
      ],
    ]);
    const stats = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as {
      reads: number;
      readsPerSecond: number;
      peakRssMB: number;
    };
    rmSync(path.join(dir, 'reads.jsonl'));

    // Live: the same roster and readers, behind the bench broker.
    const year = parse(readFileSync(path.join(dir, 'config.yaml'), 'utf8')) as Record<string, unknown>;
    const readers = (year.readers as Array<{ id: string }>).map((x) => x.id);
    const liveDir = path.join(dir, 'live');
    execFileSync('mkdir', ['-p', liveDir]);
    const httpPort = await freePort();
    const file = writeConfig(liveDir, {
      ...year,
      dataDir: '.',
      secretsFile: './secrets.yaml',
      http: { host: '127.0.0.1', port: httpPort },
      mqtt: { url: broker.url },
    });
    node(['roster', 'import', rosterFile, '--config', file]);
    const daemon = new Daemon(file, httpPort);
    try {
      await startHealthy(daemon, httpPort);
      // One loadgen terminal per reader id (two terminals of one id would share a client id
      // and the broker would drop one): up to 20, each with a window that keeps ~200 reads
      // outstanding, as the independent pair's 20 × 10.
      const terminals = Math.min(20, readers.length);
      const common = [
        ...['--url', broker.url, '--persons', spreadFaces(roster, 50).join(',')],
        ...['--reader-ids', readers.slice(0, terminals).join(','), '--terminals', String(terminals)],
      ];
      const g0 = cpuMs(daemon.pid);
      const b0 = cpuMs(broker.pid);
      const sat = await loadgen([
        ...common,
        '--events',
        String(o.events),
        '--window',
        String(Math.ceil(200 / terminals)),
      ]);
      const liveCpu = perUnit(g0, cpuMs(daemon.pid), sat.answered);
      const brokerCpu = perUnit(b0, cpuMs(broker.pid), sat.answered);
      const at500 = await loadgen([...common, '--rate', '500', '--seconds', String(o.rateSeconds)]);
      const row: ScalingRow = {
        households,
        residents,
        replay: {
          reads: stats.reads,
          readsPerS: stats.readsPerSecond,
          cpuMsPerRead: perUnit(0, r.cpuMs, stats.reads),
          peakRssMB: stats.peakRssMB,
        },
        live: {
          readsPerS: sat.perSecond,
          p50MsAt500: at500.p50Ms,
          p99MsAt500: at500.p99Ms,
          cpuMsPerRead: liveCpu,
          brokerCpuMsPerRead: brokerCpu,
          peakRssMB: peakRssMB(daemon.pid),
          unanswered: sat.unanswered + at500.unanswered,
        },
      };
      process.stderr.write(
        `scaling ${households} households: replay ${row.replay.reads} reads ${row.replay.readsPerS}/s ${row.replay.cpuMsPerRead} ms CPU/read; live ${row.live.readsPerS}/s p99@500 ${row.live.p99MsAt500} ms ${row.live.cpuMsPerRead} ms CPU/read; load ${loadAverage().join(' ')}\n`,
      );
      return row;
    } finally {
      await daemon.kill('SIGTERM');
    }
  } finally {
    cleanup();
  }
}

/** Runs every size in turn (smallest first) and returns the rows and how cost grew. */
export async function runScaling(o: ScalingOptions) {
  const loadStart = loadAverage();
  const broker = await startBenchBroker();
  try {
    const rows: ScalingRow[] = [];
    for (const n of o.sizes) rows.push(await oneSize(broker, n, o));
    return {
      days: o.days,
      seed: o.seed,
      rows,
      growth: costGrowth(rows),
      loadAverage: { start: loadStart, end: loadAverage() },
    };
  } finally {
    await broker.stop();
  }
}
