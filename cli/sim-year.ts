import { generateYear } from '../sim/year/generate.js';
import {
  applyParams,
  defaultParams,
  flagOf,
  type ParamName,
  plainParams,
  YEAR_PARAMS,
} from '../sim/year/params.js';
import { parse, UsageError } from './args.js';
import { SIM_YEAR_HELP } from './help.js';

/** One string flag per phenomenon of the year (--card-only 0.08). */
const PARAM_FLAGS = Object.fromEntries(
  Object.keys(YEAR_PARAMS).map((name) => [flagOf(name), { type: 'string' as const }]),
);

/** The help of `sim year` with every phenomenon, its default and its range. */
export function simYearHelp(): string {
  const rows = Object.entries(YEAR_PARAMS).map(
    ([name, s]) => `  --${flagOf(name).padEnd(20)} ${s.doc} (default ${s.default}, ${s.min}–${s.max})`,
  );
  return `${SIM_YEAR_HELP}\n\nPhenomena (issue 10):\n${rows.join('\n')}\n  --plain                every phenomenon above off (the year of issue 4), then the flags given`;
}

/** `estate-gateway sim year --households N --seed S --out DIR [--card-only 0.08 …]`. Returns the exit code. */
export function simYearCommand(argv: string[]): number {
  const { values } = parse(argv, {
    households: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    start: { type: 'string', default: '2025-01-01' },
    days: { type: 'string', default: '365' },
    out: { type: 'string' },
    plain: { type: 'boolean' },
    ...PARAM_FLAGS,
  });
  if (values.help) {
    console.log(simYearHelp());
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
  const given: Record<string, string | undefined> = {};
  const v = values as Record<string, unknown>;
  for (const name of Object.keys(YEAR_PARAMS) as ParamName[])
    given[name] = v[flagOf(name)] as string | undefined;
  let params: ReturnType<typeof defaultParams>;
  try {
    params = applyParams(values.plain ? plainParams() : defaultParams(), given);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const t0 = performance.now();
  const labels = generateYear({ households, seed, start: values.start, days, out: values.out, params });
  console.log(
    `${values.out}: ${labels.reads} lines over ${days} days for ${households} households, ${labels.cases.length} planted cases, ` +
      `${labels.negatives.length} hard negatives, ${labels.strangers.length} recurrent strangers (${Math.round(performance.now() - t0)} ms)`,
  );
  return 0;
}
