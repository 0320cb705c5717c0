import { label } from '../../core/codes.js';
import { LOCAL_OFFSET_MS } from '../../core/time.js';
import { type PdfRow, pdfPage } from './pdf-layout.js';
import type { MonthlyReport } from './report-schema.js';

/** What the PDF shows besides the report. */
export interface ReportPdfOptions {
  /** Building id → name (the roster's). */
  buildingName: (id: string) => string;
  gatewayId: string;
  /** When it is made (ms). */
  now: number;
  /** reports.pdfFont: a font for characters outside the bundled subset. */
  fallbackFont: string | null;
}

const CASE_COUNTS: Array<[keyof MonthlyReport['cases'], string]> = [
  ['opened', '本月立案'],
  ['closed', '本月结案'],
  ['overdue', '本月逾期'],
  ['handedOver', '本月移交城管'],
  ['rectified', '本月整改完成'],
  ['openAtMonthEnd', '月末未结案'],
];

const localDay = (t: number) => new Date(t + LOCAL_OFFSET_MS).toISOString().slice(0, 10);

/**
 * The monthly report (月报) as a PDF made on the server (issue 14): A4, Chinese throughout,
 * with the bundled Noto Sans SC subset embedded (pdfkit keeps only the glyphs used), so it
 * needs no browser and prints the same everywhere. Patrols, findings by kind and source, the
 * ledger's movement, issue 16's rows (agency and listing patrols, the enforcement office's
 * results, tips), the households concerned, and lines to sign. Resolves with the bytes and
 * how many characters no font could draw.
 */
export function monthlyReportPdf(
  r: MonthlyReport,
  o: ReportPdfOptions,
): Promise<{ pdf: Buffer; missingGlyphs: number }> {
  const p = pdfPage({ ...o, title: `${r.estate.name} ${r.month} 月报` });

  p.write(`${r.estate.name} 保障性住房使用管理月报`, 18, { align: 'center' });
  p.write(
    `统计期间：${localDay(Date.parse(r.period.from))} 至 ${localDay(Date.parse(r.period.to) - 1)}　小区编号：${r.estate.id}`,
    10,
    { align: 'center' },
  );
  p.gap(1.2);

  p.heading('一、日常巡查');
  p.rows([
    ['巡查次数', r.patrols.total],
    ...Object.entries(r.patrols.byResult).map(([k, v]): PdfRow => [`其中：${label('patrolResult', k)}`, v]),
    ['巡查户数', r.patrols.households],
    ['巡查天数', r.patrols.days],
  ]);

  // Issue 16: agencies and online listings are patrolled too, and counted in their own rows.
  p.heading('二、经纪门店及网络房源巡查');
  p.rows(
    (['agency', 'listing'] as const).flatMap((k): PdfRow[] => [
      [`${label('patrolTarget', k)}巡查次数`, r.targets[k].patrols],
      [`${label('patrolTarget', k)}发现违规`, r.targets[k].violations],
    ]),
  );

  p.heading('三、发现问题');
  p.rows([
    ['发现问题合计', r.findings.total],
    ...Object.entries(r.findings.byKind).map(([k, v]): PdfRow => [label('caseKind', k), v]),
    ...Object.entries(r.findings.bySource).map(([k, v]): PdfRow => [`来源：${label('caseSource', k)}`, v]),
  ]);

  p.heading('四、台账处置');
  p.rows(CASE_COUNTS.map(([k, l]): PdfRow => [l, r.cases[k]]));

  // Issue 16: "依法依规进行查处并及时反馈处理结果" — what came back, by result.
  p.heading('五、城管查处反馈');
  p.rows([
    ['跨区移交', r.enforcement.crossDistrict],
    ['收到城管反馈', r.enforcement.feedback],
    ...Object.entries(r.enforcement.byResult).map(
      ([k, v]): PdfRow => [`其中：${label('enforcementResult', k)}`, v],
    ),
  ]);

  // Issue 16: "经查证属实的，可适当给予表彰奖励".
  p.heading('六、群众举报');
  p.rows([
    ['收到举报', r.tips.received],
    ['举报属实', r.tips.substantiated],
    ['给予奖励', r.tips.rewarded],
  ]);

  p.heading('七、涉及房屋');
  if (r.households.length === 0) p.write('本月无涉及房屋', 11);
  for (const h of r.households) {
    const place = `${h.buildingId ? o.buildingName(h.buildingId) : '—'} ${h.room ?? ''}`.trim();
    const kinds = h.kinds.map((k) => label('caseKind', k)).join('、');
    const states = [...new Set(h.stateAtMonthEnd.map((s) => label('caseState', s)))].join('、');
    p.write(`${place}（${h.householdId}）：${kinds}；月末：${states}；案件 ${h.cases.length} 件`, 10);
  }
  return p.finish();
}
