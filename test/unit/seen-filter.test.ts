import t from 'tap';
import { SeenFilter } from '../../gateway/replay/seen-filter.js';

t.test('a key added is always "maybe"; unseen keys are nearly always "no"', async (t) => {
  const f = new SeenFilter();
  for (let i = 0; i < 50_000; i++) f.add(`T-B${i % 40}-U1`, `rec-${i}`);
  let missed = 0;
  for (let i = 0; i < 50_000; i++) if (!f.mayHave(`T-B${i % 40}-U1`, `rec-${i}`)) missed++;
  t.equal(missed, 0, 'no false "no"');
  let maybe = 0;
  for (let i = 50_000; i < 100_000; i++) if (f.mayHave(`T-B${i % 40}-U1`, `rec-${i}`)) maybe++;
  t.ok(maybe < 50, `few false "maybe" (${maybe} of 50,000)`);
  // The reader and the record id are two fields: ("a", "bc") is not ("ab", "c").
  const g = new SeenFilter();
  g.add('a', 'bc');
  t.equal(g.mayHave('ab', 'c'), false);
  t.equal(g.size, 1);
});
