import t from 'tap';
import type { GatewayError } from '../../core/errors.js';
import { AlertManager } from '../../gateway/alerts/alert-manager.js';
import type { AlertCandidate } from '../../gateway/alerts/per-entry.js';
import { CaseBook } from '../../gateway/ledger/case-book.js';
import { caseTimeline, getCase, listCases } from '../../gateway/ledger/case-queries.js';
import { buildHandover } from '../../gateway/ledger/handover.js';
import { monthlyReport, monthRange, reportCsv } from '../../gateway/ledger/report.js';
import { silentLogger } from '../../gateway/log.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { Outbox } from '../../gateway/upstream/outbox.js';
import { FINDINGS_ROSTER } from '../../testkit/findings.js';

const SRC = 'urn:estate:SH-TEST:gateway:gw-t';
const T0 = Date.parse('2026-04-10T10:00:00+08:00');

function rig() {
  const db = openDb(':memory:');
  saveRoster(db, FINDINGS_ROSTER, 'merge', T0, 'v1');
  const outbox = new Outbox(Store.of(db));
  const book = new CaseBook(Store.of(db), outbox, SRC, silentLogger());
  const alerts = new AlertManager(Store.of(db), outbox, SRC, 300_000, (a, f, isNew, now) =>
    book.onFinding(a, f, isNew, now),
  );
  const types = () =>
    (db.prepare('SELECT body FROM outbox ORDER BY seq').pluck().all() as string[]).map(
      (b) => JSON.parse(b).type as string,
    );
  return { db, outbox, alerts, book, types };
}

const finding = (phase: 'open' | 'update', ts: number): AlertCandidate => ({
  kind: 'suspected_sublet',
  subject: 'household:H1',
  householdId: 'H1',
  residentId: 'R1',
  doorId: null,
  readerId: null,
  ts,
  finding: {
    phase,
    patternTs: ts - 5 * 86_400_000,
    summary: '承租人未归',
    buildingId: 'B01',
    chain: { n: phase },
    attachEntry: false,
  },
});

t.test(
  'a finding opens one case; later reports update it; a closed situation is not reopened by updates',
  async (t) => {
    const { db, alerts, book, types } = rig();
    db.transaction(() => alerts.raise(finding('open', T0), null, T0))();
    db.transaction(() => alerts.raise(finding('update', T0 + 86_400_000), null, T0 + 86_400_000))();
    const cases = listCases(db, {}, 10);
    t.equal(cases.length, 1);
    const c = cases[0];
    t.equal(c?.state, 'open');
    t.same(c?.evidence, { n: 'update' }, 'the evidence chain is the latest');
    t.same(types(), ['estate.alert.suspected_sublet', 'estate.case.open']);
    book.transition(c?.id as string, 'acknowledged', { name: 'op' }, '核实中', undefined, T0);
    book.transition(c?.id as string, 'closed', { name: 'op' }, '误报', undefined, T0);
    const r = db.transaction(() => alerts.raise(finding('update', T0 + 2 * 86_400_000), null, T0))();
    t.equal(r.alert.id, '', 'an update after closing stores nothing');
    db.transaction(() => alerts.raise(finding('open', T0 + 3 * 86_400_000), null, T0))();
    t.equal(listCases(db, {}, 10).length, 2, 'a new situation opens a new case');
    db.close();
  },
);

