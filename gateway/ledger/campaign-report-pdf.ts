import { label } from '../../core/codes.js';
import type { CampaignReport } from './campaign-report-schema.js';
import { type PdfRow, pdfPage } from './pdf-layout.js';

/** What the PDF shows besides the report. */
export interface CampaignReportPdfOptions {
  gatewayId: string;
  /** When it is made (ms). */
  now: number;
  /** reports.pdfFont: a font for characters outside the bundled subset. */
  fallbackFont: string | null;
}

const CASE_COUNTS: Array<[keyof CampaignReport['cases'], string]> = [
  ['opened', '立案'],
  ['joined', '并入已有案件'],
  ['rectified', '整改到位'],
  ['handedOver', '移交城管'],
  ['closed', '已结案'],
  ['open', '未结案'],
];

/**
 * The written report of a full inspection (排查报告, issue 16) as a PDF made on the server,
 * drawn like the monthly one (pdf-layout.ts): coverage (全覆盖), the persons checked against
 * the roster (不漏一人), violations by kind, the cases and how far they went, progress by
 * building and inspector, and the households never reached (不漏一户), then lines to sign.
 * The labels are the CSV's (campaign-report.ts). Resolves with the bytes and how many
 * characters no font could draw.
 */
export function campaignReportPdf(
  r: CampaignReport,
  o: CampaignReportPdfOptions,
): Promise<{ pdf: Buffer; missingGlyphs: number }> {
  const c = r.campaign;
  const p = pdfPage({ ...o, title: `${r.estate.name} ${c.name} 排查报告` });

  p.write(`${r.estate.name} ${c.name} 排查报告`, 18, { align: 'center' });
  p.write(`排查期间：${c.from} 至 ${c.to}　报送日期：${c.reportDue}　小区编号：${r.estate.id}`, 10, {
    align: 'center',
  });
  const buildingName = (id: string) => r.byBuilding.find((b) => b.buildingId === id)?.buildingName ?? id;
  const scope = c.buildings ? c.buildings.map(buildingName).join('、') : '全小区';
  p.write(`排查范围：${scope}`, 10, { align: 'center' });
  p.gap(1.2);

  const cov = r.coverage;
  p.heading('一、排查覆盖');
  p.rows([
    ['应排查户数', cov.households],
    ['已走访户数', cov.visited],
    ['已入户核查户数', cov.reached],
    ['覆盖率', `${(cov.rate * 100).toFixed(1)}%`],
    ...Object.entries(cov.byStatus).map(([k, v]): PdfRow => [`其中：${label('campaignStatus', k)}`, v]),
  ]);

  const pr = r.persons;
  p.heading('二、人员核查');
  p.rows([
    ['核查登记人员', pr.checked],
    ['在住', pr.present],
    ['不在', pr.absent],
    ['发现未登记人员', pr.unregistered],
    ['涉及未登记人员户数', pr.householdsWithUnregistered],
  ]);

  p.heading('三、发现违规');
  p.rows([
    ['发现违规户数', r.violations.households],
    ...Object.entries(r.violations.byKind).map(([k, v]): PdfRow => [label('caseKind', k), v]),
  ]);

  p.heading('四、案件处置');
  p.rows(CASE_COUNTS.map(([k, l]): PdfRow => [l, r.cases[k]]));

  p.heading('五、分楼栋进度');
  if (r.byBuilding.length === 0) p.write('无', 11);
  for (const b of r.byBuilding)
    p.write(
      `${b.buildingName ?? b.buildingId}：应排查 ${b.households} 户，已核查 ${b.reached} 户，违规 ${b.violations} 户，未入户 ${b.unreached} 户`,
      10,
    );
  p.gap(0.6);

  p.heading('六、分排查人员');
  if (r.byInspector.length === 0) p.write('无', 11);
  for (const i of r.byInspector)
    p.write(
      `${i.inspector}：走访 ${i.visits} 次，${i.households} 户，已核查 ${i.reached} 户，违规 ${i.violations} 户`,
      10,
    );
  p.gap(0.6);

  // 不漏一户: the households left are the point of the report, so each is named.
  p.heading(`七、未入户核查房屋（${r.unreached.length} 户）`);
  if (r.unreached.length === 0) p.write('全部入户核查', 11);
  for (const u of r.unreached) {
    const revisit = u.revisitDue ? `，复访日期 ${u.revisitDue}` : '';
    p.write(
      `${u.buildingName ?? u.buildingId} ${u.room}（${u.householdId}）：${u.statusLabel}，走访 ${u.visits} 次${revisit}`,
      10,
    );
  }
  return p.finish();
}
