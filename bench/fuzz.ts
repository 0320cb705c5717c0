/**
 * Fuzzes every serial parser (issue 3): at least 1,000,000 random and mutated frames each
 * (bit flips, truncation, duplication, garbage insertion, splices, pure noise, and the
 * valid fixtures untouched), written in random chunk sizes. Each parser runs in its own
 * worker so that a hang is caught by a timeout and its heap is measured alone.
 *
 *   node dist/bench/fuzz.js            FUZZ_FRAMES=20000 node dist/bench/fuzz.js
 *
 * Env: FUZZ_FRAMES (per parser, default 1000000), FUZZ_SEED, FUZZ_TIMEOUT_MS (per parser,
 * default 600000), FUZZ_HEAP_MB (allowed heap growth, default 32). Exits 1 when an
 * exception escapes a parser, a parser hangs, bytes go unaccounted, or the heap grows.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createFingerprintParser } from '../drivers/fingerprint/parser.js';
import { createIdCardParser } from '../drivers/idcard/parser.js';
import { createModbusParser } from '../drivers/modbus-relay/parser.js';
import { fromHex } from '../drivers/serial/options.js';
import type { FrameParser } from '../drivers/serial/parser.js';
import type { ParserItem } from '../drivers/serial/splitter.js';
import { createWiegandParser } from '../drivers/wiegand/parser.js';

/** Each parser under test: how to make it, and which fixture files seed its mutations. */
const TARGETS: Record<string, { make: () => FrameParser<unknown>; seeds: string[] }> = {
  fingerprint: { make: () => createFingerprintParser({ idleMs: 0 }), seeds: ['fingerprint/valid.hex'] },
  idcard: {
    make: () => createIdCardParser({ idleMs: 0 }),
    seeds: ['idcard/valid.hex', 'idcard/refused-cards.hex'],
  },
  'wiegand hex-cr': {
    make: () => createWiegandParser('hex-cr', { idleMs: 0 }),
    seeds: ['wiegand/hex-cr.hex'],
  },
  'wiegand decimal-crlf': {
    make: () => createWiegandParser('decimal-crlf', { idleMs: 0 }),
    seeds: ['wiegand/decimal-crlf.hex'],
  },
  'wiegand stx-etx': {
    make: () => createWiegandParser('stx-etx', { idleMs: 0 }),
    seeds: ['wiegand/stx-etx.hex'],
  },
  'modbus reply': { make: () => createModbusParser({ idleMs: 0 }), seeds: ['modbus/replies.hex'] },
  'modbus request': {
    make: () => createModbusParser({ idleMs: 0, role: 'request' }),
    seeds: ['modbus/requests.hex'],
  },
};

/** What one worker reports. */
interface Result {
  name: string;
  frames: number;
  bytes: number;
  seconds: number;
  decoded: number;
  errors: number;
  discarded: number;
  validSent: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  problem?: string;
}

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);

function fixturesDir(): URL {
  // dist/bench/fuzz.js and bench/fuzz.ts both sit below the repository root.
  for (const up of ['../../test/fixtures/', '../test/fixtures/']) {
    const u = new URL(up, import.meta.url);
    if (existsSync(u) && readdirSync(u).length > 0) return u;
  }
  throw new Error('test/fixtures not found next to the bench');
}

