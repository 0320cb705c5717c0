import t from 'tap';
import { benchBrokerConf } from '../../bench/bench-broker.js';
import { type LoadgenResult, type Measurement, summarizeReps } from '../../bench/independent-summary.js';
import {
  childrenCpuMs,
  parseSmaps,
  parseStatChildrenCpuMs,
  parseStatCpuMs,
  perUnit,
  rssParts,
} from '../../bench/proc.js';
import { sideBySidePersons, sideBySideRoster } from '../../bench/sbs-roster.js';
import { selectSections } from '../../bench/sections.js';

const run = (perSecond: number, p99Ms = 1, unanswered = 0): LoadgenResult => ({
  events: 30_000,
  answered: 30_000 - unanswered,
  seconds: 30_000 / perSecond,
  perSecond,
  p50Ms: p99Ms / 2,
  p99Ms,
  maxMs: p99Ms * 2,
  unanswered,
});
const m = (perSecond: number, p99: number, cpu: number | null, rss: number | null = null): Measurement => ({
  sat: run(perSecond),
  at500: run(500, p99),
  responderCpuMsPerRead: cpu,
  brokerCpuMsPerRead: 0.04,
  peakRssMB: rss,
});

t.test('the ratio is the median of per-rep ratios, each against the ceiling of its own rep', async (t) => {
  const s = summarizeReps([
    { ceiling: m(20_000, 1.2, 0.02), gateway: m(12_000, 3, 0.1, 160) },
    // A rep where the box was busy: both sides slow, the ratio of that rep stays sensible.
    { ceiling: m(8_000, 1.3, 0.03), gateway: m(6_400, 3.5, 0.12, 170) },
    { ceiling: m(22_000, 1.1, 0.02), gateway: m(13_200, 2.9, 0.09, 165) },
  ]);
  t.same(s.ratios, [0.6, 0.8, 0.6]);
  t.equal(s.ratioMedian, 0.6);
  t.equal(s.ceiling.readsPerS, 20_000);
  t.equal(s.gateway.readsPerS, 12_000);
  t.equal(s.gateway.at500.p99Ms, 3);
  t.equal(s.ceiling.at500.p99Ms, 1.2);
  t.equal(s.p99DeltaMsAt500, 1.8);
  t.equal(s.gateway.cpuMsPerRead, 0.1);
  t.equal(s.gateway.peakRssMB, 165);
  t.equal(s.ceiling.peakRssMB, null, 'no RSS measured for the ceiling');
});

t.test('unanswered reads are summed over every run of a responder', async (t) => {
  const g = m(10_000, 3, 0.1);
  g.sat = run(10_000, 3, 10);
  const s = summarizeReps([{ ceiling: m(20_000, 1, 0.02), gateway: g }]);
  t.equal(s.gateway.unanswered, 10);
  t.equal(s.ceiling.unanswered, 0);
});

t.test('no reps is an error, not a ratio of NaN', async (t) => {
  t.throws(() => summarizeReps([]), /no reps/);
});

t.test('CPU time from /proc/<pid>/stat, with a command name holding spaces and parentheses', async (t) => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
  const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 11 0';
  t.equal(parseStatCpuMs(stat), 3250);
  t.throws(() => parseStatCpuMs('garbage'), /not a \/proc/);
  t.equal(perUnit(1000, 4000, 30_000), 0.1);
  t.equal(perUnit(1000, 4000, 0), null, 'no reads, no per-read figure');
});

t.test("children's CPU (cutime + cstime) from /proc/<pid>/stat: what loadgen.mjs used", async (t) => {
  const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 40 2 20 0 11 0';
  t.equal(parseStatChildrenCpuMs(stat), 420);
  t.throws(() => parseStatChildrenCpuMs('garbage'), /not a \/proc/);
  // A child that burns CPU and exits is counted once it has been waited for.
  const before = childrenCpuMs();
  const { execFileSync } = await import('node:child_process');
  // The child spins until it has used 300 ms of CPU (not of wall time: the box may be busy).
  execFileSync(process.execPath, ['-e', 'while (process.cpuUsage().user < 300_000);']);
  t.ok(childrenCpuMs() - before >= 290, `a child of 300 ms CPU counted (${childrenCpuMs() - before} ms)`);
});

t.test('BENCH_ONLY picks sections in run order and rejects unknown names', async (t) => {
  t.same(selectSections(undefined), ['independent', 'scaling', 'upstream', 'own']);
  t.same(selectSections('own, independent'), ['independent', 'own']);
  t.same(selectSections('independent'), ['independent']);
  t.throws(() => selectSections('indepndent'), /unknown section "indepndent"/);
});

t.test("the bench broker has mosquitto-bench.conf's settings", async (t) => {
  const conf = benchBrokerConf(41234, false);
  t.match(conf, /^listener 41234 127\.0\.0\.1$/m);
  t.match(conf, /^set_tcp_nodelay true$/m);
  t.match(conf, /^persistence false$/m);
  t.notMatch(conf, /max_queued_messages|max_inflight_messages|user root/);
  t.match(benchBrokerConf(1, true), /^user root$/m);
});

t.test("side-by-side.sh's roster: three a household, every tenth moved out, faces P00001…", async (t) => {
  const r = sideBySideRoster(30) as {
    households: Array<{ residents: Array<{ status: string; credentials: { face: string[] } }> }>;
  };
  t.equal(r.households.length, 10);
  const all = r.households.flatMap((h) => h.residents);
  t.equal(all.length, 30);
  t.same(
    all.filter((p) => p.status === 'moved_out').map((p) => p.credentials.face[0]),
    ['P00010', 'P00020', 'P00030'],
  );
  t.same(sideBySidePersons(3), ['P00001', 'P00002', 'P00003']);
});

t.test('smaps are summed by kind of mapping: the node binary, other files, malloc, anonymous', async (t) => {
  const smaps = [
    '00400000-04000000 r-xp 00000000 08:01 1234 /usr/bin/node',
    'Rss:               20480 kB',
    '04000000-05000000 r--p 03c00000 08:01 1234 /usr/bin/node',
    'Rss:                1024 kB',
    '05000000-06000000 rw-p 00000000 00:00 0 [heap]',
    'Size:              16384 kB',
    'Rss:                3072 kB',
    '7f0000000000-7f0000400000 rw-p 00000000 00:00 0 ',
    'Rss:                4096 kB',
    '7f0000400000-7f0000500000 r-xp 00000000 08:01 99 /usr/lib/libc.so.6',
    'Rss:                 512 kB',
    '7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]',
    'Rss:                 128 kB',
  ].join('\n');
  t.same(parseSmaps(smaps, '/usr/bin/node'), { binary: 21, files: 0.5, malloc: 3, anon: 4.1, total: 28.6 });
  // This process's own parts add up to its VmRSS (within a page or two between the reads).
  const own = rssParts(process.pid);
  t.ok(own && own.binary > 0 && own.anon > 0, 'the running process has binary and anonymous pages');
  t.equal(rssParts(undefined), null);
});
