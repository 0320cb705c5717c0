/**
 * A broker SIGKILL and restart under 200 readers (issue 12 item 2), against the built
 * daemon: how long after the broker's return every gateway session is back (from
 * /healthz, looked at every 20 ms) and every reader is answered (each sends a read the
 * moment it has reconnected). The probe: p50 3.2 s, p90 12.8 s, max 26.4 s, 91 reads
 * never answered.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { Daemon } from '../testkit/daemon.js';
import { LoadReader } from '../testkit/load-reader.js';
import { startMosquitto } from '../testkit/mosquitto.js';
import { percentile } from '../testkit/stats.js';
import { cleanups, health, site, sleep, until } from './fault-kit.js';

/** What the broker restart bench measured. */
export interface BrokerRestartResult {
  readers: number;
  outageS: number;
  sessionsBackMs: { p50: number; p90: number; max: number };
  readersAnsweredMs: { p50: number; p90: number; max: number };
  unanswered: number;
}

/** Runs the scenario: `outageS` seconds without a broker. */
export async function brokerRestart(readersN: number, outageS: number): Promise<BrokerRestartResult> {
  // autosave every second, so the sessions are on disk before the crash.
  const mosq = await startMosquitto({ extra: () => ['autosave_interval 1'] });
  cleanups.push(() => mosq.stop());
  const ids = Array.from({ length: readersN }, (_, i) => `R${String(i + 1).padStart(3, '0')}`);
  const s = await site('faults-broker-', {
    log: { level: 'warn' },
    mqtt: { url: mosq.url },
    readers: ids.map((id) => ({ id, door: 'GATE' })),
  });
  const daemon = new Daemon(s.file, s.httpPort);
  cleanups.push(() => daemon.kill('SIGTERM'));
  await daemon.start();
  await until(async () => (await health(s.httpPort)).broker.connected, 20_000, 'every session connected');
  const readers = ids.map((id) => new LoadReader({ url: mosq.url, readerId: id, clean: false }));
  cleanups.push(() => Promise.all(readers.map((r) => r.stop())));
  for (let i = 0; i < readers.length; i += 50)
    await Promise.all(readers.slice(i, i + 50).map((r) => r.start()));
  const warm = await Promise.all(readers.map((r) => r.roundTrip(10_000)));
  if (!warm.every(Boolean)) throw new Error('not every reader was answered before the outage');
  const ready = Date.now();
  const db = path.join(mosq.dir, 'mosquitto.db');
  await until(
    () => (statSync(db, { throwIfNoEntry: false })?.mtimeMs ?? 0) > ready,
    5000,
    'mosquitto to save',
  );

  await mosq.kill();
  await sleep(outageS * 1000); // the outage itself
  const reconnected = readers.map((r) => r.waitReconnected());
  await mosq.start();
  const returnedAt = Date.now();
  // Sessions back over time: the k-th session is back when k are connected.
  const back: number[] = [];
  const watch = (async () => {
    const total = readersN + 1;
    while (back.length < total && Date.now() - returnedAt < 30_000) {
      const h = await health(s.httpPort);
      const n = h.broker.sessions?.connected ?? 0;
      while (back.length < n) back.push(Date.now() - returnedAt);
      await sleep(20);
    }
  })();
  const answered = await Promise.all(
    readers.map(async (r, i) => {
      await reconnected[i];
      return (await r.roundTrip(10_000)) ? Date.now() - returnedAt : Number.POSITIVE_INFINITY;
    }),
  );
  await watch;
  const ok = answered.filter(Number.isFinite);
  return {
    readers: readersN,
    outageS,
    sessionsBackMs: { p50: percentile(back, 50), p90: percentile(back, 90), max: Math.max(...back) },
    readersAnsweredMs: { p50: percentile(ok, 50), p90: percentile(ok, 90), max: Math.max(...ok) },
    unanswered: answered.length - ok.length,
  };
}
