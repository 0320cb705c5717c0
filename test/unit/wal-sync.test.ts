import t from 'tap';
import type { CredentialRead } from '../../core/contracts.js';
import type { SyncFn } from '../../gateway/store/wal-sync.js';
import { faceRead, pipelineKit } from '../../testkit/pipeline.js';
import { waitFor } from '../../testkit/wait.js';

const read = (over: Partial<CredentialRead> = {}): CredentialRead => faceRead('T-B01', 'F1', over);

/** A WAL sync the test lets return, one call at a time; it counts calls and their fds. */
function heldSync() {
  const calls: Array<{ fd: number; release: () => void; fail: (e: Error) => void }> = [];
  const fn: SyncFn = (fd) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ fd, release: resolve, fail: reject });
    });
  return { fn, calls };
}

/** Whether a promise has settled, looked at without waiting for it. */
function settled(p: Promise<unknown>): () => boolean {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return () => done;
}

t.test('a door is answered and a read acknowledged only after the WAL sync of its commit', async (t) => {
  const sync = heldSync();
  const { pipeline: p, commands, rows, db } = pipelineKit(t, { syncWal: sync.fn });
  const r = read();
  const a = p.submit(r);
  const aDone = settled(a);
  await waitFor(() => sync.calls.length === 1, { timeoutMs: 5000 });
  t.equal(rows(), 1, 'committed to the WAL');
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'the connection is back at FULL after the commit');
  t.ok(sync.calls[0]?.fd !== undefined && (sync.calls[0]?.fd ?? -1) >= 0, 'the -wal file is synced');
  await new Promise((r) => setImmediate(r));
  t.equal(commands.length, 0, 'no door answer before the sync returns');
  t.notOk(aDone(), 'no acknowledgement before the sync returns');

  // Sent again while its sync runs: the same read in flight, not a second row.
  t.equal(p.submit({ ...r }), a, 'a resend during the sync is the read in flight');
  // Another read meanwhile is committed at once and starts a second sync.
  const rb = read();
  const b = p.submit(rb);
  await waitFor(() => sync.calls.length === 2, { timeoutMs: 5000 });
  t.equal(rows(), 2, 'a read arriving during one sync commits and starts a second');
  // With two syncs running, a third read gathers for the commit after one returns.
  const c = p.submit(read());
  const cDone = settled(c);
  await new Promise((r) => setImmediate(r));
  t.equal(rows(), 2, 'with two syncs running, a read waits for one to return');

  // The second sync began after both commits: it makes both durable, released in order.
  sync.calls[1]?.release();
  await Promise.all([a, b]);
  t.same(
    commands.map((x) => x.cmd.event),
    [r.recordId, rb.recordId],
    'both answered, the first commit first',
  );
  t.equal(commands.length, 2);
  await waitFor(() => sync.calls.length === 3, { timeoutMs: 5000 });
  t.equal(rows(), 3, 'the gathered read committed when a sync returned');
  t.notOk(cDone(), 'and waits for a sync that began after its commit');
  sync.calls[0]?.release(); // the first sync returning late releases nothing more
  await new Promise((r) => setImmediate(r));
  t.notOk(cDone(), 'not for one that began before');
  sync.calls[2]?.release();
  await c;
  t.equal(commands.length, 3);
  t.equal(rows(), 3, 'the resend was not journaled twice');
});

t.test('a failing WAL sync withholds acknowledgements, shows in health, and recovers', async (t) => {
  const sync = heldSync();
  const { pipeline: p, commands, rows } = pipelineKit(t, { syncWal: sync.fn });
  const a = p.submit(read());
  const aDone = settled(a);
  await waitFor(() => sync.calls.length === 1, { timeoutMs: 5000 });
  sync.calls[0]?.fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  await waitFor(() => p.store.state === 'failed', { timeoutMs: 5000 });
  t.equal(p.store.error, 'EIO');
  t.equal(p.store.held, 1, 'the read is held');
  t.equal(commands.length, 1, 'its door is answered by the policy, not left waiting');
  t.notOk(aDone(), 'not acknowledged');

  // A read arriving while the sync fails is answered by its policy and held too.
  const b = p.submit(read());
  const bDone = settled(b);
  await waitFor(() => commands.length === 2, { timeoutMs: 5000 });
  t.notOk(bDone(), 'not acknowledged either');

  // The retry (after a back-off) fails too, then one succeeds.
  await waitFor(() => sync.calls.length === 2, { timeoutMs: 5000 });
  sync.calls[1]?.fail(Object.assign(new Error('EIO again'), { code: 'EIO' }));
  await waitFor(() => sync.calls.length === 3, { timeoutMs: 5000 });
  t.notOk(aDone() || bDone(), 'still nothing acknowledged');
  sync.calls[2]?.release();
  await a;
  // b waited in the batcher while the sync failed; committed now, it has a sync of its own.
  await waitFor(() => sync.calls.length === 4, { timeoutMs: 5000 });
  t.notOk(bDone(), 'b waits for its own sync');
  sync.calls[3]?.release();
  await b;
  t.equal(p.store.state, 'ok', 'the journal is ok again');
  t.equal(rows(), 2);
  t.equal(commands.length, 2, 'no door answered twice');
});

t.test('a sync that fails at shutdown refuses its reads: the sender delivers them again', async (t) => {
  const sync = heldSync();
  const { pipeline: p } = pipelineKit(t, { syncWal: sync.fn });
  const a = p.submit(read());
  await waitFor(() => sync.calls.length === 1, { timeoutMs: 5000 });
  const drained = p.drain();
  sync.calls[0]?.fail(Object.assign(new Error('EIO'), { code: 'EIO' }));
  await t.rejects(a, { code: 'EIO' }, 'refused, not acknowledged');
  await drained;
});

t.test('a commit on a connection at synchronous=OFF (a replay) waits for no sync', async (t) => {
  const sync = heldSync();
  const { pipeline: p, db, commands } = pipelineKit(t, { syncWal: sync.fn });
  db.pragma('synchronous = OFF');
  await p.submit(read());
  t.equal(sync.calls.length, 0);
  t.equal(commands.length, 1);
  t.equal(db.pragma('synchronous', { simple: true }), 0, 'left at OFF');
});

t.test(
  'WalSync: a replay slice starts no second sync; a sync releases every batch committed before it began, in order',
  async (t) => {
    const { WalSync } = await import('../../gateway/store/wal-sync.js');
    const dir = t.testdir({ 'g.db-wal': '' });
    const sync = heldSync();
    const wal = new WalSync(`${dir}/g.db-wal`, sync.fn);
    t.teardown(() => wal.close());
    const order: string[] = [];
    const done = (name: string) => (err: Error | null) => {
      order.push(err ? `${name}:${err.message}` : name);
      return false;
    };
    wal.after(done('live1'));
    t.equal(sync.calls.length, 1, 'a batch starts a sync');
    wal.after(done('slice'), false);
    t.equal(sync.calls.length, 1, 'a slice while one runs starts none');
    wal.after(done('live2'));
    t.equal(sync.calls.length, 2, 'a live batch while one runs starts a second');
    t.ok(wal.full, 'two running: full');
    sync.calls[1]?.release();
    await waitFor(() => order.length === 3, { timeoutMs: 5000 });
    t.same(order, ['live1', 'slice', 'live2'], 'the second covers all three, released in commit order');
    sync.calls[0]?.release();
    await wal.idle();
    t.equal(order.length, 3, 'the first returning late releases nothing twice');
  },
);
