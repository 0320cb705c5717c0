import PDFDocument from 'pdfkit';
import { label } from '../../core/codes.js';
import { LOCAL_OFFSET_MS } from '../../core/time.js';
import { PdfText } from './pdf-text.js';
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
 * ledger's movement, the households concerned, and lines to sign. Resolves with the bytes and
 * how many characters no font could draw.
 */
export function monthlyReportPdf(
  r: MonthlyReport,
  o: ReportPdfOptions,
): Promise<{ pdf: Buffer; missingGlyphs: number }> {
  const text = new PdfText(o.fallbackFont);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `${r.estate.name} ${r.month} 月报`,
      Author: `estate-gateway ${o.gatewayId}`,
      CreationDate: new Date(o.now),
    },
  });
  doc.registerFont('main', text.main.file);
  if (text.fallback) doc.registerFont('fallback', text.fallback.file, text.fallback.postscriptName);
  const chunks: Buffer[] = [];
  const done = new Promise<{ pdf: Buffer; missingGlyphs: number }>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve({ pdf: Buffer.concat(chunks), missingGlyphs: text.missing }));
    doc.on('error', reject);
  });
  const write = (s: string, size: number, opts: PDFKit.Mixins.TextOptions = {}) => {
    const p = text.pick(s);
    doc.font(p.font).fontSize(size).text(p.text, opts);
  };
  const rows = (items: Array<[string, string | number]>) => {
    for (const [k, v] of items) {
      const y = doc.y;
      write(k, 11, { width: 300 });
      doc.y = y;
      write(String(v), 11, { align: 'right', width: doc.page.width - 100 });
    }
    doc.moveDown(0.6);
  };

  write(`${r.estate.name} 保障性住房使用管理月报`, 18, { align: 'center' });
  write(
    `统计期间：${localDay(Date.parse(r.period.from))} 至 ${localDay(Date.parse(r.period.to) - 1)}　小区编号：${r.estate.id}`,
    10,
    { align: 'center' },
  );
  doc.moveDown(1.2);

  write('一、日常巡查', 13);
  rows([
    ['巡查次数', r.patrols.total],
    ...Object.entries(r.patrols.byResult).map(([k, v]): [string, number] => [
      `其中：${label('patrolResult', k)}`,
      v,
    ]),
    ['巡查户数', r.patrols.households],
    ['巡查天数', r.patrols.days],
  ]);

  write('二、发现问题', 13);
  rows([
    ['发现问题合计', r.findings.total],
    ...Object.entries(r.findings.byKind).map(([k, v]): [string, number] => [label('caseKind', k), v]),
    ...Object.entries(r.findings.bySource).map(([k, v]): [string, number] => [
      `来源：${label('caseSource', k)}`,
      v,
    ]),
  ]);

  write('三、台账处置', 13);
  rows(CASE_COUNTS.map(([k, l]): [string, number] => [l, r.cases[k]]));

  write('四、涉及房屋', 13);
  if (r.households.length === 0) write('本月无涉及房屋', 11);
  for (const h of r.households) {
    const place = `${h.buildingId ? o.buildingName(h.buildingId) : '—'} ${h.room ?? ''}`.trim();
    const kinds = h.kinds.map((k) => label('caseKind', k)).join('、');
    const states = [...new Set(h.stateAtMonthEnd.map((s) => label('caseState', s)))].join('、');
    write(`${place}（${h.householdId}）：${kinds}；月末：${states}；案件 ${h.cases.length} 件`, 10);
  }
  doc.moveDown(2);
  write('制表人：____________　　审核人：____________　　日期：____________', 11);
  doc.moveDown(1);
  write(
    `由门禁网关 ${o.gatewayId} 于 ${new Date(o.now + LOCAL_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')} 生成`,
    8,
    {
      align: 'right',
    },
  );
  doc.end();
  return done;
}
