import path from 'node:path';
import { monthlyReport, reportCsv } from '../gateway/ledger/report.js';
import { openDb } from '../gateway/store/db.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { REPORT_HELP } from './help.js';

/** `estate-gateway report monthly --month YYYY-MM --format json|csv`. Returns the exit code. */
export function reportCommand(argv: string[]): number {
  const { values, positionals } = parse(
    argv,
    {
      config: { type: 'string', short: 'c' },
      month: { type: 'string' },
      format: { type: 'string', default: 'json' },
      data: { type: 'string' },
    },
    true,
  );
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (positionals[0] !== 'monthly' || positionals.length > 1)
    throw new UsageError('expected: report monthly --month YYYY-MM');
  if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month))
    throw new UsageError('--month must be YYYY-MM');
  if (values.format !== 'json' && values.format !== 'csv')
    throw new UsageError('--format must be json or csv');
  const l = loadOrExit(values.config ?? defaultConfigPath());
  const db = openDb(path.join(values.data ?? l.dataDir, 'gateway.db'), { readonly: true });
  try {
    const r = monthlyReport(db, values.month, l.config.estate);
    process.stdout.write(values.format === 'csv' ? reportCsv(r) : `${JSON.stringify(r, null, 2)}\n`);
  } finally {
    db.close();
  }
  return 0;
}
