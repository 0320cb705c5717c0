import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { benchFetch, DAEMON_NODE_FLAGS, Daemon, writeConfig } from '../testkit/daemon.js';
import { LoadReader } from '../testkit/load-reader.js';
import { startMosquitto } from '../testkit/mosquitto.js';
import { freePort } from '../testkit/ports.js';
import { syntheticRoster } from '../testkit/roster-gen.js';
import { tmpDir } from '../testkit/tmp.js';
import { loadgen } from './independent.js';
import { cpuMs, mainThreadCpuMs, rssParts } from './proc.js';

/**
 * `node dist/bench/profile.js [seconds] [profileDir]`: the gateway under saturation with
 * V8's CPU profiler on, for finding where a read's time goes. Writes a .cpuprofile; sum it
 * by stage with `node dist/bench/profile-report.js FILE`. LOADGEN=N drives the gateway with
 * N reads from the independent bench/loadgen.mjs (MQTT.js) instead of the own load reader,
 * and prints the gateway's CPU ms per read (/proc) and its peak RSS, the broker's CPU ms per
 * read and the commits (LOADGEN_REPS=N: N runs on the same daemon; LOADGEN_RATE=R: R reads/s
 * for LOADGEN_SECONDS instead of saturation, with the answer and commit histograms). NOPROF=1: no profiler
 * (for CPU per read without the profiler's own cost). ALLOC=1: an allocation profile of a
 * window of the run instead (bench/alloc-sampler.mjs; ALLOC_DIR, ALLOC_START_MS, ALLOC_MS).
 */
const seconds = Number(process.argv[2] ?? 5);
const profDir = process.argv[3] ?? 'var/profile';
const mosq = await startMosquitto();
const { dir, cleanup } = tmpDir('prof-');
const httpPort = await freePort();
const ids = Array.from({ length: 20 }, (_, i) => `L${i}`);
const file = writeConfig(dir, {
  estate: { id: 'SH-P', name: 'p' },
  gateway: { id: 'gw' },
  log: { level: 'warn' },
  http: { host: '127.0.0.1', port: httpPort },
  mqtt: { url: mosq.url },
  doors: [{ id: 'GATE', name: 'g' }],
  readers: ids.map((id) => ({ id, door: 'GATE' })),
});
writeFileSync(path.join(dir, 'r.json'), JSON.stringify(syntheticRoster(50_000)));
execFileSync(process.execPath, [
  path.join(import.meta.dirname, '..', 'cli', 'main.js'),
  'roster',
  'import',
  path.join(dir, 'r.json'),
  '--config',
  file,
]);
const d = new Daemon(file, httpPort, [
  ...(process.env.NODEFLAGS !== undefined
    ? process.env.NODEFLAGS.split(' ').filter(Boolean)
    : DAEMON_NODE_FLAGS),
  ...(process.env.ALLOC
    ? [`--import=${path.join(import.meta.dirname, '..', '..', 'bench', 'alloc-sampler.mjs')}`]
    : []),
  ...(process.env.NOPROF || process.env.ALLOC
    ? []
    : process.env.HEAP
      ? [`--heap-prof`, `--heap-prof-dir=${path.resolve(profDir)}`, `--heap-prof-interval=65536`]
      : [`--cpu-prof`, `--cpu-prof-dir=${path.resolve(profDir)}`]),
]);
await d.start();
const peak = () =>
  readFileSync(`/proc/${d.pid}/status`, 'utf8')
    .split('\n')
    .filter((l) => /VmHWM|VmRSS/.test(l))
    .join(' ');
if (process.env.LOADGEN) {
  console.log(`after start: ${peak()}`);
  console.log(await memory());
  // LOADGEN_REPS=N: N saturation runs on the same daemon; the first pays the JIT's
  // compilation of a fresh process, the later ones show the warm cost per read.
  const reps = Math.max(1, Number(process.env.LOADGEN_REPS ?? 1));
  for (let rep = 1; rep <= reps; rep++) {
    const c0 = cpuMs(d.pid);
    const t0 = mainThreadCpuMs(d.pid);
    const b0 = cpuMs(mosq.pid);
    const m0 = await commitCounts();
    const r = await loadgen([
      '--url',
      mosq.url,
      '--reader-ids',
      ids.join(','),
      '--persons',
      Array.from({ length: 50 }, (_, i) => `F-R${String(i * 997 + 1).padStart(5, '0')}`).join(','),
      // LOADGEN_RATE=R: R reads/s for LOADGEN_SECONDS (10) instead of saturation.
      ...(process.env.LOADGEN_RATE
        ? ['--rate', process.env.LOADGEN_RATE, '--seconds', process.env.LOADGEN_SECONDS ?? '10']
        : ['--events', process.env.LOADGEN, '--window', '10']),
    ]);
    const c1 = cpuMs(d.pid);
    const t1 = mainThreadCpuMs(d.pid);
    const b1 = cpuMs(mosq.pid);
    const m1 = await commitCounts();
    const n = Math.max(1, r.answered);
    const commits = m1.commits - m0.commits;
    console.log(`loadgen.mjs: ${JSON.stringify(r)}`);
    console.log(
      `rep ${rep}: commits ${commits}, ${(n / Math.max(1, commits)).toFixed(1)} reads/commit, ` +
        `${((1000 * (m1.seconds - m0.seconds)) / Math.max(1, commits)).toFixed(2)} ms/commit; ` +
        `broker CPU ${((b1 - b0) / n).toFixed(4)} ms/read`,
    );
    if (process.env.LOADGEN_RATE) console.log(await histograms());
    console.log(
      `gateway CPU ${(c1 - c0) / n} ms/read (main thread ${(t1 - t0) / n}); ${peak()}; load ${loadavg()}`,
    );
    console.log(await memory());
  }
  await d.kill('SIGTERM');
  await mosq.stop();
  cleanup();
  process.exit(0);
}

