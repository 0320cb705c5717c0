/**
 * A full disk (issue 12 item 1), as the probe did it: dataDir on a 20 MB tmpfs (needs
 * root; CI runs as root), 3 readers at 5 reads/s through mosquitto, the tmpfs filled
 * while they read, then space freed. Measures the answers per read while full (the
 * probe: up to 112 for one read, 28 unlocks more than 5 s late, 37 % of residents
 * answered), the log lines a minute (11,400), and whether every read is journaled
 * afterwards with integrity_check ok (0 of 2,244 lost).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Daemon } from '../testkit/daemon.js';
import { LoadReader } from '../testkit/load-reader.js';
import { startMosquitto } from '../testkit/mosquitto.js';
import { tmpDir } from '../testkit/tmp.js';
import { cleanups, health, site, sleep, until } from './fault-kit.js';

/** What the disk-full bench measured. */
export interface DiskFullResult {
  /** Reads sent while the health said `store: full`. */
  readsWhileFull: number;
  residentsAnsweredShare: number;
  strangersAnsweredShare: number;
  answersPerRead: { mean: number; max: number };
  lateAnswers: number;
  strangersUnlocked: number;
  freeBytesReported: number | null;
  /** storage_full alerts in the journal once space returned (one per outage). */
  storageFullAlerts: number;
  logLinesPerMinute: number;
  journaledAfter: number;
  sent: number;
  integrity: string;
}

const STRANGER = { face: { personId: null, score: 0.2 } };

/** Fills the file system at `dir` to the last byte with one file; returns its path. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0x5a);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Runs the scenario: `fullS` seconds of reads on a full disk. */
export async function diskFull(fullS: number): Promise<DiskFullResult | { skipped: string }> {
  if (process.getuid?.() !== 0) return { skipped: 'needs root to mount a tmpfs (CI runs as root)' };
  const mosq = await startMosquitto();
  cleanups.push(() => mosq.stop());
  const ids = ['T1', 'T2', 'T3'];
  // dataDir on its own 20 MB tmpfs; the config and secrets beside it on the real disk.
  const mount = tmpDir('faults-tmpfs-');
  cleanups.push(mount.cleanup);
  const mnt = mount.dir;
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mnt]);
  cleanups.push(() => execFileSync('umount', ['-l', mnt]));
  const s = await site('faults-disk-', {
    dataDir: mnt,
    mqtt: { url: mosq.url },
    readers: ids.map((id) => ({ id, door: 'GATE' })),
  });
  const daemon = new Daemon(s.file, s.httpPort, undefined, true);
  cleanups.push(() => daemon.kill('SIGTERM'));
  await daemon.start();
  await until(async () => (await health(s.httpPort)).broker.connected, 10_000, 'the sessions');
  const readers = ids.map((id) => new LoadReader({ url: mosq.url, readerId: id, clean: false }));
  cleanups.push(() => Promise.all(readers.map((r) => r.stop())));
  await Promise.all(readers.map((r) => r.start()));

  // 5 reads/s per reader, every third a stranger.
  const sent = new Map<string, { at: number; stranger: boolean; reader: LoadReader }>();
  let n = 0;
  const timer = setInterval(() => {
    for (const r of readers) {
      const stranger = n % 3 === 2;
      const { id } = r.send(stranger ? STRANGER : {});
      sent.set(id, { at: performance.now(), stranger, reader: r });
    }
    n++;
  }, 200);
  cleanups.push(() => clearInterval(timer));
  await sleep(3000);
  const filler = fill(mnt);
  await until(
    async () => (await health(s.httpPort)).store.state === 'full',
    120_000,
    'the store to fill',
    200,
  );
  const fullAt = performance.now();
  const logsAtFull = daemon.logs.length;
  await sleep(fullS * 1000); // reads on a full disk
  const h = await health(s.httpPort);
  const whileFull = [...sent].filter(([, v]) => v.at >= fullAt);
  const logLinesPerMinute = Math.round(
    ((daemon.logs.length - logsAtFull) * 60_000) / (performance.now() - fullAt),
  );
  rmSync(filler);
  await until(
    async () => (await health(s.httpPort)).store.state === 'ok',
    30_000,
    'the store to recover',
    200,
  );
  clearInterval(timer);
  await sleep(1000); // the last reads' answers are on their way

  const answers = (id: string, r: LoadReader) => r.answers.get(id) ?? 0;
  const residents = whileFull.filter(([, v]) => !v.stranger);
  const strangers = whileFull.filter(([, v]) => v.stranger);
  const counts = whileFull.map(([id, v]) => answers(id, v.reader));
  const late = whileFull.filter(([id, v]) => (v.reader.answeredAt.get(id) ?? 0) - v.at > 5000).length;
  const db = new Database(path.join(mnt, 'gateway.db'), { readonly: true });
  await until(
    () => (db.prepare('SELECT count(*) FROM journal').pluck().get() as number) >= sent.size,
    30_000,
    'every read journaled',
    200,
  );
  const journaled = db.prepare('SELECT count(*) FROM journal').pluck().get() as number;
  const unlocked = db
    .prepare("SELECT count(*) FROM decisions WHERE answer = 'unlock' AND reasons LIKE '%stranger%'")
    .pluck()
    .get() as number;
  const storageFullAlerts = db
    .prepare("SELECT count(*) FROM alerts WHERE kind = 'storage_full'")
    .pluck()
    .get() as number;
  db.close();
  await daemon.kill('SIGTERM');
  const check = new Database(path.join(mnt, 'gateway.db'));
  const integrity = check.pragma('integrity_check', { simple: true }) as string;
  check.close();
  return {
    readsWhileFull: whileFull.length,
    residentsAnsweredShare:
      residents.filter(([id, v]) => answers(id, v.reader) > 0).length / residents.length,
    strangersAnsweredShare:
      strangers.filter(([id, v]) => answers(id, v.reader) > 0).length / strangers.length,
    answersPerRead: { mean: counts.reduce((a, b) => a + b, 0) / counts.length, max: Math.max(...counts) },
    lateAnswers: late,
    strangersUnlocked: unlocked,
    freeBytesReported: h.store.freeBytes,
    storageFullAlerts,
    logLinesPerMinute,
    journaledAfter: journaled,
    sent: sent.size,
    integrity,
  };
}
