import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Checked } from '../gateway/pipeline/check.js';
import { Journal } from '../gateway/pipeline/journal.js';
import { openDb } from '../gateway/store/db.js';
import { Store } from '../gateway/store/store.js';
import { tmpDir } from '../testkit/tmp.js';

/**
 * `node dist/bench/journal-cpu.js [reads] [batch]`: the journal stage alone — one
 * transaction of `batch` appends whose `INSERT OR IGNORE` is the dedupe, as the live path
 * does since p-dedupe5 (HAS=1: a lookup per read before it, outside the transaction, as
 * before) — on a
 * file database with the daemon's pragmas, and the CPU it costs per read
 * (`process.cpuUsage`, this process only), checkpoints included. For this bench only:
 * SYNC=OFF|NORMAL sets `synchronous`, to see SQLite's CPU without the fsync's wait (the
 * daemon always runs FULL); CKPT=0 turns autocheckpoints off and prints the WAL bytes a
 * read writes; SQL runs a statement after the migrations (try a schema change: `DROP
 * INDEX …`, `PRAGMA wal_autocheckpoint = N`); PAGE sets a new file's page size. HOUSEHOLDS (default 20,000) spreads the reads'
 * households as an estate would: each index keyed by household lands on a random page.
 */
const reads = Number(process.argv[2] ?? 100_000);
const batch = Number(process.argv[3] ?? 80);
const households = Number(process.env.HOUSEHOLDS ?? 20_000);
const { dir, cleanup } = tmpDir('jcpu-');
const file = path.join(dir, 'g.db');
if (process.env.PAGE) {
  // A page size for a new file: set before WAL mode and the first table.
  const pre = new Database(file);
  pre.pragma(`page_size = ${Number(process.env.PAGE)}`);
  pre.exec('VACUUM');
  pre.close();
}
const db = openDb(file);
if (process.env.SYNC) db.pragma(`synchronous = ${process.env.SYNC}`);
if (process.env.SQL) db.exec(process.env.SQL);
const journal = new Journal(Store.of(db));
const door = { id: 'GATE', name: 'g' } as Checked['door'];

let rnd = 12345;
const next = () => {
  rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
  return rnd;
};

function read(i: number): Checked {
  const h = next() % households;
  const now = 1_780_000_000_000 + i * 3;
  const denied = i % 10 === 9;
  return {
    seq: 0,
    presentation: null,
    door,
    thumb: null,
    read: {
      readerId: `L${i % 20}`,
      recordId: `L${i % 20}-run-${i}`,
      doorId: 'GATE',
      direction: 'in',
      type: 'face',
      ts: now,
      readerTs: now,
      receivedAt: now + 1,
      kind: 'face',
      key: `F-R${h}`,
      score: 0.93,
      liveness: true,
      offline: false,
      stale: false,
      strangerId: null,
      idMasked: null,
      idProblem: null,
      idExpired: false,
      embedding: null,
    },
    resolution: {
      resident: { id: `R${h}-1` } as Checked['resolution']['resident'],
      household: { id: `H${h}` } as Checked['resolution']['household'],
      reasons: [],
    },
    decision: {
      outcome: denied ? 'denied' : 'granted',
      answer: denied ? 'deny' : 'unlock',
      policy: 'enforce',
      reasons: denied ? ['moved_out' as Checked['decision']['reasons'][number]] : [],
      schedule: null,
    },
  };
}

const commit = db.transaction((b: Checked[]) => {
  for (const c of b) journal.append(c);
});

const has = process.env.HAS === '1';
function run(from: number, n: number): void {
  for (let i = from; i < from + n; i += batch) {
    const b: Checked[] = [];
    for (let k = i; k < Math.min(from + n, i + batch); k++) {
      const c = read(k);
      if (!has || !journal.has(c.read.readerId, c.read.recordId)) b.push(c);
    }
    commit(b);
  }
}

// Warm-up: a journal that is not empty, statements prepared, then the measured part.
run(0, Math.min(20_000, reads));
db.pragma('wal_checkpoint(TRUNCATE)');
// Checkpoints are part of a read's cost; CKPT=0 leaves them out to count the WAL's bytes.
const ckpt = process.env.CKPT !== '0';
if (!ckpt) db.pragma('wal_autocheckpoint = 0');
const c0 = process.cpuUsage();
const t0 = performance.now();
run(1_000_000, reads);
const cpu = process.cpuUsage(c0);
const wall = performance.now() - t0;
const walBytes = ckpt ? null : statSync(`${file}-wal`).size;
console.log(
  JSON.stringify({
    reads,
    batch,
    lookup: has,
    sync: process.env.SYNC ?? 'FULL',
    pageSize: db.pragma('page_size', { simple: true }),
    cpuMsPerRead: Number(((cpu.user + cpu.system) / 1000 / reads).toFixed(4)),
    userMsPerRead: Number((cpu.user / 1000 / reads).toFixed(4)),
    wallMsPerRead: Number((wall / reads).toFixed(4)),
    walBytesPerRead: walBytes === null ? 'CKPT=0 to count' : Math.round(walBytes / reads),
  }),
);
db.close();
cleanup();
