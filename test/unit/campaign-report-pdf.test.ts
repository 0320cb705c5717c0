import t from 'tap';
import { campaignReportPdf } from '../../gateway/ledger/campaign-report-pdf.js';
import type { CampaignReport } from '../../gateway/ledger/campaign-report-schema.js';
import { pdfText } from '../../testkit/pdftotext.js';

// The inspection report (排查报告, issue 16) as a server-side PDF, read back with pdftotext
// like the monthly one (report-pdf.test.ts): coverage, violations by kind, and every
// household never reached named (不漏一户).

function report(): CampaignReport {
  return {
    format: 'estate-gateway.campaign-report/1',
    generatedAt: '2026-04-10T02:00:00.000Z',
    estate: { id: 'SH-TEST', name: '浦江保障房示范小区' },
    campaign: {
      id: 'cp-2026',
      name: '2026年度全面排查',
      from: '2026-03-01',
      to: '2026-03-31',
      reportDue: '2026-04-15',
      buildings: null,
      state: 'open',
    },
    coverage: {
      households: 40,
      visited: 37,
      reached: 34,
      rate: 0.85,
      byStatus: { not_visited: 3, normal: 31, violation_found: 3, nobody_home: 2, refused: 1 },
    },
    persons: { checked: 77, present: 71, absent: 6, unregistered: 2, householdsWithUnregistered: 1 },
    violations: { households: 3, byKind: { suspected_sublet: 2, unregistered_occupant: 1 } },
    cases: { opened: 2, joined: 1, rectified: 1, handedOver: 1, closed: 1, open: 2 },
    byBuilding: [
      { buildingId: 'B01', buildingName: '1号楼', households: 20, reached: 18, violations: 2, unreached: 2 },
      { buildingId: 'B02', buildingName: null, households: 20, reached: 16, violations: 1, unreached: 4 },
    ],
    byInspector: [{ inspector: '王五', visits: 41, households: 37, reached: 34, violations: 3 }],
    unreached: [
      {
        householdId: 'H0101',
        buildingId: 'B01',
        buildingName: '1号楼',
        room: '0101',
        status: 'nobody_home',
        statusLabel: '无人在家',
        visits: 2,
        lastVisit: '2026-03-20T02:00:00.000Z',
        revisitDue: '2026-03-27',
      },
      {
        householdId: 'H0207',
        buildingId: 'B02',
        buildingName: null,
        room: '0207',
        status: 'refused',
        statusLabel: '拒绝入户',
        visits: 1,
        lastVisit: '2026-03-21T02:00:00.000Z',
        revisitDue: null,
      },
      {
        householdId: 'H0110',
        buildingId: 'B01',
        buildingName: '1号楼',
        room: '0110',
        status: 'not_visited',
        statusLabel: '未走访',
        visits: 0,
        lastVisit: null,
        revisitDue: null,
      },
    ],
  };
}

const opts = { gatewayId: 'gw-t', now: Date.parse('2026-04-10T02:00:00Z'), fallbackFont: null };

t.test(
  'the inspection report PDF reads back: coverage, violations by kind, households never reached',
  async (t) => {
    const { pdf, missingGlyphs } = await campaignReportPdf(report(), opts);
    t.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    t.ok(pdf.length < 400_000, `the font is subset into the file (${pdf.length} bytes)`);
    const text = pdfText(pdf, { layout: true });
    for (const s of [
      '浦江保障房示范小区 2026年度全面排查 排查报告',
      '排查期间：2026-03-01 至 2026-03-31',
      '报送日期：2026-04-15',
      '排查范围：全小区',
      // Coverage (全覆盖).
      '应排查户数 40',
      '已走访户数 37',
      '已入户核查户数 34',
      '覆盖率 85.0%',
      '其中：未走访 3',
      '其中：无人在家 2',
      '其中：拒绝入户 1',
      // The persons (不漏一人).
      '核查登记人员 77',
      '发现未登记人员 2',
      // Violations by kind.
      '发现违规户数 3',
      '疑似转租 2',
      '未登记人员居住 1',
      '移交城管 1',
      // By building and inspector; a building the roster has no name for is shown by id.
      '1号楼：应排查 20 户，已核查 18 户，违规 2 户，未入户 2 户',
      'B02：应排查 20 户',
      '王五：走访 41 次',
      // The households never reached (不漏一户), each named with its state.
      '七、未入户核查房屋（3 户）',
      '1号楼 0101（H0101）：无人在家，走访 2 次，复访日期 2026-03-27',
      'B02 0207（H0207）：拒绝入户，走访 1 次',
      '1号楼 0110（H0110）：未走访，走访 0 次',
      '制表人',
      '由门禁网关 gw-t 于 2026-04-10 10:00 生成',
    ])
      t.ok(text.includes(s), `reads back "${s}"`);
    t.notOk(text.includes('H0207）：拒绝入户，走访 1 次，复访日期'), 'no revisit date where none is due');
    t.equal(missingGlyphs, 0, 'every character drawn');
  },
);

t.test('a campaign of some buildings, all reached: its scope by name and 全部入户核查', async (t) => {
  const r = report();
  r.campaign.buildings = ['B01', 'B02'];
  r.unreached = [];
  const text = pdfText((await campaignReportPdf(r, opts)).pdf, { layout: true });
  t.ok(text.includes('排查范围：1号楼、B02'), 'named from the roster where it has a name');
  t.ok(text.includes('七、未入户核查房屋（0 户）'));
  t.ok(text.includes('全部入户核查'));
});
