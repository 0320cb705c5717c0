import t from 'tap';
import type { GatewayError } from '../../core/errors.js';
import { CaseBook } from '../../gateway/ledger/case-book.js';
import { caseTimeline, getCase } from '../../gateway/ledger/case-queries.js';
import { readPlace, suggestHouseholds } from '../../gateway/ledger/listing-match.js';
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
 * The rest of the notice's workflow below the API (issue 16): household suggestions from a
 * listing's words, the enforcement office's feedback closing a case, tips with rewards and
 * the tipster's contact removed by retention.
 */

const T0 = Date.parse('2026-05-04T09:00:00+08:00');
const DAY = 86_400_000;
const OP = { name: 'desk-li' };
const ADMIN = { name: 'admin-wu' };

function rig() {
  const db = openDb(':memory:');
  saveRoster(db, TEST_ROSTER, 'merge', T0, 'v1');
  const store = Store.of(db);
  const outbox = new Outbox(store);
  const cases = new CaseBook(store, outbox, 'urn:t', silentLogger());
  const wf = new LedgerWorkflow({
    store,
    outbox,
    cases,
    source: 'urn:t',
    dataDir: '/nonexistent',
    config: testConfig(),
    idHashKey: () => 'ab'.repeat(32),
    log: silentLogger(),
    registry: createMetrics().registry,
  });
  const events = () =>
    (db.prepare('SELECT body FROM outbox ORDER BY seq').pluck().all() as string[]).map((b) => JSON.parse(b));
  return { db, wf, cases, events };
}

const err = (f: () => unknown): string => {
  try {
    f();
    return '(no error)';
  } catch (e) {
    return `${(e as GatewayError).code}: ${(e as Error).message}`;
  }
};

t.test('a listing’s words: where people say a flat is', async (t) => {
  const cases: Array<[string, number[], number[]]> = [
    ['阳光苑1号楼101室 整租 两室一厅 3500元/月', [1], [101]],
    ['2栋0201 拎包入住', [2], [201]],
    ['近地铁 1-101 精装修', [1], [101]],
    ['３号楼２单元５０２室', [3], [502]],
    ['12号1203 朝南', [12], [1203]],
    ['3幢 502 可短租', [3], [502]],
    ['两室一厅 50平 3500元 近3号线', [], []],
    ['月租3-3500元 面积1-120平', [], []],
    ['预算2-3万 5-502室', [5], [502]],
  ];
  for (const [text, buildings, rooms] of cases) {
    const p = readPlace(text);
    t.same([p.buildings.map((b) => b.n), p.rooms.map((r) => r.n)], [buildings, rooms], text);
  }
  const { db } = rig();
  t.match(suggestHouseholds(db, '测试小区 1号楼101室 整租', 5), [
    { householdId: 'H1', buildingName: '1号楼', room: '0101', score: 1, why: ['1号楼', '101室'] },
  ]);
  t.match(
    suggestHouseholds(db, '二房东转租 201室', 5),
    [{ householdId: 'H2', score: 0.6, why: ['201室'] }],
    'a room in one building only',
  );
  t.same(suggestHouseholds(db, '2号楼101室', 5), [], 'a named building that is not the room’s: no guess');
  t.same(suggestHouseholds(db, '整租两室一厅', 5), [], 'no room, no suggestion');
});

t.test('enforcement feedback: recorded once, closes the case, refused out of order', async (t) => {
  const { db, wf, cases, events } = rig();
  const c = cases.open(
    {
      kind: 'listed_for_rent',
      source: 'patrol',
      householdId: 'H1',
      buildingId: 'B01',
      summary: 's',
      evidence: {},
      ts: T0,
    },
    OP,
    T0,
  );
  const feedback = {
    receivedDate: '2026-05-20',
    officeRef: '沪浦城管罚字〔2026〕12号',
    result: 'penalty' as const,
    note: '罚款并责令改正',
  };
  t.match(
    err(() => wf.enforcement.feedback(c.id, feedback, OP, T0 + 20 * DAY)),
    /FEEDBACK_STATE: .* is open/,
  );
  for (const [to, deadline] of [
    ['acknowledged', undefined],
    ['rectification_ordered', T0 + 5 * DAY],
    ['overdue', undefined],
  ] as const)
    cases.transition(c.id, to, OP, '—', deadline, T0 + DAY);
  db.transaction(() => {
    cases.transition(c.id, 'handed_over', OP, '移交', undefined, T0 + 10 * DAY);
    wf.enforcement.handedOver(c.id, 'minhang', '闵行区城管执法局', T0 + 10 * DAY);
  })();
  t.match(
    err(() => wf.enforcement.feedback(c.id, { ...feedback, receivedDate: '2026-05-01' }, OP, T0 + 20 * DAY)),
    /before the hand-over \(2026-05-14\)/,
  );
  t.match(
    err(() => wf.enforcement.feedback(c.id, { ...feedback, receivedDate: '2026-06-30' }, OP, T0 + 20 * DAY)),
    /in the future/,
  );
  const done = wf.enforcement.feedback(c.id, feedback, { name: 'token:district' }, T0 + 20 * DAY);
  t.match(done, { repeated: false, case: { state: 'closed' } });
  t.match(wf.enforcement.get(c.id), {
    district: 'minhang',
    office: '闵行区城管执法局',
    result: 'penalty',
    officeRef: feedback.officeRef,
    recordedBy: 'token:district',
  });
  t.match(caseTimeline(db, c.id).at(-1), {
    state: 'closed',
    actor: 'token:district',
    note: /城管反馈：行政处罚（沪浦城管罚字〔2026〕12号，2026-05-20）罚款并责令改正/,
  });
  t.match(events().at(-1), {
    type: 'estate.case.closed',
    data: { enforcement: { result: 'penalty', district: 'minhang' } },
  });
  t.match(
    wf.enforcement.feedback(c.id, feedback, OP, T0 + 21 * DAY),
    { repeated: true },
    'the same feedback again changes nothing',
  );
  t.match(
    err(() => wf.enforcement.feedback(c.id, { ...feedback, result: 'eviction' }, OP, T0 + 21 * DAY)),
    /FEEDBACK_EXISTS/,
  );
  t.equal(caseTimeline(db, c.id).length, 6, 'one close only');
});

