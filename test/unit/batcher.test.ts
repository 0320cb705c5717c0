import t from 'tap';
import { Batcher } from '../../gateway/pipeline/batcher.js';
import { waitFor } from '../../testkit/wait.js';

/**
 * The batcher's turn (issue 15, live p99 while a reader replays): live reads are committed
 * in one callback and a backlog slice in the next of the same check phase, so what the
 * live commit's promises start (door commands, PUBACKs) runs before the slice.
 */

interface Item {
  id: string;
  promise: Promise<void>;
  resolve: () => void;
}

function item(id: string): Item {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { id, promise, resolve };
}

/** A batcher whose commits are logged; `fail(n)`: the next n commits fail. */
function kit(opts = { batchMaxRows: 50, replaySliceMs: 2 }) {
  const log: string[] = [];
  let failing = 0;
  const batcher = new Batcher<Item>(opts, {
    ready: () => true,
    commit: (batch) => {
      if (failing > 0) {
        failing--;
        log.push(`failed ${batch.length}`);
        return false;
      }
      log.push(`commit ${batch.map((i) => i.id).join(',')}`);
      for (const i of batch) i.resolve();
      return true;
    },
  });
  return { batcher, log, fail: (n: number) => (failing = n) };
}

t.test("a live commit's promise callbacks run before the slice after it", async (t) => {
  const { batcher, log } = kit();
  const backlog = Array.from({ length: 3 }, (_, k) => item(`b${k}`));
  for (const b of backlog) batcher.backlog(b);
  const live = item('live');
  // What the MQTT session does on a read's promise: the PUBACK (and, via the commit, the
  // door command's uncork) in a promise callback.
  void live.promise.then(() => log.push('acknowledged live'));
  batcher.live(live);
  await Promise.all(backlog.map((b) => b.promise));
  t.same(log, ['commit live', 'acknowledged live', 'commit b0,b1,b2']);
});

t.test('live reads of one turn share one commit; the backlog moves slice by slice after them', async (t) => {
  // Slices take at least 8 rows (Batcher#sliceRows), at most batchMaxRows.
  const { batcher, log } = kit({ batchMaxRows: 8, replaySliceMs: 2 });
  const backlog = Array.from({ length: 20 }, (_, k) => item(`b${k}`));
  for (const b of backlog) batcher.backlog(b);
  const live = [item('l0'), item('l1')];
  for (const l of live) batcher.live(l);
  await Promise.all([...backlog, ...live].map((i) => i.promise));
  t.equal(log[0], 'commit l0,l1', 'the live reads first, together');
  const ids = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => `b${from + k}`).join(',');
  t.same(
    log.slice(1),
    [`commit ${ids(0, 8)}`, `commit ${ids(8, 16)}`, `commit ${ids(16, 20)}`],
    'then the backlog, in order',
  );
  t.equal(batcher.size, 0);
});

t.test('a live read arriving while the backlog drains is committed before the next slice', async (t) => {
  const { batcher, log } = kit({ batchMaxRows: 8, replaySliceMs: 2 });
  const backlog = Array.from({ length: 17 }, (_, k) => item(`b${k}`));
  for (const b of backlog) batcher.backlog(b);
  const live = item('live');
  // Arrives after the first slice's commit, before the next turn.
  void (backlog[0] as Item).promise.then(() => batcher.live(live));
  await Promise.all([...backlog, live].map((i) => i.promise));
  t.same(log.slice(1, 2), ['commit live'], 'the live read before the second slice');
  t.equal(log.length, 4, 'three slices and the live commit');
});

t.test('a failed live commit blocks the slice of its turn; both go once the journal commits', async (t) => {
  const { batcher, log, fail } = kit();
  fail(1);
  const b = item('b0');
  const live = item('live');
  batcher.backlog(b);
  batcher.live(live);
  await waitFor(() => batcher.blocked, 2000, 'the batcher to block');
  t.same(log, ['failed 1'], 'no slice is tried while the journal fails');
  await Promise.all([live.promise, b.promise]);
  t.same(log, ['failed 1', 'commit live', 'commit b0'], 'held live read first, then the backlog');
  t.notOk(batcher.blocked);
});

t.test('drain commits live reads and the backlog', async (t) => {
  const { batcher, log } = kit();
  for (let k = 0; k < 3; k++) batcher.backlog(item(`b${k}`));
  batcher.live(item('live'));
  t.same(await batcher.drain(), []);
  t.same(log, ['commit live', 'commit b0,b1,b2']);
});
