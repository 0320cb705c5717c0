import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Daemon } from '../testkit/daemon.js';
import { freePort } from '../testkit/ports.js';
import { tmpDir } from '../testkit/tmp.js';
import { type BenchBroker, startBenchBroker } from './bench-broker.js';
import { startHealthy } from './gateway-up.js';
import { loadgen } from './independent.js';
import type { LoadgenResult } from './independent-summary.js';
import { cpuMs, loadAverage, peakRssMB, perUnit } from './proc.js';
import { SBS_READERS, sideBySideGateway } from './sbs-gateway.js';
import { sideBySidePersons } from './sbs-roster.js';

/**
 * The upstream section of `npm run bench` (issue 15, item 6): one gateway with
 * `upstream.access: all` publishing to a second mosquitto (the district's broker), fed by
 * bench/loadgen.mjs at a fixed rate (default 600 reads/s, docs/upstream-scale.md's peak
 * of a 200-estate district) and then at saturation. bench/upstream-sink.mjs, the district's
 * consumer, counts what the district broker delivers: events/s, bytes/s, and the lag from
 * the read's time to its delivery. CPU of the gateway and of both brokers comes from /proc.
 */

/** Rate and length. */
export interface UpstreamOptions {
  rate: number;
  seconds: number;
  saturationEvents: number;
  residents: number;
}

/** What the district's consumer saw (bench/upstream-sink.mjs's line). */
export interface SinkResult {
  messages: number;
  bytes: number;
  kinds: Record<string, { messages: number; bytes: number }>;
  seconds: number;
  eventsPerS: number;
  bytesPerS: number;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
}

const BENCH_DIR = path.join(import.meta.dirname, '..', '..', 'bench');

/** Starts the sink; resolves with its result line once it reports. */
async function startSink(url: string): Promise<{ child: ChildProcess; result: Promise<SinkResult> }> {
  const child = spawn(process.execPath, [path.join(BENCH_DIR, 'upstream-sink.mjs'), '--url', url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  const result = new Promise<SinkResult>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) ready();
    });
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as SinkResult);
      else reject(new Error(`upstream-sink.mjs exited ${code}: ${out.slice(-500)}`));
    });
  });
  await isReady;
  return { child, result };
}

/** One phase: the sink listening, loadgen driving, CPU read around the load. */
async function phase(
  readers: BenchBroker,
  district: BenchBroker,
  gatewayPid: number | undefined,
  args: string[],
) {
  const sink = await startSink(district.url);
  const g0 = cpuMs(gatewayPid);
  const r0 = cpuMs(readers.pid);
  const d0 = cpuMs(district.pid);
  const t0 = performance.now();
  const load: LoadgenResult = await loadgen([
    ...[
      '--url',
      readers.url,
      '--persons',
      sideBySidePersons().join(','),
      '--reader-ids',
      SBS_READERS.join(','),
    ],
    ...args,
  ]);
  const delivered = await sink.result;
  const wallS = (performance.now() - t0) / 1000;
  const gCpu = cpuMs(gatewayPid) - g0;
  return {
    load,
    delivered,
    gatewayCpuMsPerRead: perUnit(g0, g0 + gCpu, load.answered),
    gatewayCpuShareOfCore: Math.round((gCpu / (wallS * 1000)) * 1000) / 1000,
    readersBrokerCpuMsPerRead: perUnit(r0, cpuMs(readers.pid), load.answered),
    districtBrokerCpuMsPerEvent: perUnit(d0, cpuMs(district.pid), delivered.messages),
  };
}

/** Runs the fixed-rate phase and the saturation phase and returns both. */
export async function runUpstream(o: UpstreamOptions) {
  const loadStart = loadAverage();
  const readers = await startBenchBroker();
  const district = await startBenchBroker();
  const { dir, cleanup } = tmpDir('bench-upstream-');
  const httpPort = await freePort();
  const daemon = (() => {
    const file = sideBySideGateway(dir, {
      estateId: 'SH-UP',
      estateName: 'upstream',
      gatewayId: 'gw-up',
      httpPort,
      mqttUrl: readers.url,
      residents: o.residents,
      upstream: { enabled: true, url: district.url, access: 'all' },
    });
    return new Daemon(file, httpPort);
  })();
  try {
    await startHealthy(daemon, httpPort);
    // --events too: loadgen.mjs stops at its --events (default 10,000) even in rate mode.
    const atRate = await phase(readers, district, daemon.pid, [
      ...['--rate', String(o.rate), '--seconds', String(o.seconds)],
      ...['--events', String(o.rate * o.seconds)],
    ]);
    const saturated = await phase(readers, district, daemon.pid, [
      '--events',
      String(o.saturationEvents),
      '--window',
      '10',
    ]);
    process.stderr.write(
      `upstream at ${o.rate}/s: ${atRate.delivered.eventsPerS} events/s, ${atRate.delivered.bytesPerS} B/s, lag p99 ${atRate.delivered.lagP99Ms} ms, gateway ${atRate.gatewayCpuShareOfCore} of a core; saturated: ${saturated.load.perSecond} reads/s, ${saturated.delivered.eventsPerS} events/s upstream; load ${loadAverage().join(' ')}\n`,
    );
    return {
      rate: o.rate,
      seconds: o.seconds,
      atRate,
      saturated,
      gatewayPeakRssMB: peakRssMB(daemon.pid),
      loadAverage: { start: loadStart, end: loadAverage() },
    };
  } finally {
    await daemon.kill('SIGTERM');
    await Promise.all([readers.stop(), district.stop()]);
    cleanup();
  }
}