t.test('tip rewards: for a tip that proved true, decided by another admin; contacts forgotten', async (t) => {
  const { db, wf, cases } = rig();
  const tip = (id: string, caseId: string | null) =>
    db
      .prepare(
        `INSERT INTO tips(id, received_at, channel, household_id, building_id, kind, content, case_id, created_by, created_at, contact_name, contact_phone)
         VALUES (?, ?, 'phone', 'H1', 'B01', 'suspected_sublet', '邻居反映', ?, 'desk-li', ?, '王先生', '13900001111')`,
      )
      .run(id, T0, caseId, T0);
  const open = () =>
    cases.open(
      {
        kind: 'suspected_sublet',
        source: 'tip',
        householdId: 'H1',
        buildingId: 'B01',
        summary: 's',
        evidence: {},
        ts: T0,
      },
      OP,
      T0,
    ).id;
  const a = open();
  const b = open();
  tip('tp-a', a);
  tip('tp-b', b);
  tip('tp-c', null);
  const reward = { kind: 'cash' as const, amountFen: 50000, note: '举报属实' };
  t.match(
    err(() => wf.tips.propose('tp-a', reward, OP, T0)),
    /NOT_SUBSTANTIATED/,
  );
  cases.transition(a, 'acknowledged', OP, '核实', undefined, T0 + DAY);
  t.match(
    err(() => wf.tips.propose('tp-a', reward, OP, T0)),
    /NOT_SUBSTANTIATED/,
    'verified is not yet acted on',
  );
  cases.transition(a, 'dissuaded', OP, '已劝阻', undefined, T0 + DAY);
  t.equal(wf.tips.get('tp-a')?.substantiated, true);
  t.match(
    err(() => wf.tips.propose('tp-a', { ...reward, amountFen: null }, OP, T0)),
    /BAD_REWARD: a cash reward needs its amount/,
  );
  t.match(wf.tips.propose('tp-a', reward, ADMIN, T0 + 2 * DAY), {
    reward: { state: 'proposed', proposedBy: 'admin-wu', amountFen: 50000 },
  });
  t.match(
    err(() => wf.tips.propose('tp-a', reward, OP, T0)),
    /REWARD_EXISTS/,
  );
  t.match(
    err(() => wf.tips.decide('tp-a', 'approved', '同意', ADMIN, T0)),
    /FOUR_EYES/,
  );
  t.match(wf.tips.decide('tp-a', 'approved', '同意发放', { name: 'admin-zhou' }, T0 + 3 * DAY), {
    reward: { state: 'approved', decidedBy: 'admin-zhou' },
  });
  t.match(
    err(() => wf.tips.decide('tp-a', 'rejected', 'x', { name: 'admin-zhou' }, T0)),
    /REWARD_STATE/,
  );
  t.same(
    wf.tips.list({ reward: 'approved' }, 10).map((x) => x.id),
    ['tp-a'],
  );
  t.same(
    wf.tips.list({ reward: 'none' }, 10).map((x) => x.id),
    ['tp-c', 'tp-b'],
  );

  // A tip found unsubstantiated by enforcement is not rewarded.
  cases.transition(b, 'acknowledged', OP, '核实', undefined, T0);
  cases.transition(b, 'rectification_ordered', OP, '限期', T0 + 5 * DAY, T0);
  cases.transition(b, 'handed_over', OP, '移交', undefined, T0 + DAY);
  wf.enforcement.feedback(
    b,
    { receivedDate: '2026-05-10', officeRef: 'R-1', result: 'not_substantiated', note: '查无实据' },
    OP,
    T0 + 7 * DAY,
  );
  t.equal(wf.tips.get('tp-b')?.substantiated, false, 'not substantiated by the office');

  // Retention: contacts go tipContactDays after the case closed (tp-b, closed on day 7);
  // tp-a's case is still open, so its tipster's contact stays.
  // tp-c opened no case: its contact goes tipContactDays after the tip was received.
  t.equal(wf.tips.forgetContacts(180, T0 + 100 * DAY), 0);
  t.equal(wf.tips.forgetContacts(180, T0 + 181 * DAY), 1, 'the tip without a case, 180 days after receipt');
  t.match(wf.tips.get('tp-c'), { contactName: null, contactPhone: null, contactRemovedAt: T0 + 181 * DAY });
  t.match(wf.tips.get('tp-b'), { contactName: '王先生' }, 'its case closed on day 7: kept until day 187');
  t.equal(wf.tips.forgetContacts(180, T0 + 188 * DAY), 1);
  t.match(wf.tips.get('tp-b'), { contactName: null, contactPhone: null, contactRemovedAt: T0 + 188 * DAY });
  t.match(wf.tips.get('tp-a'), { contactName: '王先生' });
  t.equal(getCase(db, b)?.state, 'closed');
});
