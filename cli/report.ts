import path from 'node:path';
import { monthlyReport, reportCsv } from '../gateway/ledger/report.js';
import { monthlyReportPdf } from '../gateway/ledger/report-pdf.js';
import { openDb } from '../gateway/store/db.js';
import { defaultConfigPath, parse, UsageError } from './args.js';
import { loadOrExit } from './config-file.js';
import { REPORT_HELP } from './help.js';

/** `estate-gateway report monthly --month YYYY-MM --format json|csv|pdf`. Returns the exit code. */
export async function reportCommand(argv: string[]): Promise<number> {
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
  if (values.format !== 'json' && values.format !== 'csv' && values.format !== 'pdf')
    throw new UsageError('--format must be json, csv or pdf');
  const l = loadOrExit(values.config ?? defaultConfigPath());
  const db = openDb(path.join(values.data ?? l.dataDir, 'gateway.db'), { readonly: true });
  try {
    const r = monthlyReport(db, values.month, l.config.estate);
    if (values.format === 'pdf') {
      const names = new Map(
        (db.prepare('SELECT id, name FROM buildings').all() as Array<{ id: string; name: string }>).map(
          (b) => [b.id, b.name],
        ),
      );
      const { pdf, missingGlyphs } = await monthlyReportPdf(r, {
        buildingName: (id) => names.get(id) ?? id,
        gatewayId: l.config.gateway.id,
        now: Date.now(),
        fallbackFont: l.config.reports.pdfFont,
      });
      if (missingGlyphs > 0)
        console.error(`${missingGlyphs} character(s) shown as □: set reports.pdfFont to a full CJK font`);
      process.stdout.write(pdf);
      return 0;
    }
    process.stdout.write(values.format === 'csv' ? reportCsv(r) : `${JSON.stringify(r, null, 2)}\n`);
  } finally {
    db.close();
  }
  return 0;
}
