import t from 'tap';
import { generateEstate } from '../../sim/estate.js';
import { hashSeed, Random } from '../../sim/random.js';
import { cast } from '../../sim/year/actors.js';
import { yearLayout } from '../../sim/year/layout.js';
import { applyParams, defaultParams } from '../../sim/year/params.js';
import { planRoster } from '../../sim/year/roster-plan.js';

// Issue 10 item 5: how often a house sitter comes is a named parameter, so a year can have
// sitters who come two days running (feeding a pet) and the detectors be judged on them.

/** The days between the visits of every house sitter of a 600-household year. */
function gaps(settings: Record<string, string>): number[] {
  const p = applyParams(defaultParams(), settings);
  const start = Date.parse('2025-01-01T00:00:00+08:00');
  const days = 365;
  const layout = yearLayout(600);
  const estate = generateEstate(
    { doors: layout.doors as never },
    { seed: 5, households: 600, today: '2025-12-31' },
  );
  const plan = planRoster(estate, p, new Random(hashSeed(5, 'roster-plan')), start, days);
  const c = cast(estate, plan, p, 5, start, days);
  const out: number[] = [];
  for (const s of c.sitters) {
    const d = [...s.days].sort((a, b) => a - b);
    for (let i = 1; i < d.length; i++) out.push((d[i] as number) - (d[i - 1] as number));
  }
  return out;
}

t.test('house sitters come every 4–7 days by default, as often as sitterGapMin/Max say', async (t) => {
  const usual = gaps({});
  t.ok(usual.length > 0, 'the year has sitters');
  t.ok(
    usual.every((g) => g >= 4 && g <= 7),
    'every 4–7 days',
  );
  const daily = gaps({ sitterGapMin: '1', sitterGapMax: '2' });
  t.ok(daily.length > usual.length, 'more visits');
  t.ok(
    daily.every((g) => g >= 1 && g <= 2),
    'every 1–2 days',
  );
  t.ok(daily.includes(1), 'two days running');
  t.throws(() => gaps({ sitterGapMin: '0' }), /sitter-gap-min must be a number 1–14/);
});