/**
 * Where the daemon's resident memory is now: /proc's smaps by kind of mapping, and the V8
 * heap (committed, per space, and external) from its /metrics, MB.
 */
async function memory(): Promise<string> {
  const m = await (await benchFetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const mb = (re: RegExp) =>
    m
      .split('\n')
      .filter((l) => re.test(l))
      .map((l) => {
        const space = /space="(\w+)"/.exec(l)?.[1];
        const v = (Number(l.split(' ').at(-1)) / 2 ** 20).toFixed(1);
        return space ? `${space.replace('_space', '')} ${v}` : v;
      })
      .join(', ');
  return (
    `memory: ${JSON.stringify(rssParts(d.pid))}; V8 heap committed ${mb(/^estate_gateway_nodejs_heap_size_total_bytes /)}` +
    ` (${mb(/^estate_gateway_nodejs_heap_space_size_total_bytes\{/)}), used ${mb(/^estate_gateway_nodejs_heap_size_used_bytes /)},` +
    ` external ${mb(/^estate_gateway_nodejs_external_memory_bytes /)}; GC since start ${gcs(m)}`
  );
}

/** The daemon's GCs since start by kind (prom-client's histogram): how many, and their main-thread seconds. */
function gcs(metrics: string): string {
  const of = (what: 'count' | 'sum', kind: string) =>
    Number(
      metrics
        .split('\n')
        .find((l) => l.startsWith(`estate_gateway_nodejs_gc_duration_seconds_${what}{kind="${kind}"}`))
        ?.split(' ')
        .at(-1) ?? 0,
    );
  return ['minor', 'major', 'incremental']
    .map((k) => `${k} ${of('count', k)} (${of('sum', k).toFixed(2)} s)`)
    .join(', ');
}

/** The daemon's answer and commit histograms (cumulative since start), for a rate run. */
async function histograms(): Promise<string> {
  const m = await (await benchFetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return m
    .split('\n')
    .filter((l) => /^estate_gateway_(answer_seconds|commit_seconds|commit_rows)_(bucket|sum|count)/.test(l))
    .join('\n');
}

/** The daemon's commits so far and their time (its /metrics). */
async function commitCounts(): Promise<{ commits: number; seconds: number }> {
  const m = await (await benchFetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const num = (name: string) =>
    Number(/^\S+ (\S+)$/.exec(m.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1] ?? 0);
  return {
    commits: num('estate_gateway_commit_seconds_count'),
    seconds: num('estate_gateway_commit_seconds_sum'),
  };
}
let p = 0;
const readers = ids.map(
  (readerId) =>
    new LoadReader({
      url: mosq.url,
      readerId,
      nextPerson: () => `F-R${String((p++ % 50000) + 1).padStart(5, '0')}`,
    }),
);
await Promise.all(readers.map((r) => r.start()));
const end = performance.now() + seconds * 1000;
let n = 0;
await Promise.all(
  readers.flatMap((r) =>
    Array.from({ length: 16 }, async () => {
      while (performance.now() < end) if (await r.roundTrip()) n++;
    }),
  ),
);
console.log(`${Math.round(n / seconds)} round trips/s`);
console.log(peak());
const m = await (await benchFetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
console.log(
  m
    .split('\n')
    .filter((l) =>
      /^estate_gateway_(process_resident|nodejs_heap_size|nodejs_external|nodejs_heap_space_size_used_bytes|nodejs_heap_space_size_total)/.test(
        l,
      ),
    )
    .join('\n'),
);
await Promise.all(readers.map((r) => r.stop()));
const code = await d.kill('SIGTERM');
console.log('daemon exit', code, d.stderr.slice(-2000));
await mosq.stop();
cleanup();
