import { writeFileSync } from 'node:fs';
import { round } from '../testkit/stats.js';
import { brokerRestart } from './fault-broker.js';
import { diskFull } from './fault-disk.js';
import { logFlood } from './fault-flood.js';
import { cleanups } from './fault-kit.js';

/**
 * `npm run bench:faults` (issue 12): the faults an edge box meets, against the built
 * daemon — a broker SIGKILL and restart under 200 readers, a full disk under 3 readers
 * (a real tmpfs: run as root, as CI does), a flood of bad input. Prints the figures the
 * issue asks for and writes bench-faults.json. BENCH_QUICK=1 for a short smoke run.
 */
const QUICK = process.env.BENCH_QUICK === '1';

async function main(): Promise<void> {
  const broker = await brokerRestart(200, QUICK ? 4 : 10);
  process.stderr.write(`broker restart: ${JSON.stringify(broker)}\n`);
  const disk = await diskFull(QUICK ? 8 : 30);
  process.stderr.write(`disk full: ${JSON.stringify(disk)}\n`);
  const flood = await logFlood(QUICK ? 10 : 60);
  process.stderr.write(`flood: ${JSON.stringify(flood)}\n`);
  const results = { broker, disk, flood };
  writeFileSync('bench-faults.json', `${JSON.stringify(results, null, 2)}\n`);

  const b = broker;
  console.log(
    `broker restart under ${b.readers} readers, ${b.outageS} s outage: gateway sessions back p50 ${b.sessionsBackMs.p50} / p90 ${b.sessionsBackMs.p90} / max ${b.sessionsBackMs.max} ms; readers answered p50 ${b.readersAnsweredMs.p50} / p90 ${b.readersAnsweredMs.p90} / max ${b.readersAnsweredMs.max} ms after the return; unanswered ${b.unanswered}`,
  );
  if ('skipped' in disk) console.log(`disk full: skipped (${disk.skipped})`);
  else
    console.log(
      `disk full (20 MB tmpfs, 3 readers at 5 reads/s): ${disk.readsWhileFull} reads while full, answers per read mean ${round(disk.answersPerRead.mean, 3)} max ${disk.answersPerRead.max}; residents answered ${round(disk.residentsAnsweredShare * 100, 1)} %, strangers ${round(disk.strangersAnsweredShare * 100, 1)} %; late (> 5 s) ${disk.lateAnswers}; strangers unlocked ${disk.strangersUnlocked}; health free bytes ${disk.freeBytesReported}, storage_full alerts ${disk.storageFullAlerts}; log ${disk.logLinesPerMinute} lines/min; after: ${disk.journaledAfter} of ${disk.sent} journaled, integrity_check ${disk.integrity}`,
    );
  console.log(
    `log flood (${flood.seconds} s, ${flood.refusedSent} refused payloads, ${flood.refusedCounted} counted): ${flood.logLinesPerMinute} log lines/min (${flood.logKBPerMinute} KB/min); resident answered ${flood.residentAnswered} of ${flood.residentReads}, p99 ${flood.residentP99Ms} ms`,
  );
  const met =
    b.readersAnsweredMs.max <= 5000 &&
    b.unanswered === 0 &&
    ('skipped' in disk ||
      (disk.answersPerRead.max === 1 &&
        disk.lateAnswers === 0 &&
        disk.journaledAfter === disk.sent &&
        disk.integrity === 'ok' &&
        disk.freeBytesReported !== null &&
        disk.storageFullAlerts === 1)) &&
    flood.refusedCounted === flood.refusedSent;
  console.log(
    `targets: every reader answered within 5 s of the broker's return; one answer per read, none late, nothing lost, health and alert raised on a full disk; every refusal counted: ${met ? 'MET' : 'NOT MET'}`,
  );
  // CI runs this (.ci/run, as root for the tmpfs): a missed target fails the build.
  if (!met) process.exitCode = 1;
}

try {
  await main();
} finally {
  for (const f of cleanups.reverse()) await f();
}
