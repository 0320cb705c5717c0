import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runIndependent } from './independent.js';
import { runOwn } from './own.js';
import { loadAverage } from './proc.js';
import { runScaling } from './scaling.js';
import { selectSections } from './sections.js';
import { runUpstream } from './upstream.js';

/**
 * `npm run bench`: the sections below, in this order, each in its own broker(s) and
 * gateway(s). BENCH_ONLY=independent,scaling,… runs only those; BENCH_QUICK=1 makes every
 * section short (a smoke run, not a measurement). Prints a summary line per section with the
 * load average, and writes every figure to bench-results.json.
 */
const QUICK = process.env.BENCH_QUICK === '1';
async function main(): Promise<void> {
  const sections = selectSections(process.env.BENCH_ONLY);
  const results: Record<string, unknown> = {
    machine: { cpus: cpus().length, node: process.version },
    quick: QUICK,
    loadAverage: { start: loadAverage() },
  };
  const lines: string[] = [];
  if (sections.includes('independent')) {
    const r = await runIndependent({
      reps: QUICK ? 1 : 3,
      events: QUICK ? 10_000 : 30_000,
      rateSeconds: QUICK ? 3 : 10,
      residents: 50_000,
    });
    results.independent = r;
    const c = r.ceiling;
    const g = r.gateway;
    lines.push(
      `independent (headline, medians of ${r.reps.length} alternating reps): echo.mjs ${c.readsPerS}/s, gateway ${g.readsPerS}/s, ratio ${r.ratioMedian} (per rep ${r.ratios.join(', ')})`,
      `  at 500/s p50/p99: echo.mjs ${c.at500.p50Ms}/${c.at500.p99Ms} ms, gateway ${g.at500.p50Ms}/${g.at500.p99Ms} ms (p99 Δ ${r.p99DeltaMsAt500} ms)`,
      `  CPU ms/read: gateway ${g.cpuMsPerRead}, its broker ${g.brokerCpuMsPerRead}; echo.mjs ${c.cpuMsPerRead}, its broker ${c.brokerCpuMsPerRead}; loadgen.mjs ${g.loadgenCpuMsPerRead} (gateway) / ${c.loadgenCpuMsPerRead} (echo); gateway peak RSS ${g.peakRssMB} MB; unanswered ${c.unanswered + g.unanswered}`,
      `  load average: start ${r.loadAverage.start.join(' ')}, end ${r.loadAverage.end.join(' ')}`,
    );
  }
  if (sections.includes('scaling')) {
    // A quick run keeps two sizes; the full run all four (issue 15, item 4).
    const sizes = (process.env.BENCH_SCALING_SIZES ?? (QUICK ? '500,2000' : '500,2000,5000,20000'))
      .split(',')
      .map(Number);
    const r = await runScaling({
      sizes,
      // 7 days: a 20,000-household week is already ~0.8 M reads (a year would be ~40 M).
      days: Number(process.env.BENCH_SCALING_DAYS ?? 7),
      seed: 9101,
      events: QUICK ? 10_000 : 30_000,
      rateSeconds: QUICK ? 3 : 10,
    });
    results.scaling = r;
    lines.push(
      `scaling (${r.days}-day years, seed ${r.seed}; live = loadgen.mjs on the daemon, replay = the CLI):`,
    );
    lines.push(
      '  households  residents  replay reads  replay/s  replay CPU ms/read  live/s  live p50/p99 at 500/s  live CPU ms/read  broker CPU ms/read  live peak RSS',
    );
    for (const x of r.rows)
      lines.push(
        `  ${String(x.households).padStart(10)}  ${String(x.residents).padStart(9)}  ${String(x.replay.reads).padStart(12)}  ${String(x.replay.readsPerS).padStart(8)}  ${String(x.replay.cpuMsPerRead).padStart(18)}  ${String(x.live.readsPerS).padStart(6)}  ${`${x.live.p50MsAt500}/${x.live.p99MsAt500} ms`.padStart(21)}  ${String(x.live.cpuMsPerRead).padStart(16)}  ${String(x.live.brokerCpuMsPerRead).padStart(18)}  ${x.live.peakRssMB} MB`,
      );
    lines.push(
      `  CPU per read at ${r.growth.to} vs ${r.growth.from} households: live ×${r.growth.liveCpuPerReadRatio}, replay ×${r.growth.replayCpuPerReadRatio}; largest over smallest of any size: live ×${r.growth.liveCpuPerReadMaxOverMin}, replay ×${r.growth.replayCpuPerReadMaxOverMin} (target ≤ 2: ${r.growth.within2x ? 'MET' : 'NOT MET'}); load ${r.loadAverage.start.join(' ')} → ${r.loadAverage.end.join(' ')}`,
    );
  }
  if (sections.includes('upstream')) {
    const r = await runUpstream({
      rate: Number(process.env.BENCH_UPSTREAM_RATE ?? 600),
      seconds: QUICK ? 5 : 20,
      saturationEvents: QUICK ? 10_000 : 30_000,
      residents: 50_000,
    });
    results.upstream = r;
    const a = r.atRate;
    const s = r.saturated;
    lines.push(
      `upstream (access: all, to a second mosquitto): fed ${r.rate} reads/s for ${r.seconds} s → ${a.delivered.eventsPerS} events/s delivered, ${a.delivered.bytesPerS} B/s, lag read→delivery p50/p99 ${a.delivered.lagP50Ms}/${a.delivered.lagP99Ms} ms; gateway ${a.gatewayCpuShareOfCore} of a core (${a.gatewayCpuMsPerRead} ms/read), district broker ${a.districtBrokerCpuMsPerEvent} ms/event`,
      `  saturated: ${s.load.perSecond} reads/s at the doors → ${s.delivered.eventsPerS} events/s upstream, lag p99 ${s.delivered.lagP99Ms} ms, gateway ${s.gatewayCpuMsPerRead} ms/read; peak RSS ${r.gatewayPeakRssMB} MB; load ${r.loadAverage.start.join(' ')} → ${r.loadAverage.end.join(' ')}`,
    );
  }
  if (sections.includes('own')) {
    const r = await runOwn();
    results.own = r;
    lines.push(
      `own (load-reader vs ceiling.ts): gateway ${r.gatewayReadsPerS}/s of ${r.ceilingReadsPerS}/s = ${r.ratioMedian}; live p99 while ${r.replay.records} records replay ${r.replay.liveP99} ms; replay ${r.replay.recordsPerS}/s; peak RSS ${r.gatewayPeakRssMB} MB; import ${r.rosterImport.seconds} s`,
    );
  }
  const ind = results.independent as Awaited<ReturnType<typeof runIndependent>> | undefined;
  const own = results.own as Awaited<ReturnType<typeof runOwn>> | undefined;
  if (ind && own) {
    const ok =
      (ind.ratioMedian ?? 0) >= 0.85 &&
      (ind.p99DeltaMsAt500 ?? Number.POSITIVE_INFINITY) <= 2 &&
      own.replay.liveP99 <= 20 &&
      (ind.gateway.peakRssMB ?? Number.POSITIVE_INFINITY) < 150;
    lines.push(
      `targets (issue 15): ratio ≥ 0.85 → ${ind.ratioMedian}; p99 Δ at 500/s ≤ 2 ms → ${ind.p99DeltaMsAt500}; live p99 under replay ≤ 20 ms → ${own.replay.liveP99}; peak RSS < 150 MB → ${ind.gateway.peakRssMB}: ${ok ? 'MET' : 'NOT MET'}`,
    );
  }
  (results.loadAverage as Record<string, number[]>).end = loadAverage();
  console.log(JSON.stringify(results, null, 2));
  writeFileSync('bench-results.json', `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    [
      ...lines,
      `load average: start ${(results.loadAverage as { start: number[] }).start.join(' ')}, end ${loadAverage().join(' ')}`,
    ].join('\n'),
  );
}

await main();
