import t from 'tap';
import { topicMatches } from '../../core/bus.js';
import { newId } from '../../core/ids.js';
import { ClockOffset } from '../../gateway/clock-offset.js';
import { Backoff } from '../../gateway/mqtt/backoff.js';
import { type GroupMember, ReconnectGroup } from '../../gateway/mqtt/reconnect-group.js';

t.test('topic filters', async (t) => {
  const rows: Array<[string, string, boolean]> = [
    ['acs/v1/readers/+/events', 'acs/v1/readers/T1/events', true],
    ['acs/v1/readers/+/events', 'acs/v1/readers/T1/status', false],
    ['acs/v1/readers/+/events', 'acs/v1/readers/T1/x/events', false],
    ['acs/#', 'acs/v1/readers/T1/events', true],
    ['acs/#', 'acs', true],
    ['#', 'anything/at/all', true],
    ['a/+', 'a', false],
    ['a/b', 'a/b/c', false],
  ];
  for (const [f, topic, want] of rows) t.equal(topicMatches(f, topic), want, `${f} ~ ${topic}`);
});

t.test('backoff: full jitter from the first retry, doubling to the cap', async (t) => {
  const lo = new Backoff({ minMs: 500, maxMs: 30_000, random: () => 0 });
  const hi = new Backoff({ minMs: 500, maxMs: 30_000, random: () => 0.999999 });
  t.same(
    Array.from({ length: 8 }, () => lo.next()),
    Array(8).fill(0),
    'full jitter: any delay down to 0, even the first (issue 12: 213 sessions retried at +500 ms)',
  );
  t.same(
    Array.from({ length: 8 }, () => hi.next()),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000],
    'the bound doubles up to the maximum',
  );
  hi.reset();
  t.equal(hi.next(), 500, 'reset starts over');
  const firsts = new Set(Array.from({ length: 50 }, () => new Backoff({ minMs: 500, maxMs: 5000 }).next()));
  t.ok(firsts.size > 20, 'first retries of many sessions are spread, not in lockstep');
  for (const d of firsts) t.ok(d >= 0 && d <= 500, `first retry within [0, 500]: ${d}`);
});

t.test('backoff: only a connection that lasted resets the exponent', async (t) => {
  let now = 0;
  const b = new Backoff({
    minMs: 100,
    maxMs: 10_000,
    stableMs: 5000,
    random: () => 0.999999,
    now: () => now,
  });
  for (let i = 0; i < 4; i++) b.next();
  t.equal(b.attempts, 4);
  b.connected();
  now += 200; // kicked at once (a twin with our client id): no reset
  t.equal(b.next(), 1600, 'a connection dropped at once keeps backing off');
  b.connected();
  now += 5000;
  t.equal(b.next(), 100, 'a connection that lasted starts afresh');
});

t.test('reconnect group: the first session back wakes the others, spread over a short window', async (t) => {
  const group = new ReconnectGroup(() => 0.999999);
  const woken: number[] = [];
  const member = (waiting: boolean): GroupMember => ({
    wake: (ms) => {
      if (waiting) woken.push(ms);
      return waiting;
    },
  });
  const first = member(true);
  group.join(first);
  for (let i = 0; i < 199; i++) group.join(member(i % 4 !== 0));
  t.equal(group.back(first), 149, 'every other member waiting out a backoff is woken, not the one that told');
  t.ok(
    woken.every((ms) => ms <= 1000),
    'within a second for 200 sessions (200 CONNECTs a second)',
  );
  woken.length = 0;
  const small = new ReconnectGroup(() => 0.999999);
  const a = member(true);
  small.join(a);
  small.join(member(true));
  small.back(a);
  t.same(woken, [10], 'a small group is woken at once (5 ms a member)');
  small.leave(a);
});

t.test('clock offset: minimum filter, no learning from stale reads, clock steps learned', async (t) => {
  const c = new ClockOffset();
  t.equal(c.value, 0);
  t.notOk(c.known);
  c.fromStatus(10_000, 10_000 - 60_000); // reader 60 s behind
  t.equal(c.value, 60_000);
  c.fromRead(20_000, 20_000 - 60_050, false); // 50 ms transit
  t.equal(c.value, 60_000, 'the smallest sample wins');
  // A redelivered backlog (stale reads arriving at once) must not move the estimate.
  for (let i = 0; i < 10; i++) c.fromRead(30_000 + i, 30_000 - 60_000 - 120_000 + i * 1000, true);
  t.equal(c.value, 60_000);
  // The reader's clock steps 30 s back: stale reads spaced like their timestamps teach it.
  for (let i = 0; i < 3; i++) c.fromRead(100_000 + i * 5000, 100_000 - 90_000 + i * 5000, true);
  t.equal(c.value, 90_000, 'learned after three confirmations');
  const p = new ClockOffset(1234);
  t.equal(p.value, 1234, 'persisted value until a sample arrives');
});

t.test('ids sort by time', async (t) => {
  const a = newId('al', 1000);
  const b = newId('al', 2000);
  t.ok(a < b);
  t.match(a, /^al-[0-9a-z]{20}$/);
  t.not(newId('al', 1000), newId('al', 1000));
});
