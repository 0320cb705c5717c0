import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import t from 'tap';
import type { GatewayError } from '../../core/errors.js';
import {
  campaignHouseholds,
  campaignProgress,
  householdVisits,
} from '../../gateway/ledger/campaign-queries.js';
import { campaignReport, campaignReportCsv } from '../../gateway/ledger/campaign-report.js';
import { CampaignReportSchema } from '../../gateway/ledger/campaign-report-schema.js';
import type { VisitInput } from '../../gateway/ledger/campaign-visits.js';
import { CaseBook } from '../../gateway/ledger/case-book.js';
import { getCase } from '../../gateway/ledger/case-queries.js';
import { LedgerWorkflow } from '../../gateway/ledger/workflow.js';
import { silentLogger } from '../../gateway/log.js';
import { createMetrics } from '../../gateway/metrics.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { Outbox } from '../../gateway/upstream/outbox.js';
import { testConfig } from '../../testkit/config.js';
import { TEST_ROSTER } from '../../testkit/gateway.js';

/**
 * The full inspection (全面排查, issue 16): a campaign fixes its households, visits check
 * every registered person, a violation opens or joins a case, a household's standing is
 * its most telling result, and the written report counts coverage, persons, violations,
 * cases and the households never reached.
 */

// TypeBox's Value.Check knows no formats of its own.
FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)));

const T0 = Date.parse('2026-03-02T10:00:00+08:00');
const KEY = 'ab'.repeat(32);
const ADMIN = { name: 'admin-wu' };
const INSPECTOR = { name: 'xu-inspector' };
const ESTATE = { id: 'SH-TEST', name: '测试小区' };
/** An ID number that passes its check digit (GB 11643). */
const ID_OK = '310115198001152014';

function rig() {
  const db = openDb(':memory:');
  saveRoster(db, TEST_ROSTER, 'merge', T0, 'v1');
  // A third household, vacant, in B01; a terminated one that no campaign includes.
  db.prepare(
    "INSERT INTO households(id, building_id, room, housing_type, status, updated_at) VALUES ('H3', 'B01', '0102', 'gongzu', 'vacant', 0), ('H4', 'B01', '0103', 'gongzu', 'terminated', 0)",
  ).run();
  const store = Store.of(db);
  const outbox = new Outbox(store);
  const cases = new CaseBook(store, outbox, 'urn:t', silentLogger());
  const wf = new LedgerWorkflow({
    store,
    outbox,
    cases,
    source: 'urn:estate:SH-TEST:gateway:gw-t',
    dataDir: '/nonexistent',
    config: testConfig(),
    idHashKey: () => KEY,
    log: silentLogger(),
    registry: createMetrics().registry,
  });
  return { db, wf, cases };
}

const visit = (over: Partial<VisitInput>): VisitInput => ({
  householdId: 'H1',
  result: 'normal',
  inspector: '徐巡查',
  persons: [],
  unregistered: [],
  photos: [],
  ...over,
});

const fails = (f: () => unknown): string => {
  try {
    f();
    return '(no error)';
  } catch (err) {
    return `${(err as GatewayError).code}: ${(err as Error).message}`;
  }
};

t.test('opening: the scope is fixed then; dates and buildings are checked', async (t) => {
  const { db, wf } = rig();
  const open = (over: object) =>
    fails(() =>
      wf.campaigns.open(
        { name: '2026年度全面排查', from: '2026-03-01', to: '2026-03-31', reportDue: '2026-04-15', ...over },
        ADMIN,
        T0,
      ),
    );
  t.match(open({ to: '2026-02-01' }), /BAD_CAMPAIGN: the period ends/);
  t.match(open({ reportDue: '2026-02-15' }), /BAD_CAMPAIGN: the report date/);
  t.match(open({ buildings: ['B09'] }), /BAD_CAMPAIGN: no building B09/);
  t.equal(wf.campaigns.list().length, 0, 'nothing half-opened');
  const all = wf.campaigns.open(
    { name: '全面', from: '2026-03-01', to: '2026-03-31', reportDue: '2026-04-15' },
    ADMIN,
    T0,
  );
  const b1 = wf.campaigns.open(
    {
      name: '1号楼',
      from: '2026-03-01',
      to: '2026-03-31',
      reportDue: '2026-04-15',
      buildings: ['B01', 'B01'],
    },
    ADMIN,
    T0,
  );
  t.match(all, { state: 'open', buildings: null, createdBy: 'admin-wu', reportsSent: 0 });
  t.same(b1.buildings, ['B01']);
  t.equal(campaignProgress(db, all.id).households, 3, 'the whole estate: three homes not terminated');
  t.match(campaignProgress(db, b1.id), {
    households: 2,
    byStatus: { not_visited: 2 },
    byBuilding: [{ buildingId: 'B01' }],
  });
});

