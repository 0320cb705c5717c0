import t from 'tap';
import { isCalendarDay, parseIsoTime } from '../../core/time.js';

// parseIsoTime reads the time by char codes since issue 15; the regex version it replaced
// is the reference here, over valid times and every one- and two-character mutation of them.
const RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):?(\d{2}))$/;
function reference(s: string): number | null {
  const m = RE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, zh, zm] = m;
  if (!isCalendarDay(Number(y), Number(mo), Number(d))) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  if (zh !== undefined && (Number(zh) > 23 || Number(zm) > 59)) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

const seeds = [
  '2026-05-01T07:30:12.345+08:00',
  '2026-05-01T07:30:12Z',
  '2026-05-01T07:30:12+0800',
  '2024-02-29T23:59:59.123456789-05:30',
  '2026-12-31T00:00:00.1Z',
  '2026-02-28T12:00:00.000000000+00:00',
];
const alphabet = ['0', '1', '2', '3', '5', '9', '-', '+', ':', '.', 'T', 'Z', 't', 'z', ' ', 'x', '٣'];

function* mutations(s: string): Generator<string> {
  yield s;
  for (let i = 0; i <= s.length; i++) {
    yield s.slice(0, i) + s.slice(i + 1); // delete
    for (const c of alphabet) {
      yield s.slice(0, i) + c + s.slice(i + 1); // replace
      yield s.slice(0, i) + c + s.slice(i); // insert
    }
  }
}

t.test('the same answer as the regex parser on every mutation of valid times', async (t) => {
  let checked = 0;
  let valid = 0;
  const differ: string[] = [];
  for (const seed of seeds)
    for (const m1 of mutations(seed)) {
      for (const s of m1 === seed ? [m1] : [m1, ...[...mutations(m1)].filter((_, k) => k % 37 === 0)]) {
        checked++;
        const want = reference(s);
        if (want !== null) valid++;
        if (parseIsoTime(s) !== want) differ.push(s);
      }
    }
  t.same(differ.slice(0, 10), [], `${checked} strings, ${valid} valid`);
  t.ok(valid > 100, 'the corpus holds valid times too');
});

t.test('known answers', async (t) => {
  t.equal(parseIsoTime('2026-05-01T07:30:12.345+08:00'), Date.UTC(2026, 4, 1, 7 - 8, 30, 12, 345));
  t.equal(parseIsoTime('2026-02-30T00:00:00Z'), null, 'a day that does not exist');
  t.equal(parseIsoTime('2026-05-01T24:00:00Z'), null);
  t.equal(parseIsoTime('2026-05-01T07:30:60Z'), null, 'no leap seconds');
  t.equal(parseIsoTime('2026-05-01T07:30:12'), null, 'no zone');
  t.equal(parseIsoTime('2026-05-01T07:30:12.1234567890Z'), null, 'ten fraction digits');
  t.equal(parseIsoTime('2026-05-01T07:30:12+24:00'), null);
});
