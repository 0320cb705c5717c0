import t from 'tap';
import { LOCAL_OFFSET_MS, localDate } from '../../core/time.js';

// localDate keeps the last day it formatted (issue 15: it is on every read's path); the
// memo must never answer for another day, whatever order instants come in.

const fresh = (ts: number) => new Date(ts + LOCAL_OFFSET_MS).toISOString().slice(0, 10);

t.test('Shanghai dates at the edges of a local day, in any order', async (t) => {
  const midnight = Date.UTC(2026, 4, 31, 16, 0, 0); // 2026-06-01 00:00 in Shanghai
  t.equal(localDate(midnight - 1), '2026-05-31');
  t.equal(localDate(midnight), '2026-06-01');
  t.equal(localDate(midnight - 1), '2026-05-31', 'back to the day before');
  t.equal(localDate(midnight + 86_399_999), '2026-06-01');
  t.equal(localDate(midnight + 86_400_000), '2026-06-02');
});

t.test('the same as formatting afresh, over a year of scattered instants', async (t) => {
  let x = 12345;
  for (let i = 0; i < 5000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const ts = Date.UTC(2026, 0, 1) + (x % 366) * 86_400_000 + (x % 86_400_000);
    if (localDate(ts) !== fresh(ts)) t.fail(`wrong date for ${ts}`);
  }
  t.pass('5000 instants');
});

t.test('a time that is not a number still throws, as Date does', async (t) => {
  t.throws(() => localDate(Number.NaN), RangeError);
});
