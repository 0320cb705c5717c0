/**
 * A flood of bad input (issue 12 item 6): one reader publishes refused payloads as fast
 * as the embedded broker takes them (64 in flight), three kinds of refusal in turn,
 * while a resident's reader reads every 200 ms. Measures the daemon's log lines and
 * bytes a minute (the probe: one line per refused read, 78,860 lines and 13 MB in 90 s),
 * whether the counters still count every refusal, and the resident's answers meanwhile.
 */
import { Daemon } from '../testkit/daemon.js';
import { LoadReader } from '../testkit/load-reader.js';
import { percentile } from '../testkit/stats.js';
import { cleanups, metrics, site, sleep } from './fault-kit.js';

/** What the flood bench measured. */
export interface FloodResult {
  seconds: number;
  refusedSent: number;
  refusedCounted: number;
  logLinesPerMinute: number;
  logKBPerMinute: number;
  residentAnswered: number;
  residentReads: number;
  residentP99Ms: number;
}

const BAD = [
  'not json',
  '{"ts":"2026-05-01T08:00:00+08:00","type":"face"}',
  '{"id":"x","ts":"2026-02-30T00:00:00Z"}',
];

/** Runs the scenario for `seconds`. */
export async function logFlood(seconds: number): Promise<FloodResult> {
  const s = await site('faults-flood-', {
    mqtt: { url: null, embedded: { host: '127.0.0.1', port: 0, requireAuth: false } },
    readers: [
      { id: 'HOSTILE', door: 'GATE' },
      { id: 'T1', door: 'GATE' },
    ],
  });
  const daemon = new Daemon(s.file, s.httpPort, undefined, true);
  cleanups.push(() => daemon.kill('SIGTERM'));
  await daemon.start();
  const port = daemon.logs.find((l) => l.msg === 'embedded MQTT broker listening')?.port as number;
  const url = `mqtt://127.0.0.1:${port}`;
  const hostile = new LoadReader({ url, readerId: 'HOSTILE' });
  const resident = new LoadReader({ url, readerId: 'T1' });
  cleanups.push(() => Promise.all([hostile.stop(), resident.stop()]));
  await Promise.all([hostile.start(), resident.start()]);

  const linesBefore = daemon.logs.length;
  const bytesBefore = daemon.logBytes;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let sentBad = 0;
  const flood = async () => {
    while (performance.now() < end) await hostile.raw(BAD[sentBad++ % BAD.length] as string);
  };
  const reads: Array<Promise<boolean>> = [];
  const live = async () => {
    while (performance.now() < end) {
      reads.push(resident.roundTrip(5000));
      await sleep(200);
    }
  };
  await Promise.all([...Array.from({ length: 64 }, flood), live()]);
  const answered = (await Promise.all(reads)).filter(Boolean).length;
  const minutes = (performance.now() - t0) / 60_000;
  const text = await metrics(s.httpPort);
  const counted = [...text.matchAll(/^estate_gateway_rejected_total\{reason="[^"]+"\} (\d+)$/gm)].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );
  return {
    seconds,
    refusedSent: sentBad,
    refusedCounted: counted,
    logLinesPerMinute: Math.round((daemon.logs.length - linesBefore) / minutes),
    logKBPerMinute: Math.round((daemon.logBytes - bytesBefore) / 1024 / minutes),
    residentAnswered: answered,
    residentReads: reads.length,
    residentP99Ms: Math.round(percentile(resident.latencies, 99)),
  };
}
