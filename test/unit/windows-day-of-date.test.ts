import t from 'tap';
import { dayOfDate } from '../../gateway/detectors/windows.js';

/** What dayOfDate computed before it counted plain dates itself. */
const viaDateParse = (ymd: string) => Math.floor(Date.parse(`${ymd}T00:00:00Z`) / 86_400_000);

const pad = (n: number, w: number) => String(n).padStart(w, '0');

t.test('every date from 1899 to 2101 gives what Date.parse gives', async (t) => {
  let checked = 0;
  let wrong = 0;
  for (let y = 1899; y <= 2101; y++)
    for (let m = 1; m <= 12; m++)
      for (let d = 1; d <= 31; d++) {
        const ymd = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        const want = viaDateParse(ymd);
        const got = dayOfDate(ymd);
        checked++;
        if (!(got === want || (Number.isNaN(got) && Number.isNaN(want)))) wrong++;
      }
  t.equal(wrong, 0, `${checked} dates, days 29–31 of short months included`);
  t.equal(dayOfDate('1970-01-01'), 0);
  t.equal(dayOfDate('2025-01-28'), 20_116);
});

t.test('what is not a plain date goes to Date.parse, NaN included', async (t) => {
  for (const s of [
    '',
    '2025-1-05',
    '2025-13-01',
    '2025-00-10',
    '2025-01-00',
    '20a5-01-01',
    '2025/01/01',
    '0000-01-01',
    '2025-01-01x',
  ])
    t.same(dayOfDate(s), viaDateParse(s), JSON.stringify(s));
});
