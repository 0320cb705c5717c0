import t from 'tap';
import {
  AUDIT_ACTIONS,
  auditActionLabel,
  CASE_STATES,
  CODES,
  type CodeGroup,
  codesOf,
  isCode,
  type Label,
  label,
} from '../../core/codes.js';
import { TRANSITIONS } from '../../gateway/ledger/states.js';
import { MIGRATIONS } from '../../gateway/store/migrations/index.js';

/**
 * The one code table (core/codes.ts, issue 8): the server and the dashboard both label from
 * it, so a code without a label in either language shows up as a raw code somewhere. These
 * checks make that a failing test rather than a screenshot.
 */

const HAN = /\p{Script=Han}/u;
const GROUPS = Object.keys(CODES) as CodeGroup[];

t.test('every code of every group has a zh-CN and an English label', async (t) => {
  t.ok(GROUPS.length >= 15, `${GROUPS.length} groups`);
  let n = 0;
  for (const group of GROUPS) {
    const table: Readonly<Record<string, Label>> = CODES[group];
    t.ok(Object.keys(table).length > 0, `${group} has codes`);
    for (const [code, l] of Object.entries(table)) {
      n++;
      const where = `${group}.${code}`;
      t.match(code, /^[a-z][a-z0-9_]*$/, `${where}: a stable snake_case code`);
      t.equal(typeof l.zh, 'string', `${where} has a zh label`);
      t.equal(typeof l.en, 'string', `${where} has an English label`);
      t.ok(l.zh.trim().length > 0 && l.zh === l.zh.trim(), `${where}: zh label not empty, not padded`);
      t.ok(l.en.trim().length > 0 && l.en === l.en.trim(), `${where}: English label not empty, not padded`);
      t.match(l.zh, HAN, `${where}: the zh label is Chinese (${l.zh})`);
      t.notMatch(l.en, HAN, `${where}: the English label has no Chinese (${l.en})`);
      t.notMatch(l.en, /_/, `${where}: the English label is words, not a code (${l.en})`);
    }
  }
  t.comment(`${n} codes labelled`);
});

t.test('the labels the dashboard was missing are there (issue 8)', async (t) => {
  for (const code of [
    'person_card_mismatch',
    'idcard_required',
    'biometric_required',
    'two_factors_required',
  ])
    t.ok(isCode('reason', code), `reason ${code}`);
  t.equal(label('reason', 'person_card_mismatch'), '人证不符');
  t.equal(label('reason', 'person_card_mismatch', 'en'), 'Person–card mismatch');
  t.equal(label('reason', 'idcard_required'), '请再刷身份证完成人证核验');
});

t.test('alert kinds carry a severity of the table; case kinds and their alert kinds agree', async (t) => {
  for (const [kind, k] of Object.entries(CODES.alertKind))
    t.ok(isCode('severity', k.severity), `${kind}: severity ${k.severity}`);
  // Kinds that people find (patrols, tips, the full inspection), not detectors (issue 16).
  const byPeople = ['listed_for_rent', 'agency_listing', 'unregistered_occupant', 'other'];
  for (const kind of codesOf('caseKind')) {
    if (byPeople.includes(kind)) {
      t.notOk(isCode('alertKind', kind), `${kind} is found by people, not raised as an alert`);
      continue;
    }
    t.ok(isCode('alertKind', kind), `case kind ${kind} is a pattern alert kind`);
    t.equal(
      label('caseKind', kind),
      label('alertKind', kind),
      `${kind}: one label for the case and its alert`,
    );
  }
});

t.test('lookups: the table order, unknown codes read as themselves, own keys only', async (t) => {
  t.same(CASE_STATES, Object.keys(CODES.caseState));
  t.same(codesOf('credentialKind'), ['face', 'card', 'idcard', 'fingerprint', 'qrcode']);
  t.equal(label('caseState', 'overdue'), '逾期未整改');
  t.equal(label('caseState', 'overdue', 'en'), 'Overdue');
  t.equal(label('reason', 'a_code_of_a_newer_version'), 'a_code_of_a_newer_version');
  t.equal(label('reason', 'toString'), 'toString', 'no inherited property is taken for a label');
  t.notOk(isCode('alertKind', 'constructor'));
  t.same(Object.keys(TRANSITIONS).sort(), [...CASE_STATES].sort(), 'the ledger moves cover every state');
});

t.test('every audit action has both labels; patrol targets beyond households are stored ones', async (t) => {
  for (const [action, l] of Object.entries(AUDIT_ACTIONS)) {
    t.match(action, /^[a-z]+(\.[a-z_]+)*$/, `${action}: a dotted verb`);
    t.match(l.zh, HAN, `${action}: zh label`);
    t.notMatch(l.en, HAN, `${action}: English label`);
  }
  t.equal(auditActionLabel('campaign.visit'), '记录排查走访');
  t.equal(auditActionLabel('something.new', 'en'), 'something.new', 'an unknown action reads as itself');
  t.same(
    checkedValues('patrol_targets', 'kind'),
    codesOf('patrolTarget').filter((k) => k !== 'household'),
    'a household patrol has no target row',
  );
  t.same(codesOf('campaignStatus'), ['not_visited', ...codesOf('visitResult')]);
});

/** The values a CHECK (col IN (...)) of a stored table allows, from the migrations' SQL. */
function checkedValues(table: string, column: string): string[] {
  const sql = MIGRATIONS.join('\n');
  const at = sql.indexOf(`CREATE TABLE ${table} (`);
  const start = at >= 0 ? at : sql.indexOf(`CREATE TABLE IF NOT EXISTS ${table} (`);
  if (start < 0) throw new Error(`no table ${table}`);
  const end = sql.indexOf('CREATE ', start + 1);
  const body = sql.slice(start, end < 0 ? undefined : end);
  const m = new RegExp(`\\b${column} TEXT[^,]*?CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(body);
  if (!m?.[1]) throw new Error(`no CHECK on ${table}.${column}`);
  return m[1].split(',').map((v) => v.trim().replace(/^'|'$/g, ''));
}

t.test('the codes the database accepts are the codes of the table', async (t) => {
  const stored: Array<[table: string, column: string, group: CodeGroup]> = [
    ['households', 'housing_type', 'housingType'],
    ['households', 'status', 'householdStatus'],
    ['residents', 'role', 'residentRole'],
    ['residents', 'status', 'residentStatus'],
    ['passes', 'kind', 'passKind'],
    ['cases', 'source', 'caseSource'],
    ['patrols', 'result', 'patrolResult'],
    ['face_offers', 'state', 'faceOfferState'],
    // Issue 16.
    ['campaigns', 'state', 'campaignState'],
    ['campaign_households', 'status', 'campaignStatus'],
    ['campaign_visits', 'result', 'visitResult'],
    ['campaign_persons', 'check_result', 'personCheck'],
    ['case_enforcement', 'result', 'enforcementResult'],
    ['tip_rewards', 'kind', 'rewardKind'],
    ['tip_rewards', 'state', 'rewardState'],
  ];
  for (const [table, column, group] of stored)
    t.same(checkedValues(table, column).sort(), [...codesOf(group)].sort(), `${table}.${column} = ${group}`);
});
