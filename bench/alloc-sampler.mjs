// Preloaded into the daemon by `ALLOC=1 node dist/bench/profile.js` (issue 15): V8's
// sampling heap profiler over a window of the saturation run, counting the objects the
// young and old GC collected too — `--heap-prof` keeps only the survivors, and a read's
// garbage is what costs the GC time. Writes ALLOC_DIR/alloc-PID.heapprofile; sum it with
// `node dist/bench/alloc-report.js FILE`. ALLOC_START_MS / ALLOC_MS: the window after start.
// ALLOC_SURVIVORS=1: only what outlived the young generation (what a scavenge promotes and
// the old generation's marking then pays for).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const session = new Session();
session.connect();
const post = (method, params = {}) =>
  new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
const startAt = Number(process.env.ALLOC_START_MS ?? 10_000);
const window = Number(process.env.ALLOC_MS ?? 5_000);
const dir = process.env.ALLOC_DIR ?? '.';

setTimeout(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !process.env.ALLOC_SURVIVORS,
  });
  setTimeout(async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(path.join(dir, `alloc-${process.pid}.heapprofile`), JSON.stringify(profile));
  }, window).unref();
}, startAt).unref();
