import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { Daemon } from '../testkit/daemon.js';
import { freePort } from '../testkit/ports.js';
import { tmpDir } from '../testkit/tmp.js';
import { type BenchBroker, startBenchBroker } from './bench-broker.js';
import { startHealthy } from './gateway-up.js';
import { type LoadgenResult, type Measurement, type Rep, summarizeReps } from './independent-summary.js';
import { childrenCpuMs, cpuMs, loadAverage, peakRssMB, perUnit } from './proc.js';
import { SBS_READERS, sideBySideGateway } from './sbs-gateway.js';
import { sideBySidePersons } from './sbs-roster.js';

/**
 * The independent pair of `npm run bench` (issue 15), measured as the reviewers'
 * shared/bench/side-by-side.sh measures it: one mosquitto with mosquitto-bench.conf's
 * settings and nothing else on it; per rep, bench/echo.mjs (the zero-work responder,
 * MQTT.js in its own process, on its own topic prefix: see CEILING_PREFIX) alone, then the gateway (`run`, production flags, 20 readers,
 * 50,000 residents) alone, each driven by bench/loadgen.mjs with side-by-side.sh's
 * arguments (30,000 reads, window 10, then 500 reads/s for 10 s). CPU per read of the
 * responder and of the broker comes from /proc over each saturation run.
 */

/** How long and how often. */
export interface IndependentOptions {
  reps: number;
  /** Reads per saturation run (side-by-side.sh: 30,000). */
  events: number;
  /** Seconds of the 500 reads/s run (side-by-side.sh: 10). */
  rateSeconds: number;
  residents: number;
}

const BENCH_DIR = path.join(import.meta.dirname, '..', '..', 'bench');
/**
 * The ceiling's topic prefix: as long as acs/v1, so its frames are the same size, but not
 * the gateway's. On acs/v1 (as side-by-side.sh does it), the stopped gateway's persistent
 * sessions queue the ceiling run's reads at the broker; past mosquitto-bench.conf's default
 * max_queued_messages (1000) the broker drops further reads for them ("Outgoing messages are
 * being dropped" in its log), so from the second rep on the restarted gateway first answers
 * ~1000 stale reads while some of loadgen's are dropped and its run ends at its 60 s timeout.
 */
const CEILING_PREFIX = 'ecv/v1';

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

async function startEcho(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(BENCH_DIR, 'echo.mjs'), url, CEILING_PREFIX], {
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
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A saturation run and a 500/s run against whatever responds on `prefix` now. */
async function measure(broker: BenchBroker, pid: number | undefined, prefix: string, o: IndependentOptions) {
  const common = [
    '--url',
    broker.url,
    '--persons',
    sideBySidePersons().join(','),
    '--reader-ids',
    SBS_READERS.join(','),
    '--prefix',
    prefix,
  ];
  const b0 = cpuMs(broker.pid);
  const r0 = cpuMs(pid);
  const l0 = childrenCpuMs();
  const sat = await loadgen([...common, '--events', String(o.events), '--window', '10']);
  // CPU over the saturation run only, read before the rate run starts.
  const responderCpuMsPerRead = perUnit(r0, cpuMs(pid), sat.answered);
  const brokerCpuMsPerRead = perUnit(b0, cpuMs(broker.pid), sat.answered);
  // loadgen.mjs has exited and been waited for: its CPU is in this process's children's.
  const loadgenCpuMsPerRead = perUnit(l0, childrenCpuMs(), sat.answered);
  const at500 = await loadgen([...common, '--rate', '500', '--seconds', String(o.rateSeconds)]);
  const m: Measurement = {
    sat,
    at500,
    responderCpuMsPerRead,
    brokerCpuMsPerRead,
    loadgenCpuMsPerRead,
    peakRssMB: null,
  };
  return m;
}

/** Runs the pair `reps` times, alternating, and returns the reps and their summary. */
export async function runIndependent(o: IndependentOptions) {
  const loadStart = loadAverage();
  const broker = await startBenchBroker();
  const { dir, cleanup } = tmpDir('bench-indep-');
  try {
    const httpPort = await freePort();
    const file = sideBySideGateway(dir, {
      estateId: 'SH-SBS',
      estateName: 'side-by-side',
      gatewayId: 'gw-sbs',
      httpPort,
      mqttUrl: broker.url,
      residents: o.residents,
    });
    const reps: Array<Rep & { load: number[] }> = [];
    for (let i = 0; i < o.reps; i++) {
      const echo = await startEcho(broker.url);
      let ceiling: Measurement;
      try {
        ceiling = await measure(broker, echo.pid, CEILING_PREFIX, o);
      } finally {
        await stop(echo);
      }
      const daemon = new Daemon(file, httpPort);
      let gateway: Measurement;
      try {
        await startHealthy(daemon, httpPort);
        gateway = await measure(broker, daemon.pid, 'acs/v1', o);
        gateway.peakRssMB = peakRssMB(daemon.pid);
      } finally {
        await daemon.kill('SIGTERM');
      }
      const rep = { ceiling, gateway, load: loadAverage() };
      reps.push(rep);
      process.stderr.write(
        `independent rep ${i + 1}: echo.mjs ${ceiling.sat.perSecond}/s, gateway ${gateway.sat.perSecond}/s, ratio ${(gateway.sat.perSecond / ceiling.sat.perSecond).toFixed(3)}; cpu/read gateway ${gateway.responderCpuMsPerRead} ms, broker ${gateway.brokerCpuMsPerRead} ms, loadgen ${gateway.loadgenCpuMsPerRead} ms; echo.mjs ${ceiling.responderCpuMsPerRead} ms, broker ${ceiling.brokerCpuMsPerRead} ms, loadgen ${ceiling.loadgenCpuMsPerRead} ms; load ${rep.load.join(' ')}\n`,
      );
    }
    return {
      tools: 'bench/loadgen.mjs + bench/echo.mjs (MQTT.js, own processes), broker as mosquitto-bench.conf',
      ...summarizeReps(reps),
      reps,
      loadAverage: { start: loadStart, end: loadAverage() },
    };
  } finally {
    await broker.stop();
    cleanup();
  }
}