t.test('visits: every registered person checked, the standing, the case, the report', async (t) => {
  const { db, wf, cases } = rig();
  const c = wf.campaigns.open(
    { name: '2026年度全面排查', from: '2026-03-01', to: '2026-04-10', reportDue: '2026-04-15' },
    ADMIN,
    T0,
  );
  t.same(
    campaignHouseholds(db, c.id, {}, 50).map((h) => h.householdId),
    ['H1', 'H3', 'H2'],
    'the vacant home is in scope, the terminated one is not; by building and room',
  );
  // The detectors flagged H2: it comes first.
  db.prepare(
    "INSERT INTO alerts(id, kind, severity, state, household_id, first_ts, last_ts, count, evidence, created_at, updated_at) VALUES ('al-1', 'overcrowding', 'critical', 'open', 'H2', 0, 0, 1, '[]', 0, 0)",
  ).run();
  const list = campaignHouseholds(db, c.id, {}, 50);
  t.match(list[0], { householdId: 'H2', flags: 1, flagKinds: ['overcrowding'] }, 'flagged households first');

  const rec = (v: Partial<VisitInput>, at = T0 + 3600_000, now = at + 60_000) =>
    wf.visits.record(c.id, visit({ visitedAt: at, ...v }), INSPECTOR, now);
  t.match(
    fails(() => rec({ result: 'normal' })),
    /BAD_VISIT: every registered person must be checked.*1 not checked \(R00001\)/,
  );
  t.match(
    fails(() => rec({ persons: [{ residentId: 'R00003', check: 'present' }] })),
    /R00003 is not registered in household H1/,
  );
  t.match(
    fails(() => rec({ result: 'nobody_home', persons: [{ residentId: 'R00001', check: 'present' }] })),
    /did not reach the household \(nobody_home\) checks no persons/,
  );
  t.match(
    fails(() => rec({ householdId: 'H4' })),
    /NOT_FOUND: household H4 is not in the scope/,
  );
  t.match(
    fails(() => rec({}, Date.parse('2026-02-27T10:00:00+08:00'))),
    /before the campaign began/,
  );
  t.match(
    fails(() => rec({}, T0 + 86_400_000, T0)),
    /in the future/,
  );
  t.match(
    fails(() => rec({ result: 'violation_found', persons: [{ residentId: 'R00001', check: 'absent' }] })),
    /needs its kind/,
  );
  t.match(
    fails(() =>
      rec({
        result: 'violation_found',
        violation: 'unregistered_occupant',
        persons: [{ residentId: 'R00001', check: 'absent' }],
        unregistered: [{ name: '赵某', idNumber: '310115198001152015' }],
      }),
    ),
    /ID number fails its check \(check_digit\)/,
  );
  t.equal(db.prepare('SELECT count(*) FROM campaign_visits').pluck().get(), 0, 'no refused visit left a row');

  // H1: nobody home first (a revisit falls due), then reached with a violation.
  const first = rec({ result: 'nobody_home' });
  t.match(first, { status: 'nobody_home', revisitDue: '2026-03-05', caseId: null });
  const v = rec(
    {
      result: 'violation_found',
      violation: 'unregistered_occupant',
      persons: [
        { residentId: 'R00001', check: 'absent' },
        { residentId: 'R00002', check: 'present' },
      ],
      unregistered: [{ name: '赵某某', idNumber: ID_OK, relation: '租客' }, { relation: '租客' }],
      note: '承租人不在，两名租客在住',
    },
    T0 + 2 * 3600_000,
  );
  t.match(v, { status: 'violation_found', openedCase: true, revisitDue: null });
  const opened = getCase(db, v.caseId as string);
  t.match(opened, {
    kind: 'unregistered_occupant',
    source: 'patrol',
    householdId: 'H1',
    buildingId: 'B01',
    state: 'open',
  });
  t.match(opened?.evidence, {
    campaign: c.id,
    visit: v.id,
    persons: { registered: 2, present: 1, absent: 1, unregistered: 2 },
    unregistered: [{ name: '赵**', id: '310***********2014', relation: '租客' }, { name: null }],
  });
  const stored = JSON.stringify(db.prepare('SELECT * FROM campaign_persons').all());
  t.notOk(stored.includes(ID_OK), 'no raw ID number stored');
  t.notOk(JSON.stringify(opened).includes('赵某某'), 'the case evidence carries the mask only');
  t.match(householdVisits(db, c.id, 'H1')[0]?.persons, [
    { residentId: 'R00001', check: 'absent', name: '张伟' },
    { residentId: 'R00002', check: 'present', name: '李娜' },
    { residentId: null, check: 'unregistered', name: '赵某某', idMasked: '310***********2014' },
    { residentId: null, check: 'unregistered', name: null },
  ]);
  // A later normal visit joins nothing and does not lower the standing; a second violation joins the case.
  const later = rec(
    { result: 'normal', persons: [{ residentId: 'R00001', check: 'present' }] },
    T0 + 3 * 3600_000,
  );
  t.equal(later.status, 'violation_found', 'the standing keeps the violation');
  t.match(
    fails(() =>
      rec({
        result: 'violation_found',
        caseId: 'cs-none',
        persons: [{ residentId: 'R00001', check: 'present' }],
      }),
    ),
    /not a case of household H1/,
  );
  const joined = rec(
    {
      result: 'violation_found',
      caseId: v.caseId as string,
      persons: [{ residentId: 'R00001', check: 'present' }],
    },
    T0 + 4 * 3600_000,
  );
  t.match(joined, { caseId: v.caseId, openedCase: false });

  // H2: refused; H3 (vacant, no one registered): reached, normal.
  t.match(rec({ householdId: 'H2', result: 'refused', revisitDue: '2026-03-09' }), {
    status: 'refused',
    revisitDue: '2026-03-09',
  });
  t.match(rec({ householdId: 'H3', result: 'normal' }), { status: 'normal' });
  t.same(
    campaignHouseholds(db, c.id, { dueBy: '2026-03-10' }, 50).map((h) => h.householdId),
    ['H2'],
    'the revisits due by a date',
  );

  // The case goes on: rectified, then closed.
  cases.transition(v.caseId as string, 'acknowledged', ADMIN, '核实', undefined, T0 + 5 * 3600_000);
  cases.transition(
    v.caseId as string,
    'rectification_ordered',
    ADMIN,
    '限期',
    T0 + 9 * 86_400_000,
    T0 + 5 * 3600_000,
  );
  cases.transition(v.caseId as string, 'rectified', ADMIN, '租客已搬离', undefined, T0 + 6 * 3600_000);

  const report = campaignReport(db, c, ESTATE, T0 + 7 * 3600_000);
  t.ok(
    Value.Check(CampaignReportSchema, report),
    [...Value.Errors(CampaignReportSchema, report)].map((e) => `${e.path} ${e.message}`).join('; '),
  );
  t.match(report.coverage, {
    households: 3,
    visited: 3,
    reached: 2,
    rate: 0.6667,
    byStatus: { not_visited: 0, normal: 1, violation_found: 1, refused: 1, nobody_home: 0 },
  });
  t.same(
    report.persons,
    { checked: 1, present: 1, absent: 0, unregistered: 0, householdsWithUnregistered: 0 },
    'as the latest reached visit found them',
  );
  t.same(report.violations, { households: 1, byKind: { unregistered_occupant: 1 } });
  t.same(report.cases, { opened: 1, joined: 0, rectified: 1, handedOver: 0, closed: 0, open: 1 });
  t.match(report.unreached, [
    { householdId: 'H2', status: 'refused', statusLabel: '拒绝入户', visits: 1, revisitDue: '2026-03-09' },
  ]);
  t.match(report.byInspector, [{ inspector: '徐巡查', visits: 6, households: 3, reached: 4, violations: 2 }]);
  t.match(report.byBuilding, [
    { buildingId: 'B01', buildingName: '1号楼', households: 2, reached: 2, violations: 1, unreached: 0 },
    { buildingId: 'B02', households: 1, reached: 0, unreached: 1 },
  ]);
  const csv = campaignReportCsv(report);
  t.match(csv, /^section,key,label,building,household,value\n/);
  t.match(csv, /coverage,rate,覆盖率,,,66\.7%/);
  t.match(csv, /violations,unregistered_occupant,未登记人员居住,,,1/);
  t.match(csv, /unreached,refused,拒绝入户 0201,2号楼,H2,1/);
  t.notOk(/张伟|李娜|赵某/.test(JSON.stringify(report) + csv), 'no resident names in the report');
  const formula = campaignReportCsv({
    ...report,
    byInspector: report.byInspector.map((i) => ({ ...i, inspector: '=HYPERLINK("http://x","y")' })),
  });
  t.match(
    formula,
    /\ninspector,"'=HYPERLINK\(""http:\/\/x"",""y""\)",走访次数,,,6\n/,
    'a formula is only text',
  );

  // Upstream: estate.report.campaign through the outbox, numbered per sending.
  const sent = wf.sendReport(c, report, T0 + 8 * 3600_000);
  t.same(sent, { eventId: `cr-${c.id}-1`, number: 1 });
  const body = JSON.parse(
    db.prepare('SELECT body FROM outbox WHERE event_id = ?').pluck().get(sent.eventId) as string,
  );
  t.match(body, {
    specversion: '1.0',
    type: 'estate.report.campaign',
    source: 'urn:estate:SH-TEST:gateway:gw-t',
  });
  t.same(body.data, JSON.parse(JSON.stringify(report)));
  t.equal(wf.sendReport(c, report, T0 + 9 * 3600_000).eventId, `cr-${c.id}-2`, 'sent again: a new event');

  // Closing: no more visits.
  wf.campaigns.close(c.id, ADMIN, T0 + 10 * 3600_000);
  t.match(
    fails(() => rec({ householdId: 'H2', result: 'nobody_home' })),
    /CAMPAIGN_CLOSED/,
  );
  t.match(
    fails(() => wf.campaigns.close(c.id, ADMIN, T0)),
    /CAMPAIGN_CLOSED/,
  );
});
