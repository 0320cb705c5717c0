import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { monthlyReportPdf } from '../../gateway/ledger/report-pdf.js';
import type { MonthlyReport } from '../../gateway/ledger/report-schema.js';
import { tmpDir } from '../../testkit/tmp.js';

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
    // Issue 16's rows (the PDF does not print them yet; the JSON and CSV do).
    targets: { agency: { patrols: 1, violations: 0 }, listing: { patrols: 2, violations: 1 } },
    enforcement: {
      crossDistrict: 0,
      feedback: 1,
      byResult: { penalty: 1, eviction: 0, rectified: 0, not_substantiated: 0 },
    },
    tips: { received: 2, substantiated: 1, rewarded: 0 },
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

function pdfText(pdf: Buffer): string {
  const { dir, cleanup } = tmpDir('pdf-');
  try {
    const file = path.join(dir, 'r.pdf');
    writeFileSync(file, pdf);
    const out = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    if (out.error || out.status !== 0)
      throw new Error(
        `pdftotext failed (apt-get install poppler-utils): ${out.error?.message ?? out.stderr}`,
      );
    return out.stdout.replace(/\s+/g, ' ');
  } finally {
    cleanup();
  }
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