function loadSeeds(files: string[]): Buffer[] {
  const dir = fixturesDir();
  return files.flatMap((f) =>
    readFileSync(new URL(f, dir), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map(fromHex),
  );
}

/** xorshift32: fast, seeded, reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

function worker(name: string, count: number, seed: number): Result {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const target = TARGETS[name];
  if (!target) throw new Error(`no fuzz target ${name}`);
  const seeds = loadSeeds(target.seeds);
  const rand = rng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = () => seeds[int(seeds.length)] ?? Buffer.alloc(0);
  const noise = (n: number) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = int(256);
    return b;
  };
  let validSent = 0;
  const mutate = (): Buffer => {
    const f = pick();
    switch (int(8)) {
      case 0: {
        const b = Buffer.from(f);
        for (let k = 1 + int(3); k > 0; k--) {
          const i = int(b.length);
          b[i] = (b[i] ?? 0) ^ (1 << int(8));
        }
        return b;
      }
      case 1:
        return f.subarray(0, int(f.length));
      case 2:
        validSent += 2;
        return Buffer.concat([f, f]);
      case 3: {
        const at = int(f.length + 1);
        return Buffer.concat([f.subarray(0, at), noise(1 + int(16)), f.subarray(at)]);
      }
      case 4:
        return Buffer.concat([f.subarray(0, int(f.length)), pick().subarray(int(f.length))]);
      case 5:
        return noise(1 + int(64));
      default:
        validSent++;
        return f;
    }
  };

  const parser = target.make();
  let decoded = 0;
  let errors = 0;
  let frameBytes = 0;
  parser.on('data', (item: ParserItem<unknown>) => {
    if (item.kind === 'frame') {
      decoded++;
      frameBytes += item.raw.length;
    } else errors++;
  });
  let problem: string | undefined;
  parser.on('error', (err: Error) => {
    problem ??= `parser emitted error: ${err.message}`;
  });

  let bytes = 0;
  let heapBefore = 0;
  const start = process.hrtime.bigint();
  for (let done = 0; done < count; ) {
    if (done >= Math.min(20_000, count / 10) && heapBefore === 0) {
      gc();
      heapBefore = getHeapStatistics().used_heap_size;
    }
    const batch: Buffer[] = [];
    for (let k = 0; k < 256 && done < count; k++, done++) batch.push(mutate());
    const joined = Buffer.concat(batch);
    bytes += joined.length;
    for (let at = 0; at < joined.length; ) {
      const n = 1 + int(4096);
      try {
        parser.write(joined.subarray(at, at + n));
      } catch (err) {
        problem ??= `exception escaped: ${(err as Error).stack ?? String(err)}`;
      }
      at += n;
    }
  }
  parser.end();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  gc();
  const heapAfter = getHeapStatistics().used_heap_size;
  if (frameBytes + parser.discarded !== bytes) {
    problem ??= `bytes unaccounted: ${bytes} in, ${frameBytes} in frames, ${parser.discarded} discarded`;
  }
  if (decoded < validSent * 0.5) problem ??= `only ${decoded} frames recovered of ${validSent} sent intact`;
  const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
  return {
    name,
    frames: count,
    bytes,
    seconds,
    decoded,
    errors,
    discarded: parser.discarded,
    validSent,
    heapBeforeMb: mb(heapBefore),
    heapAfterMb: mb(heapAfter),
    ...(problem ? { problem } : {}),
  };
}

function runOne(name: string, count: number, seed: number, timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { name, count, seed } });
    const fail = (problem: string) =>
      resolve({
        name,
        frames: count,
        bytes: 0,
        seconds: 0,
        decoded: 0,
        errors: 0,
        discarded: 0,
        validSent: 0,
        heapBeforeMb: 0,
        heapAfterMb: 0,
        problem,
      });
    const timer = setTimeout(() => {
      void w.terminate();
      fail(`no result within ${timeoutMs} ms (hang?)`);
    }, timeoutMs);
    w.once('message', (r: Result) => {
      clearTimeout(timer);
      resolve(r);
    });
    w.once('error', (err) => {
      clearTimeout(timer);
      fail(`worker died: ${err.stack ?? String(err)}`);
    });
  });
}

async function main(): Promise<number> {
  const count = env('FUZZ_FRAMES', 1_000_000);
  const seed = env('FUZZ_SEED', 20260501);
  const timeoutMs = env('FUZZ_TIMEOUT_MS', 600_000);
  const heapMb = env('FUZZ_HEAP_MB', 32);
  console.log(`fuzz: ${count} frames per parser, seed ${seed}, heap growth bound ${heapMb} MiB`);
  let failed = 0;
  for (const name of Object.keys(TARGETS)) {
    const r = await runOne(name, count, seed, timeoutMs);
    const rate = r.seconds > 0 ? Math.round(r.frames / r.seconds) : 0;
    const growth = r.heapAfterMb - r.heapBeforeMb;
    if (!r.problem && growth > heapMb) r.problem = `heap grew ${growth.toFixed(1)} MiB`;
    console.log(
      `${r.name.padEnd(22)} ${String(rate).padStart(9)} frames/s  ${(r.bytes / 2 ** 20 / (r.seconds || 1)).toFixed(1).padStart(7)} MiB/s` +
        `  ${r.seconds.toFixed(1)} s  decoded ${r.decoded}  errors ${r.errors}  discarded ${r.discarded} B` +
        `  heap ${r.heapBeforeMb} → ${r.heapAfterMb} MiB${r.problem ? `  FAIL: ${r.problem}` : '  ok'}`,
    );
    if (r.problem) failed++;
  }
  console.log(failed ? `fuzz: ${failed} parser(s) failed` : 'fuzz: all parsers ok');
  return failed ? 1 : 0;
}

if (isMainThread) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
} else {
  const { name, count, seed } = workerData as { name: string; count: number; seed: number };
  parentPort?.postMessage(worker(name, count, seed));
}
