import { existsSync } from 'node:fs';
import t from 'tap';
import { monthlyReportPdf } from '../../gateway/ledger/report-pdf.js';
import type { MonthlyReport } from '../../gateway/ledger/report-schema.js';
import { pdfText } from '../../testkit/pdftotext.js';

// The monthly report as a server-side PDF (issue 14): its Chinese text read back with
// pdftotext (poppler-utils; .ci/run installs it), so a font that does not embed, a wrong
// encoding or boxes instead of characters fail here.

/** WenQuanYi Micro Hei, installed by .ci/run for the dashboard tests: the fallback font here. */
const WQY = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

function report(estateName: string): MonthlyReport {
  return {
    month: '2026-04',
    estate: { id: 'SH-TEST', name: estateName },
    period: { from: '2026-03-31T16:00:00.000Z', to: '2026-04-30T16:00:00.000Z' },
    patrols: {
      total: 31,
      byResult: { normal: 28, violation_found: 2, nobody_home: 1 },
      households: 25,
      days: 20,
      inspectors: { 王五: 31 },
    },
    findings: {
      total: 3,
      byKind: { suspected_sublet: 2, overcrowding: 1 },
      byBuilding: { B01: { suspected_sublet: 2 } },
      bySource: { detector: 2, patrol: 1 },
    },
    cases: { opened: 3, closed: 1, overdue: 0, handedOver: 1, rectified: 1, openAtMonthEnd: 2 },
    // Issue 16's rows: distinct counts, so each reads back beside its own label.
    targets: { agency: { patrols: 4, violations: 0 }, listing: { patrols: 7, violations: 5 } },
    enforcement: {
      crossDistrict: 6,
      feedback: 9,
      byResult: { penalty: 8, eviction: 0, rectified: 0, not_substantiated: 0 },
    },
    tips: { received: 12, substantiated: 11, rewarded: 10 },
    households: [
      {
        householdId: 'H0101',
        buildingId: 'B01',
        room: '0101',
        kinds: ['suspected_sublet'],
        cases: ['C1'],
        stateAtMonthEnd: ['handed_over'],
      },
    ],
  };
}

const opts = {
  buildingName: (id: string) => (id === 'B01' ? '1号楼' : id),
  gatewayId: 'gw-t',
  now: Date.parse('2026-05-01T01:00:00Z'),
};

t.test('the PDF renders Chinese: pdftotext reads the title, sections, labels and places back', async (t) => {
  const { pdf, missingGlyphs } = await monthlyReportPdf(report('浦江保障房示范小区'), {
    ...opts,
    fallbackFont: null,
  });
  t.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  t.ok(pdf.length < 400_000, `the font is subset into the file (${pdf.length} bytes)`);
  const text = pdfText(pdf);
  for (const s of [
    '浦江保障房示范小区 保障性住房使用管理月报',
    '统计期间：2026-04-01 至 2026-04-30',
    '一、日常巡查',
    '巡查次数',
    '其中：发现违规',
    '疑似转租',
    '疑似群租',
    '来源：巡查发现',
    '本月移交城管',
    '1号楼 0101（H0101）',
    '已移交城管',
    '制表人',
  ])
    t.ok(text.includes(s), `reads back "${s}"`);
  t.equal(missingGlyphs, 0, 'every character drawn');
});

t.test("issue 16's rows are printed: agency and listing patrols, 城管's results, tips", async (t) => {
  const { pdf, missingGlyphs } = await monthlyReportPdf(report('浦江保障房示范小区'), {
    ...opts,
    fallbackFont: null,
  });
  const text = pdfText(pdf, { layout: true });
  for (const s of [
    '二、经纪门店及网络房源巡查',
    '经纪门店巡查次数 4',
    '经纪门店发现违规 0',
    '网络房源巡查次数 7',
    '网络房源发现违规 5',
    '五、城管查处反馈',
    '跨区移交 6',
    '收到城管反馈 9',
    '其中：行政处罚 8',
    '其中：收回房屋 0',
    '其中：查无实据 0',
    '六、群众举报',
    '收到举报 12',
    '举报属实 11',
    '给予奖励 10',
  ])
    t.ok(text.includes(s), `reads back "${s}"`);
  t.equal(missingGlyphs, 0);
});

t.test(
  'a character outside the bundled subset: drawn from the configured font, else □ and counted',
  async (t) => {
    t.ok(existsSync(WQY), 'fonts-wqy-microhei is installed (.ci/run)');
    const name = '喆园保障房小区'; // 喆 is not in GB 2312
    const without = await monthlyReportPdf(report(name), { ...opts, fallbackFont: null });
    t.equal(without.missingGlyphs, 1, 'one character missing without a fallback font');
    t.ok(pdfText(without.pdf).includes('□园保障房小区'), 'shown as □');
    const withFont = await monthlyReportPdf(report(name), { ...opts, fallbackFont: WQY });
    t.equal(withFont.missingGlyphs, 0);
    t.ok(pdfText(withFont.pdf).includes('喆园保障房小区'), 'drawn from reports.pdfFont');
  },
);