t.test(
  'transitions: who, when, note, deadline; refused moves name the allowed ones; overdue reminder',
  async (t) => {
    const { db, book, types } = rig();
    const c = book.open(
      {
        kind: 'suspected_sublet',
        source: 'tip',
        householdId: 'H1',
        buildingId: 'B01',
        summary: '举报',
        evidence: {},
        ts: T0,
      },
      { name: 'op' },
      T0,
    );
    const bad = (to: string, deadline?: number) => {
      try {
        book.transition(c.id, to, { name: 'op' }, 'x', deadline, T0);
        return 'allowed';
      } catch (err) {
        return (err as GatewayError).message;
      }
    };
    t.match(bad('handed_over'), /can move to acknowledged, closed, not handed_over/);
    book.transition(c.id, 'acknowledged', { name: 'op' }, '上门核实', undefined, T0 + 1);
    t.match(bad('rectification_ordered'), /needs a deadline/);
    t.match(bad('rectification_ordered', T0 - 1), /in the future/);
    book.transition(
      c.id,
      'rectification_ordered',
      { name: 'op' },
      '限期15日整改',
      T0 + 15 * 86_400_000,
      T0 + 2,
    );
    t.same(book.checkOverdue(T0 + 14 * 86_400_000), [], 'not yet');
    t.same(book.checkOverdue(T0 + 16 * 86_400_000), [c.id], 'deadline passed: overdue');
    book.transition(c.id, 'handed_over', { name: 'op' }, '移交城管', undefined, T0 + 17 * 86_400_000);
    book.transition(c.id, 'closed', { name: 'op' }, '城管处理完毕', undefined, T0 + 30 * 86_400_000);
    t.match(bad('acknowledged'), /nothing \(it is closed\)/);
    const tl = caseTimeline(db, c.id);
    t.same(
      tl.map((e) => [e.state, e.actor]),
      [
        ['open', 'op'],
        ['acknowledged', 'op'],
        ['rectification_ordered', 'op'],
        ['overdue', 'system'],
        ['handed_over', 'op'],
        ['closed', 'op'],
      ],
    );
    t.equal(tl[2]?.deadline, T0 + 15 * 86_400_000);
    t.same(
      types(),
      ['open', 'acknowledged', 'rectification_ordered', 'overdue', 'handed_over', 'closed'].map(
        (s) => `estate.case.${s}`,
      ),
    );
    const ev = JSON.parse(db.prepare('SELECT body FROM outbox ORDER BY seq DESC').pluck().get() as string);
    t.match(ev, {
      specversion: '1.0',
      source: SRC,
      subject: 'H1',
      data: { caseId: c.id, state: 'closed', previous: 'handed_over', actor: 'op' },
    });
    db.close();
  },
);

t.test('hand-over package and monthly report', async (t) => {
  const { db, book } = rig();
  const c = book.open(
    {
      kind: 'overcrowding',
      source: 'patrol',
      householdId: 'H2',
      buildingId: 'B01',
      summary: '群租',
      evidence: { thumbs: ['thumbs/2026-04-10/0123456789abcdef0123.webp'] },
      ts: T0,
    },
    { name: 'op' },
    T0,
  );
  db.prepare(
    "INSERT INTO patrols(id, date, inspector, household_id, building_id, result, case_id, created_by, created_at) VALUES ('p1', '2026-04-10', '李', 'H2', 'B01', 'violation_found', ?, 'op', ?)",
  ).run(c.id, T0);
  book.transition(c.id, 'acknowledged', { name: 'op' }, 'ok', undefined, T0 + 1);
  const pkg = buildHandover(db, getCase(db, c.id) as never, {
    estate: { id: 'SH-TEST', name: '测试' },
    gatewayId: 'gw-t',
    now: T0,
  });
  t.match(pkg, {
    format: 'estate-gateway.handover/1',
    case: { id: c.id, kind: 'overcrowding' },
    household: { id: 'H2', room: '0102' },
    thumbnails: [{ ref: 'thumbs/2026-04-10/0123456789abcdef0123.webp' }],
    patrols: [{ inspector: '李', result: 'violation_found' }],
  });
  t.equal((pkg.timeline as unknown[]).length, 2);
  const r = monthlyReport(db, '2026-04', { id: 'SH-TEST', name: '测试' });
  t.match(r, {
    patrols: { total: 1, byResult: { violation_found: 1 }, households: 1 },
    findings: { total: 1, byKind: { overcrowding: 1 }, byBuilding: { B01: { overcrowding: 1 } } },
    cases: { opened: 1, closed: 0, openAtMonthEnd: 1 },
    households: [{ householdId: 'H2', kinds: ['overcrowding'], stateAtMonthEnd: ['acknowledged'] }],
  });
  t.match(reportCsv(r), /^section,key,label,building,household,value\n/);
  t.match(reportCsv(r), /household,overcrowding,已核实,B01,H2,1/);
  t.same(monthlyReport(db, '2026-05', { id: 'SH-TEST', name: '测试' }).findings.total, 0);
  t.throws(() => monthRange('2026-13'), /YYYY-MM/);
  db.close();
});
