import { createReadStream, readFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { ManualClock } from '../../core/clock.js';
import { GatewayError } from '../../core/errors.js';
import { parseIsoTime } from '../../core/time.js';
import { DRIVERS } from '../../drivers/registry.js';
import type { PassInput, PassService } from '../passes/pass-service.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { lineBatches } from './lines.js';

/** What a replay drives: the gateway's own pipeline and pass service. */
export interface ReplayTarget {
  readonly pipeline: Pipeline;
  readonly passes: PassService;
  /**
   * Imports a roster (the JSON import format) as `roster import` would, at event time `ts`,
   * and swaps it in: `{"roster": {...}, "mode": "merge"|"replace"}` lines (issue 10: status
   * changes from imports during a replay). Returns the problems when it refused the roster.
   */
  importRoster?(json: string, mode: 'merge' | 'replace', ts: number): string[];
}

/** Replayed lines are reader protocol v1 events: decoded by that protocol's driver. */
const REPLAY_PROTOCOL = 'mqtt-v1';

/** Counters of a replay. */
export interface ReplayStats {
  reads: number;
  passes: number;
  /** Roster imports the file carried. */
  rosters: number;
  rejected: number;
  failed: number;
  seconds: number;
  readsPerSecond: number;
  peakRssMB: number;
}

/** Peak resident memory of this process (VmHWM), MB. */
export function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : Math.round(process.memoryUsage().rss / 1048576);
  } catch {
    return Math.round(process.memoryUsage().rss / 1048576);
  }
}

/**
 * Rows per commit of a replay (the replay gateway's store.batchMaxRows). The detectors
 * write every household, stranger and face they touched once per commit, and each commit
 * rewrites the index pages its rows landed on: the larger the commit, the more repeats
 * fold into one write. 4,000 rows of a 5,000-household estate span about three hours.
 */
export const REPLAY_BATCH_ROWS = 4000;

/**
 * Bytes read from the file at a time. The batcher commits whatever is queued whenever the
 * event loop turns, and it turns each time the file is read: with the stream's default
 * 64 KB (~200 reads) the commits were ~220 rows, not the 4,000 configured. 2 MB holds
 * ~6,500 reads, so a commit takes REPLAY_BATCH_ROWS; 8 MB cost 67 MB more peak RSS
 * (read-ahead held in memory) for no less CPU.
 */
const READ_CHUNK_BYTES = 2 << 20;

/** Reads queued in the pipeline before the file waits for commits (memory stays flat): two commits' worth. */
const MAX_BACKLOG = 2 * REPLAY_BATCH_ROWS;

/**
 * Pushes a JSON-lines file of reads through the gateway's own pipeline and detectors at
 * full speed (issue 4): each line is a reader protocol v1 event with a `reader` field
 * (checked by the same parser as MQTT input, recorded and checked as offline: nobody is
 * answered), `{"pass": {...}}`, a pass the simulator registers, created through the
 * same PassService as the API, or `{"roster": {...}, "mode": "merge"}`, a roster import. The clock follows event time, so the ledger and the
 * detectors see the year as it happened.
 * `chunkBytes`: how much of the file is read at a time (tests).
 */
export async function replayFile(
  gw: ReplayTarget,
  clock: ManualClock,
  file: string,
  progress?: (s: ReplayStats) => void,
  onRoster?: (problems: string[]) => void,
  chunkBytes = READ_CHUNK_BYTES,
): Promise<ReplayStats> {
  const decode = DRIVERS[REPLAY_PROTOCOL]?.decodeEvent;
  if (!decode) throw new GatewayError('NO_DECODER', `the ${REPLAY_PROTOCOL} driver decodes no events`);
  const t0 = performance.now();
  const s: ReplayStats = {
    reads: 0,
    passes: 0,
    rosters: 0,
    rejected: 0,
    failed: 0,
    seconds: 0,
    readsPerSecond: 0,
    peakRssMB: 0,
  };
  const input = createReadStream(file, { highWaterMark: chunkBytes });
  const lines = lineBatches(
    file.endsWith('.gz') ? input.pipe(createGunzip({ chunkSize: chunkBytes })) : input,
  );
  const onFail = () => {
    s.failed++;
  };
  let lastReport = t0;
  for await (const batch of lines) {
    for (const line of batch) {
      if (!line) continue;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        s.rejected++;
        continue;
      }
      if (o.pass && typeof o.pass === 'object') {
        const p = o.pass as Record<string, unknown>;
        // Strict times: an impossible validTo must not roll over into a longer pass.
        const from = parseIsoTime(String(p.validFrom));
        const to = parseIsoTime(String(p.validTo));
        if (from === null || to === null) {
          s.rejected++;
          continue;
        }
        // Reads before the pass are checked before it exists (offline reads are checked at
        // their commit): without this a read could meet a pass registered after it, and
        // the result would depend on how much of the file was read ahead.
        await gw.pipeline.drain();
        if (from > clock.now()) clock.set(from);
        try {
          gw.passes.create({ ...(p as unknown as PassInput), validFrom: from, validTo: to }, 'sim', from);
          s.passes++;
        } catch {
          s.rejected++;
        }
        continue;
      }
      if (o.roster && typeof o.roster === 'object') {
        // Reads before the import are checked against the roster they came under.
        await gw.pipeline.drain();
        const at = typeof o.at === 'string' ? Date.parse(o.at) : Number.NaN;
        if (at > clock.now()) clock.set(at);
        const problems = gw.importRoster
          ? gw.importRoster(JSON.stringify(o.roster), o.mode === 'replace' ? 'replace' : 'merge', clock.now())
          : ['this replay imports no rosters'];
        if (problems.length === 0) s.rosters++;
        else {
          s.rejected++;
          onRoster?.(problems);
        }
        continue;
      }
      const reader = String(o.reader ?? '');
      o.reader = undefined;
      const r = decode(reader, o, 0);
      if (!r.ok) {
        gw.pipeline.reject(reader, r.reason, r.detail);
        s.rejected++;
        continue;
      }
      r.read.receivedAt = r.read.ts;
      r.read.offline = true;
      if (r.read.ts > clock.now()) clock.set(r.read.ts);
      gw.pipeline.submit(r.read).catch(onFail);
      s.reads++;
      if (gw.pipeline.backlog > MAX_BACKLOG) {
        while (gw.pipeline.backlog > MAX_BACKLOG / 2) await new Promise((res) => setImmediate(res));
      }
      if (progress && (s.reads & 0xffff) === 0) {
        const now = performance.now();
        if (now - lastReport > 10_000) {
          lastReport = now;
          progress(finish(s, t0));
        }
      }
    }
  }
  await gw.pipeline.drain();
  return finish(s, t0);
}

function finish(s: ReplayStats, t0: number): ReplayStats {
  s.seconds = (performance.now() - t0) / 1000;
  s.readsPerSecond = Math.round(s.reads / Math.max(s.seconds, 0.001));
  s.peakRssMB = peakRssMB();
  return { ...s };
}
