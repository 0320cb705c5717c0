import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { median, round } from '../testkit/stats.js';

/**
 * The independent view of `npm run bench` (issue 15): bench/loadgen.mjs (MQTT.js terminals)
 * drives bench/echo.mjs — the zero-work responder, MQTT.js in its own process, nothing of
 * this project — and then the gateway, behind the same broker, alternately. Neither tool
 * imports the gateway's code, so the ratio is the one a sceptic would measure. CPU time per
 * read of the gateway and of the broker comes from /proc/<pid>/stat over each saturation run.
 */

/** One loadgen.mjs result line. */
export interface LoadgenResult {
  events: number;
  answered: number;
  seconds: number;
  perSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  unanswered: number;
}

/** Where the independent runs point. */
export interface IndependentOptions {
  /** The broker both responders sit behind. */
  url: string;
  brokerPid: number | undefined;
  gatewayPid: number | undefined;
  /** Readers the gateway knows (loadgen publishes as these). */
  readerIds: string[];
  /** Face ids of residents in the gateway's roster. */
  persons: string[];
  reps: number;
  /** Reads per saturation run and per fixed-rate run's seconds. */
  events: number;
  rateSeconds: number;
}

const BENCH_DIR = path.join(import.meta.dirname, '..', '..', 'bench');
const CLK_TCK = 100; // USER_HZ: /proc/<pid>/stat counts in 1/100 s on Linux

/** utime + stime of a process, in ms (0 when it is gone or not Linux). */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Runs bench/loadgen.mjs once and returns its JSON line. */
export function loadgen(args: string[]): Promise<LoadgenResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(BENCH_DIR, 'loadgen.mjs'), ...args],
      { maxBuffer: 1 << 20 },
      (err, stdout) => {
        if (err) reject(err);
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as LoadgenResult);
      },
    );
  });
}

async function startEcho(url: string, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(BENCH_DIR, 'echo.mjs'), url, prefix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`echo.mjs exited ${code}`)));
  });
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One variant's saturation and fixed-rate figures, with CPU per read. */
interface Run {
  sat: LoadgenResult;
  at500: LoadgenResult;
  gatewayCpuMsPerRead: number | null;
  brokerCpuMsPerRead: number;
}

/**
 * Alternates ceiling and gateway `reps` times; medians of each. The echo answers on its own
 * topic prefix (ceil/v1) so the gateway, running all along, never sees the ceiling's reads.
 */
export async function independent(o: IndependentOptions) {
  const common = ['--url', o.url, '--reader-ids', o.readerIds.join(','), '--persons', o.persons.join(',')];
  const measure = async (prefix: string, gatewayPid: number | undefined): Promise<Run> => {
    const args = [...common, '--prefix', prefix];
    const b0 = cpuMs(o.brokerPid);
    const g0 = cpuMs(gatewayPid);
    const sat = await loadgen([...args, '--events', String(o.events), '--window', '10']);
    const reads = Math.max(1, sat.answered);
    const brokerCpuMsPerRead = round((cpuMs(o.brokerPid) - b0) / reads, 4);
    const gatewayCpuMsPerRead = gatewayPid ? round((cpuMs(gatewayPid) - g0) / reads, 4) : null;
    const at500 = await loadgen([...args, '--rate', '500', '--seconds', String(o.rateSeconds)]);
    return { sat, at500, gatewayCpuMsPerRead, brokerCpuMsPerRead };
  };
  const ceil: Run[] = [];
  const gw: Run[] = [];
  for (let i = 0; i < o.reps; i++) {
    const echo = await startEcho(o.url, 'ceil/v1');
    try {
      ceil.push(await measure('ceil/v1', undefined));
    } finally {
      await stop(echo);
    }
    gw.push(await measure('acs/v1', o.gatewayPid));
    const c = ceil.at(-1) as Run;
    const g = gw.at(-1) as Run;
    process.stderr.write(
      `independent rep ${i + 1}: echo.mjs ${c.sat.perSecond}/s, gateway ${g.sat.perSecond}/s, ratio ${round(g.sat.perSecond / c.sat.perSecond, 3)}; cpu/read gateway ${g.gatewayCpuMsPerRead} ms, broker ${g.brokerCpuMsPerRead} ms\n`,
    );
  }
  const med = (runs: Run[], f: (r: Run) => number | null) =>
    round(median(runs.map(f).filter((x): x is number => x !== null)), 3);
  const summary = (runs: Run[]) => ({
    readsPerS: Math.round(med(runs, (r) => r.sat.perSecond)),
    at500: { p50: med(runs, (r) => r.at500.p50Ms), p99: med(runs, (r) => r.at500.p99Ms) },
    brokerCpuMsPerRead: med(runs, (r) => r.brokerCpuMsPerRead),
    unanswered: runs.reduce((n, r) => n + r.sat.unanswered + r.at500.unanswered, 0),
  });
  const ratios = gw.map((g, i) => g.sat.perSecond / (ceil[i] as Run).sat.perSecond);
  return {
    tools: 'bench/loadgen.mjs + bench/echo.mjs (MQTT.js, own processes)',
    ceiling: summary(ceil),
    gateway: { ...summary(gw), gatewayCpuMsPerRead: med(gw, (r) => r.gatewayCpuMsPerRead) },
    ratioMedian: round(median(ratios), 3),
    ratios: ratios.map((r) => round(r, 3)),
    p99DeltaMsAt500: round(med(gw, (r) => r.at500.p99Ms) - med(ceil, (r) => r.at500.p99Ms)),
  };
}
