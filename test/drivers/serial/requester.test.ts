import t from 'tap';
import { Requester } from '../../../drivers/serial/requester.js';
import { FakeTimers, settle } from '../../../testkit/drivers/fake-timers.js';

const wait = (accept: (f: string) => boolean, retries = 0) => ({
  accept,
  timeoutMs: 100,
  retries,
  label: 'test',
});

t.test('a reply that arrives during the write is not missed (waiter registered first)', async (t) => {
  const timers = new FakeTimers();
  const r: Requester<string> = new Requester(async (b) => {
    r.deliver(`re:${b.toString()}`); // the device answers before write() even resolves
  }, timers);
  t.equal(
    await r.request(
      Buffer.from('ping'),
      wait((f) => f === 're:ping'),
    ),
    're:ping',
  );
});

t.test('requests are serialised: the second is written only after the first is answered', async (t) => {
  const timers = new FakeTimers();
  const written: string[] = [];
  const r = new Requester<string>(async (b) => void written.push(b.toString()), timers);
  const a = r.request(
    Buffer.from('a'),
    wait((f) => f === 'A'),
  );
  const b = r.request(
    Buffer.from('b'),
    wait((f) => f === 'B'),
  );
  await timers.advance(10);
  t.same(written, ['a']);
  t.notOk(r.deliver('B'), 'a reply nobody waits for is refused');
  t.ok(r.deliver('A'));
  await timers.advance(10);
  t.same(written, ['a', 'b']);
  r.deliver('B');
  t.same(await Promise.all([a, b]), ['A', 'B']);
});

t.test('timeouts are retried by writing again, then fail with TIMEOUT', async (t) => {
  const timers = new FakeTimers();
  let writes = 0;
  const r = new Requester<string>(async () => void writes++, timers);
  const p = r.request(
    Buffer.from('x'),
    wait(() => true, 2),
  );
  const check = t.rejects(p, { code: 'TIMEOUT' });
  await timers.advance(350);
  await check;
  t.equal(writes, 3);
  t.equal(r.timeouts, 3);
});

t.test('abort fails the waiting request; a failed write fails it at once', async (t) => {
  const timers = new FakeTimers();
  const r = new Requester<string>(async () => undefined, timers);
  const p = r.request(
    Buffer.from('x'),
    wait(() => true),
  );
  await timers.advance(1);
  r.abort(new Error('line closed'));
  await t.rejects(p, { message: 'line closed' });
  const broken = new Requester<string>(async () => {
    throw new Error('EIO');
  }, timers);
  await t.rejects(
    broken.request(
      Buffer.from('x'),
      wait(() => true),
    ),
    { message: 'EIO' },
  );
  t.equal(timers.pending, 0, 'no timer left behind');
});

t.test('the line closing while a write is still pending fails the request, not the process', async (t) => {
  // Found when the serial integration test stopped sleeping (issue 8): an abort during
  // the write rejected the reply before anyone awaited it, an unhandled rejection.
  const timers = new FakeTimers();
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.prependListener('unhandledRejection', onUnhandled);
  t.teardown(() => void process.off('unhandledRejection', onUnhandled));
  let finishWrite = () => {};
  const r = new Requester<string>(() => new Promise<void>((resolve) => (finishWrite = resolve)), timers);
  const p = r.request(
    Buffer.from('x'),
    wait(() => true),
  );
  await timers.advance(1); // the write is on its way
  r.abort(new Error('serial line closed'));
  await settle(1); // one turn of the event loop: node reports an unhandled rejection there
  finishWrite();
  await t.rejects(p, { message: 'serial line closed' });
  t.same(unhandled, [], 'no unhandled rejection');
});
