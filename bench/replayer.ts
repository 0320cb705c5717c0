import { LoadReader } from '../testkit/load-reader.js';

/**
 * A reader replaying its offline buffer, in a process of its own so that its publishing
 * does not slow the live readers' clock in the measuring process.
 * Run: node dist/bench/replayer.js URL PREFIX READER COUNT
 * Prints "done <seconds>" when the broker has acknowledged every record.
 */
const [url = 'mqtt://127.0.0.1:1883', topicPrefix = 'acs/v1', readerId = 'REPLAY', count = '100000'] =
  process.argv.slice(2);
const total = Number(count);
let person = 0;
const r = new LoadReader({
  url,
  readerId,
  topicPrefix,
  nextPerson: () => `F-R${String((person++ % 50_000) + 1).padStart(5, '0')}`,
});
await r.start();
const oldTs = new Date(Date.now() - 3_600_000).toISOString();
const t0 = performance.now();
for (let k = 0; k < total; k += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, total - k) }, () => r.send({ offline: true, ts: oldTs }).acked),
  );
}
process.stdout.write(`done ${((performance.now() - t0) / 1000).toFixed(2)}\n`);
await r.stop();
