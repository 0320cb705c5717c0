import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDb } from '../gateway/store/db.js';
import { benchFetch, Daemon, writeConfig } from '../testkit/daemon.js';
import { LoadReader } from '../testkit/load-reader.js';
import { startMosquitto } from '../testkit/mosquitto.js';
import { freePort } from '../testkit/ports.js';
import { syntheticRoster } from '../testkit/roster-gen.js';
import { median, percentile, round } from '../testkit/stats.js';
import { tmpDir } from '../testkit/tmp.js';
import { cpuMs, loadAverage, peakRssMB, perUnit, rssMB } from './proc.js';
import { replayDone } from './replay-done.js';

/**
 * The own pair of `npm run bench` (issue 2): testkit/load-reader.ts against bench/ceiling.ts
 * (built on the gateway's own MQTT session code), then live reads while 100,000 offline
 * records replay, on mosquitto and on the embedded broker. Set BENCH_QUICK=1 for a short run.
 */
const QUICK = process.env.BENCH_QUICK === '1';
const SAT_S = QUICK ? 2 : 5;
const RATE_S = QUICK ? 3 : 10;
const REPS = QUICK ? 1 : 3;
const READERS = 20;
const WINDOW = 16;
const RESIDENTS = 50_000;
const REPLAY = QUICK ? 10_000 : 100_000;
const ROOT = path.join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function saturate(readers: LoadReader[], seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const loop = async (r: LoadReader) => {
    while (performance.now() < end) if (await r.roundTrip(5000)) done++;
  };
  const t0 = performance.now();
  await Promise.all(readers.flatMap((r) => Array.from({ length: WINDOW }, () => loop(r))));
  return done / ((performance.now() - t0) / 1000);
}

async function fixedRate(
  readers: LoadReader[],
  rate: number,
  seconds: number,
  extra?: () => boolean,
): Promise<number[]> {
  const before = readers.map((r) => r.latencies.length);
  const t0 = performance.now();
  let sent = 0;
  let i = 0;
  while (performance.now() - t0 < seconds * 1000 && (extra ? extra() : true)) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (sent < due) {
      (readers[i++ % readers.length] as LoadReader).send();
      sent++;
    }
    await sleep(1);
  }
  await sleep(500);
  return readers.flatMap((r, k) => r.latencies.slice(before[k]));
}

/** Cumulative bucket counts of the gateway's answer-time histogram (le → count). */
async function answerBuckets(port: number): Promise<Map<number, number>> {
  const text = await (await benchFetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<number, number>();
  for (const m of text.matchAll(/^estate_gateway_answer_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) {
    out.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  }
  return out;
}

/** The gateway's GC pauses so far by kind (prom-client's nodejs_gc_duration_seconds): count, ms. */
async function gcTotals(port: number): Promise<Map<string, { count: number; ms: number }>> {
  const text = await (await benchFetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, { count: number; ms: number }>();
  for (const m of text.matchAll(
    /^estate_gateway_nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} ([\d.e+-]+)$/gm,
  )) {
    const kind = m[2] as string;
    const t = out.get(kind) ?? { count: 0, ms: 0 };
    if (m[1] === 'count') t.count = Number(m[3]);
    else t.ms = Number(m[3]) * 1000;
    out.set(kind, t);
  }
  return out;
}

/**
 * GC pauses between two gcTotals() snapshots, by kind (issue 15: a live read that meets a
 * mark-compact waits for it; the count does not move with the box's load as p99 does).
 */
function gcBetween(
  before: Map<string, { count: number; ms: number }>,
  after: Map<string, { count: number; ms: number }>,
): Record<string, { count: number; ms: number }> {
  const out: Record<string, { count: number; ms: number }> = {};
  for (const [kind, a] of after) {
    const b = before.get(kind) ?? { count: 0, ms: 0 };
    out[kind] = { count: a.count - b.count, ms: round(a.ms - b.ms, 1) };
  }
  return out;
}

/**
 * Commits so far (each one fsync) and the seconds spent in them, from the gateway's
 * `/metrics`: a commit blocks the event loop for its fsync, so how many a replay costs is
 * how often a live read can meet one (issue 15). Counts do not move with the box's load.
 */
async function commitTotals(port: number): Promise<{ count: number; seconds: number }> {
  const text = await (await benchFetch(`http://127.0.0.1:${port}/metrics`)).text();
  const get = (name: string) =>
    Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    count: get('estate_gateway_commit_seconds_count'),
    seconds: get('estate_gateway_commit_seconds_sum'),
  };
}

/** The bucket bound (ms) under which fraction p of the answers between two snapshots fell. */
function bucketQuantile(before: Map<number, number>, after: Map<number, number>, p: number): number {
  const les = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  for (const le of les) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= p * total) return le * 1000;
  }
  return Number.NaN;
}

