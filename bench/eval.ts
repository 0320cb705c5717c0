import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDb } from '../gateway/store/db.js';
import type { Labels } from '../sim/year/labels.js';
import { DAEMON_ENV, DAEMON_NODE_FLAGS } from '../testkit/daemon.js';
import { tmpDir } from '../testkit/tmp.js';
import { type FoundCase, type KindScore, score } from './eval-score.js';

/**
 * `npm run eval` (issue 4): three labelled years on seeds the detectors were not tuned
 * on (tuning used seed 101), each replayed into a fresh data dir by the real CLI under
 * the daemon's heap cap; prints precision, recall and median detection delay per kind,
 * reads/s and peak RSS, and writes eval-results.json. EVAL_HOUSEHOLDS, EVAL_SEEDS and
 * EVAL_DAYS shrink it for a quick look.
 */
const HOUSEHOLDS = Number(process.env.EVAL_HOUSEHOLDS ?? 5000);
const SEEDS = (process.env.EVAL_SEEDS ?? '8101,8202,8303').split(',').map(Number);
const DAYS = Number(process.env.EVAL_DAYS ?? 365);
const KINDS = [
  'suspected_sublet',
  'overcrowding',
  'credential_shared',
  'leaseholder_absent',
  'stranger_recurrent',
] as const;
const ROOT = path.join(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

interface SeedResult {
  seed: number;
  reads: number;
  replaySeconds: number;
  readsPerSecond: number;
  peakRssMB: number;
  scores: KindScore[];
}

function runSeed(seed: number): SeedResult {
  const { dir, cleanup } = tmpDir(`eval-${seed}-`);
  try {
    const node = (args: string[], flags: string[] = []) =>
      execFileSync(process.execPath, [...flags, MAIN, ...args], {
        encoding: 'utf8',
        env: DAEMON_ENV,
        maxBuffer: 1 << 26,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    process.stderr.write(`seed ${seed}: generating ${HOUSEHOLDS} households × ${DAYS} days…\n`);
    node([
      'sim',
      'year',
      '--households',
      String(HOUSEHOLDS),
      '--seed',
      String(seed),
      '--days',
      String(DAYS),
      '--out',
      dir,
    ]);
    process.stderr.write(`seed ${seed}: replaying…\n`);
    const out = node(
      [
        'replay',
        path.join(dir, 'reads.jsonl'),
        '--config',
        path.join(dir, 'config.yaml'),
        '--data',
        path.join(dir, 'data'),
        '--roster',
        path.join(dir, 'roster.json'),
      ],
      DAEMON_NODE_FLAGS,
    );
    const stats = JSON.parse(out.trim().split('\n').at(-1) as string) as {
      reads: number;
      seconds: number;
      readsPerSecond: number;
      peakRssMB: number;
    };
    rmSync(path.join(dir, 'reads.jsonl'));
    const labels = JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8')) as Labels;
    const db = openDb(path.join(dir, 'data', 'gateway.db'), { readonly: true });
    const cases = db
      .prepare(
        `SELECT c.kind, c.household_id AS householdId, a.door_id AS doorId, c.detected_ts AS detectedTs
           FROM cases c LEFT JOIN alerts a ON a.id = c.alert_id WHERE c.source = 'detector'`,
      )
      .all() as FoundCase[];
    db.close();
    return {
      seed,
      reads: stats.reads,
      replaySeconds: stats.seconds,
      readsPerSecond: stats.readsPerSecond,
      peakRssMB: stats.peakRssMB,
      scores: score(labels, cases, KINDS),
    };
  } finally {
    cleanup();
  }
}

const results = SEEDS.map(runSeed);
const pad = (s: unknown, n: number) => String(s).padEnd(n);
console.log(`\nestate-gateway eval — ${HOUSEHOLDS} households × ${DAYS} days, seeds ${SEEDS.join(', ')}\n`);
console.log(
  `${pad('seed', 6)}${pad('kind', 20)}${pad('labelled', 10)}${pad('found', 7)}${pad('TP', 5)}${pad('precision', 11)}${pad('recall', 8)}median delay (d)`,
);
for (const r of results)
  for (const s of r.scores)
    console.log(
      `${pad(r.seed, 6)}${pad(s.kind, 20)}${pad(s.labelled, 10)}${pad(s.found, 7)}${pad(s.truePositives, 5)}${pad(s.precision, 11)}${pad(s.recall, 8)}${s.medianDelayDays ?? '-'}`,
    );
console.log('');
for (const r of results)
  for (const s of r.scores) {
    const fp = Object.entries(s.falsePositives).map(([why, n]) => `${n} × ${why}`);
    if (fp.length > 0)
      console.log(`seed ${r.seed}: false ${s.kind} cases on households labelled ${fp.join(', ')}`);
  }
console.log('');
for (const r of results)
  console.log(
    `seed ${r.seed}: ${r.reads} reads replayed in ${(r.replaySeconds / 60).toFixed(1)} min (${r.readsPerSecond} reads/s), peak RSS ${r.peakRssMB} MB`,
  );
writeFileSync('eval-results.json', JSON.stringify({ households: HOUSEHOLDS, days: DAYS, results }, null, 2));
