import { generateYear } from '../sim/year/generate.js';
import { parse, UsageError } from './args.js';
import { SIM_YEAR_HELP } from './help.js';

/** `estate-gateway sim year --households N --seed S --out DIR`. Returns the exit code. */
export function simYearCommand(argv: string[]): number {
  const { values } = parse(argv, {
    households: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    start: { type: 'string', default: '2025-01-01' },
    days: { type: 'string', default: '365' },
    out: { type: 'string' },
  });
  if (values.help) {
    console.log(SIM_YEAR_HELP);
    return 0;
  }
  const households = Number(values.households);
  const seed = Number(values.seed);
  const days = Number(values.days);
  if (!Number.isInteger(households) || households < 10 || households > 100_000)
    throw new UsageError('--households must be a whole number 10–100000');
  if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
  if (!Number.isInteger(days) || days < 7 || days > 731) throw new UsageError('--days must be 7–731');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.start)) throw new UsageError('--start must be YYYY-MM-DD');
  if (!values.out) throw new UsageError('--out DIR is required');
  const t0 = performance.now();
  const labels = generateYear({ households, seed, start: values.start, days, out: values.out });
  console.log(
    `${values.out}: ${labels.reads} lines over ${days} days for ${households} households, ${labels.cases.length} planted cases, ` +
      `${labels.negatives.length} hard negatives, ${labels.strangers.length} recurrent strangers (${Math.round(performance.now() - t0)} ms)`,
  );
  return 0;
}