/** Runs the own pair and the replay; returns their figures. */
export async function runOwn() {
  /** Everything to stop when the run ends, however it ends. */
  const cleanups: Array<() => unknown> = [];
  try {
    return await own(cleanups);
  } finally {
    for (const f of cleanups.reverse()) await f();
  }
}

async function own(cleanups: Array<() => unknown>) {
  const mosq = await startMosquitto();
  cleanups.push(() => mosq.stop());
  const { dir, cleanup } = tmpDir('bench-');
  cleanups.push(cleanup);
  const httpPort = await freePort();
  const readerIds = Array.from({ length: READERS }, (_, i) => `L${String(i).padStart(2, '0')}`);
  const file = writeConfig(dir, {
    estate: { id: 'SH-BENCH', name: 'bench' },
    gateway: { id: 'gw-bench' },
    log: { level: 'warn' },
    http: { host: '127.0.0.1', port: httpPort },
    mqtt: { url: mosq.url, protocolVersion: 5 },
    doors: [{ id: 'GATE', name: '大门' }],
    readers: [...readerIds, 'REPLAY'].map((id) => ({ id, door: 'GATE' })),
  });

  // Roster import, as an installer runs it.
  const rosterFile = path.join(dir, 'roster.json');
  writeFileSync(rosterFile, JSON.stringify(syntheticRoster(RESIDENTS)));
  const main = path.join(ROOT, 'dist', 'cli', 'main.js');
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [main, 'roster', 'import', rosterFile, '--config', file], {
    encoding: 'utf8',
  });
  const importS = (performance.now() - t0) / 1000;
  process.stderr.write(out);

  const ceiling: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'dist', 'bench', 'ceiling.js'), mosq.url, 'ceil/v1'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(() => ceiling.kill('SIGTERM'));
  await new Promise<void>((resolve) => ceiling.stdout?.once('data', () => resolve()));
  // The ceiling answers on its own topic prefix, so the two responders never see each other's reads.
  const daemon = new Daemon(file, httpPort);
  cleanups.push(() => daemon.kill('SIGTERM'));
  await daemon.start();
  await sleep(1000);
  let person = 0;
  const nextPerson = () => `F-R${String((person++ % RESIDENTS) + 1).padStart(5, '0')}`;
  const make = (prefix: string) =>
    readerIds.map((readerId) => new LoadReader({ url: mosq.url, readerId, topicPrefix: prefix, nextPerson }));
  const cReaders = make('ceil/v1');
  const gReaders = make('acs/v1');
  cleanups.push(() => Promise.all([...cReaders, ...gReaders].map((r) => r.stop())));
  await Promise.all([...cReaders, ...gReaders].map((r) => r.start()));
  const rssIdle = rssMB(daemon.pid);
  await saturate(cReaders, 1);
  await saturate(gReaders, 1);

  const ceil: number[] = [];
  const gw: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const c = await saturate(cReaders, SAT_S);
    const g = await saturate(gReaders, SAT_S);
    ceil.push(c);
    gw.push(g);
    ratios.push(g / c);
    process.stderr.write(
      `rep ${i + 1}: ceiling ${Math.round(c)}/s, gateway ${Math.round(g)}/s, ratio ${round(g / c, 3)}\n`,
    );
  }
  const rssAfterSaturation = peakRssMB(daemon.pid);
  const cLat = await fixedRate(cReaders, 500, RATE_S);
  const gLat = await fixedRate(gReaders, 500, RATE_S);

  // Live reads while a reader replays its offline buffer: first against the ceiling
  // (what the broker and this machine allow), then against the gateway.
  const replayUnder = async (
    prefix: string,
    readers: LoadReader[],
    recorded: () => boolean,
    url = mosq.url,
  ) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'dist', 'bench', 'replayer.js'), url, prefix, 'REPLAY', String(REPLAY)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    cleanups.push(() => child.kill());
    let published = false;
    child.stdout?.on('data', () => {
      published = true;
    });
    // The measuring process's own event-loop delay: a door command that arrives while it is
    // busy is timestamped late, and counted in the live p99 as the gateway's.
    const eld = monitorEventLoopDelay({ resolution: 1 });
    eld.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const lat = await fixedRate(readers, 200, 600, () => !(published && recorded()));
    const cpu = process.cpuUsage(cpu0);
    eld.disable();
    return {
      lat,
      seconds: (performance.now() - t0) / 1000,
      benchLoopDelayP99Ms: round(eld.percentile(99) / 1e6),
      benchCpuMsPerRecord: round((cpu.user + cpu.system) / 1000 / REPLAY, 4),
    };
  };
  const ceilReplay = await replayUnder('ceil/v1', cReaders, () => true);
  const db = openDb(path.join(dir, 'gateway.db'), { readonly: true });
  const offlineDone = replayDone(db, 'REPLAY', REPLAY);
  const bucketsBefore = await answerBuckets(httpPort);
  const gcBefore = await gcTotals(httpPort);
  const commitsBefore = await commitTotals(httpPort);
  // CPU of the gateway and the broker over the replay (issue 15: wall time on a shared
  // box moves with the other work; CPU per record much less), and the load beside it.
  // Per replayed record, the live reads of the same seconds included.
  const loadAtReplay = loadAverage();
  const cpuBefore = { gw: cpuMs(daemon.pid), broker: cpuMs(mosq.pid) };
  const gwReplay = await replayUnder('acs/v1', gReaders, () => {
    if (daemon.exited) throw new Error(`the gateway died during the replay:\n${daemon.stderr.slice(-3000)}`);
    return offlineDone();
  });
  const cpuAfter = { gw: cpuMs(daemon.pid), broker: cpuMs(mosq.pid) };
  const bucketsAfter = await answerBuckets(httpPort);
  const gcDuringReplay = gcBetween(gcBefore, await gcTotals(httpPort));
  const commitsAfter = await commitTotals(httpPort);
  const liveDuringReplay = gwReplay.lat;
  const replayS = gwReplay.seconds;
  db.close();

  const rss = peakRssMB(daemon.pid);

  // The same replay on the embedded broker, where a reader's PUBACK waits for the commit
  // and a replaying terminal is therefore paced by the gateway, not by a broker.
  const embDir = tmpDir('bench-emb-');
  cleanups.push(embDir.cleanup);
  const embHttp = await freePort();
  const embBroker = await freePort();
  const embFile = writeConfig(embDir.dir, {
    estate: { id: 'SH-BENCH', name: 'bench' },
    gateway: { id: 'gw-bench-emb' },
    log: { level: 'warn' },
    http: { host: '127.0.0.1', port: embHttp },
    mqtt: { url: null, embedded: { host: '127.0.0.1', port: embBroker, requireAuth: false } },
    doors: [{ id: 'GATE', name: '大门' }],
    readers: [...readerIds, 'REPLAY'].map((id) => ({ id, door: 'GATE' })),
  });
  execFileSync(process.execPath, [main, 'roster', 'import', rosterFile, '--config', embFile]);
  const emb = new Daemon(embFile, embHttp);
  cleanups.push(() => emb.kill('SIGTERM'));
  await emb.start();
  const embUrl = `mqtt://127.0.0.1:${embBroker}`;
  const eReaders = readerIds.map((readerId) => new LoadReader({ url: embUrl, readerId, nextPerson }));
  cleanups.push(() => Promise.all(eReaders.map((r) => r.stop())));
  await Promise.all(eReaders.map((r) => r.start()));
  const embDb = openDb(path.join(embDir.dir, 'gateway.db'), { readonly: true });
  const embReplay = await replayUnder('acs/v1', eReaders, replayDone(embDb, 'REPLAY', REPLAY), embUrl);
  embDb.close();
  const embRss = peakRssMB(emb.pid);
  const heap = (await (await benchFetch(`http://127.0.0.1:${httpPort}/metrics`)).text())
    .split('\n')
    .filter((l) =>
      /^estate_gateway_nodejs_heap_space_size_(used|total)_bytes\{space="(new|old|large_object)"\}/.test(l),
    )
    .map((l) =>
      l
        .replace('estate_gateway_nodejs_heap_space_size_', '')
        .replace(/ (\d+)$/, (_m, b: string) => ` ${Math.round(Number(b) / 1048576)}MB`),
    );
  process.stderr.write(`gateway heap after replay: ${heap.join(', ')}\n`);
  const results = {
    own: "testkit/load-reader.ts against bench/ceiling.ts (the gateway's own MQTT session code)",
    readers: READERS,
    window: WINDOW,
    ceilingReadsPerS: Math.round(median(ceil)),
    gatewayReadsPerS: Math.round(median(gw)),
    ratioMedian: round(median(ratios), 3),
    ratios: ratios.map((r) => round(r, 3)),
    at500PerS: {
      ceiling: { p50: round(percentile(cLat, 50)), p99: round(percentile(cLat, 99)), n: cLat.length },
      gateway: { p50: round(percentile(gLat, 50)), p99: round(percentile(gLat, 99)), n: gLat.length },
      p99DeltaMs: round(percentile(gLat, 99) - percentile(cLat, 99)),
    },
    replay: {
      records: REPLAY,
      seconds: round(replayS, 1),
      recordsPerS: Math.round(REPLAY / replayS),
      liveP50: round(percentile(liveDuringReplay, 50)),
      liveP99: round(percentile(liveDuringReplay, 99)),
      liveSamples: liveDuringReplay.length,
      benchLoopDelayP99Ms: gwReplay.benchLoopDelayP99Ms,
      benchCpuMsPerRecord: gwReplay.benchCpuMsPerRecord,
      gatewayCpuMsPerRecord: perUnit(cpuBefore.gw, cpuAfter.gw, REPLAY),
      brokerCpuMsPerRecord: perUnit(cpuBefore.broker, cpuAfter.broker, REPLAY),
      loadAverage: { start: loadAtReplay, end: loadAverage() },
      gatewayGc: gcDuringReplay,
      gatewayCommits: commitsAfter.count - commitsBefore.count,
      gatewayCommitMs: round((commitsAfter.seconds - commitsBefore.seconds) * 1000, 1),
      gatewayInternalP50AtMostMs: bucketQuantile(bucketsBefore, bucketsAfter, 0.5),
      gatewayInternalP99AtMostMs: bucketQuantile(bucketsBefore, bucketsAfter, 0.99),
      embedded: {
        seconds: round(embReplay.seconds, 1),
        recordsPerS: Math.round(REPLAY / embReplay.seconds),
        liveP50: round(percentile(embReplay.lat, 50)),
        liveP99: round(percentile(embReplay.lat, 99)),
        liveSamples: embReplay.lat.length,
        peakRssMB: embRss,
      },
      naiveSingleSessionResponderLiveP50: round(percentile(ceilReplay.lat, 50)),
      naiveSingleSessionResponderLiveP99: round(percentile(ceilReplay.lat, 99)),
    },
    gatewayPeakRssMB: rss,
    gatewayRssMB: { idleWithRoster: rssIdle, peakAfterSaturation: rssAfterSaturation, peakAfterReplay: rss },
    rosterImport: { residents: RESIDENTS, seconds: round(importS, 2) },
  };
  const gcLine = Object.entries(gcDuringReplay)
    .map(([kind, g]) => `${kind} ${g.count} (${g.ms} ms)`)
    .join(', ');
  process.stderr.write(
    `own: gateway ${results.gatewayReadsPerS}/s of ceiling.ts ${results.ceilingReadsPerS}/s = ${results.ratioMedian}; live p99 under replay ${results.replay.liveP99} ms (the measuring process's loop delay p99 ${results.replay.benchLoopDelayP99Ms} ms, its CPU ${results.replay.benchCpuMsPerRecord} ms a record); gateway commits during the replay ${results.replay.gatewayCommits} (${results.replay.gatewayCommitMs} ms); gateway GC during the replay: ${gcLine}\n`,
  );
  return results;
}
