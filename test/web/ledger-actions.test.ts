import t from 'tap';
import { systemClock } from '../../core/clock.js';
import { UserStore } from '../../gateway/accounts/users.js';
import { startGateway, type TestGateway } from '../../testkit/gateway.js';

/**
 * The ledger's writes as the dashboard makes them (issue 5, second pass): with a session
 * cookie they need the CSRF token, every one is audited with its case and household, and
 * viewers see names masked, no QR tokens and no tip contents.
 */

const OPERATOR = { user: 'desk-li', password: 'desk-li-password-1' };
const VIEWER = { user: 'guard-zhao', password: 'guard-zhao-password' };
const TIP = '邻居王先生反映1号楼0101近来每天有陌生人出入';

async function session(g: TestGateway, who: { user: string; password: string }) {
  const res = await fetch(`${g.httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  const body = (await res.json()) as { csrf: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const call = async (method: string, url: string, body?: unknown, csrf: string | null = null) => {
    const r = await fetch(`${g.httpUrl}${url}`, {
      method,
      headers: {
        cookie,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {}
    return { status: r.status, json, text, headers: r.headers, raw: text };
  };
  return {
    csrf: body.csrf,
    /** A write with the session's CSRF token. */
    write: (method: string, url: string, b: unknown) => call(method, url, b, body.csrf),
    /** The same write without it. */
    forged: (method: string, url: string, b: unknown) => call(method, url, b),
    get: (url: string) => call('GET', url),
  };
}

t.test('ledger writes: CSRF required, each audited with case and household; viewers masked', async (t) => {
  const g = await startGateway(t);
  const users = new UserStore(g.gw.db, systemClock);
  await users.add(OPERATOR.user, 'operator', OPERATOR.password);
  await users.add(VIEWER.user, 'viewer', VIEWER.password);
  const op = await session(g, OPERATOR);
  const viewer = await session(g, VIEWER);
  const count = (table: string) => g.gw.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const audit = (action: string) =>
    g.gw.db
      .prepare(
        'SELECT actor, household_id AS householdId, case_id AS caseId, target, outcome, detail FROM audit WHERE action = ? ORDER BY seq',
      )
      .all(action) as Array<Record<string, unknown>>;
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

  // Every write of the ledger, forged without the token: refused, nothing written.
  const writes: Array<[method: string, url: string, body: unknown, table: string]> = [
    ['POST', '/api/tips', { channel: 'phone', householdId: 'H1', content: TIP }, 'tips'],
    [
      'POST',
      '/api/patrols',
      { date: today, inspector: '李巡查', householdId: 'H1', result: 'nobody_home' },
      'patrols',
    ],
    [
      'POST',
      '/api/passes',
      {
        kind: 'visitor',
        householdId: 'H1',
        name: '陈访客',
        phone: '13900001111',
        cardUid: 'A1B2C3D4',
        qr: true,
        validFrom: inDays(-0.01),
        validTo: inDays(1),
      },
      'passes',
    ],
  ];
  for (const [method, url, body, table] of writes) {
    const r = await op.forged(method, url, body);
    t.equal(r.status, 403, `${url} without the CSRF token`);
    t.match(r.json.message, /CSRF/);
    t.equal(count(table), 0, `${url}: nothing written`);
  }
  t.equal(count('cases'), 0, 'no case opened by a forged tip');

  // The same writes with the token.
  const again = (i: number) => {
    const [method, url, body] = writes[i] ?? ['GET', '/', null];
    return op.write(method, url, body);
  };
  const tip = await again(0);
  t.equal(tip.status, 201);
  const caseId = tip.json.caseId as string;
  t.match(audit('tip.create'), [
    { actor: OPERATOR.user, householdId: 'H1', caseId, target: tip.json.id, outcome: 'ok' },
  ]);
  t.notOk(
    String(audit('tip.create')[0]?.detail).includes('王先生'),
    'the tip’s words are not in the audit log',
  );
  const patrol = await again(1);
  t.equal(patrol.status, 201);
  t.match(audit('patrol.create'), [{ householdId: 'H1', caseId: null, target: patrol.json.id }]);
  const violation = await op.write('POST', '/api/patrols', {
    date: today,
    inspector: '李巡查',
    householdId: 'H2',
    result: 'violation_found',
    violation: 'overcrowding',
    note: '屋内6张床',
    photo: 'IMG_0231.jpg',
  });
  t.equal(violation.status, 201);
  t.ok(violation.json.caseId, 'a violation found on patrol opens a case');
  t.match(audit('patrol.create')[1], {
    householdId: 'H2',
    caseId: violation.json.caseId,
    detail: /"openedCase":true/,
  });
  const pass = await again(2);
  t.equal(pass.status, 201);
  t.equal(pass.json.name, '陈访客', 'operators see the visitor’s name');
  t.match(pass.json.token, /^[A-Za-z0-9_-]{16}$/, 'and the QR token to give them');
  t.match(audit('pass.create'), [{ householdId: 'H1', target: pass.json.id, detail: /"kind":"visitor"/ }]);

  // Moves of the case: forged refused, then audited with from/to and the deadline.
  const move = (body: unknown) => op.write('POST', `/api/cases/${caseId}/transitions`, body);
  const forgedMove = await op.forged('POST', `/api/cases/${caseId}/transitions`, {
    to: 'acknowledged',
    note: '核实',
  });
  t.equal(forgedMove.status, 403);
  t.equal((await op.get(`/api/cases/${caseId}`)).json.state, 'open', 'the forged move did nothing');
  t.equal((await move({ to: 'acknowledged', note: '上门核实，确有陌生人居住' })).status, 200);
  const deadline = inDays(15);
  t.equal((await move({ to: 'rectification_ordered', note: '限期15日整改', deadline })).status, 200);
  t.equal((await move({ to: 'closed', note: '想直接结案' })).status, 409, 'a move the state does not allow');
  t.match(audit('case.transition'), [
    { caseId, householdId: 'H1', outcome: 'ok', detail: '{"from":"open","to":"acknowledged"}' },
    {
      caseId,
      outcome: 'ok',
      detail: `{"from":"acknowledged","to":"rectification_ordered","deadline":"${deadline}"}`,
    },
    { caseId, outcome: 'refused', detail: '{"to":"closed","status":409}' },
  ]);
  t.notOk(
    JSON.stringify(audit('case.transition')).includes('陌生人居住'),
    'notes stay in the timeline, not the audit log',
  );

  // The desk's counts, and a deadline that passed before the minute's check.
  const stats = await op.get('/api/cases/stats');
  t.match(stats.json, {
    byState: { open: 1, rectification_ordered: 1, closed: 0 },
    pastDeadline: 0,
    dueSoon: 0,
    buildings: [
      { id: 'B01', name: '1号楼' },
      { id: 'B02', name: '2号楼' },
    ],
  });
  g.gw.db.prepare('UPDATE cases SET deadline = ? WHERE id = ?').run(Date.now() - 1000, caseId);
  t.equal((await op.get('/api/cases/stats')).json.pastDeadline, 1, 'a passed deadline is counted at once');

  // Hand-over: the package is downloaded by the operator, audited.
  t.equal((await move({ to: 'handed_over', note: '逾期未整改，移交城管' })).status, 200);
  const pkg = await op.get(`/api/cases/${caseId}/handover`);
  t.equal(pkg.status, 200);
  t.match(pkg.headers.get('content-disposition'), `handover-${caseId}.json`);
  t.match(pkg.json, {
    format: 'estate-gateway.handover/1',
    case: { id: caseId, state: 'handed_over' },
    household: { id: 'H1' },
    members: [{ name: '张伟' }, { name: '李娜' }],
    tips: [{ channel: 'phone', content: TIP }],
    patrols: [{ result: 'nobody_home', inspector: '李巡查' }],
  });
  t.match(audit('case.handover'), [{ actor: OPERATOR.user, caseId, householdId: 'H1' }]);

  // Revoking the pass: forged refused; then audited.
  t.equal((await op.forged('POST', `/api/passes/${pass.json.id}/revoke`, {})).status, 403);
  t.equal((await op.write('POST', `/api/passes/${pass.json.id}/revoke`, {})).status, 200);
  t.match(audit('pass.revoke'), [{ householdId: 'H1', target: pass.json.id }]);

  // A viewer: names masked, no token, no tip content — in lists, case pages, files and packages.
  const vPasses = await viewer.get('/api/passes?household=H1&valid=all');
  t.match(vPasses.json.items, [{ name: '陈**', token: null, phoneMasked: '139****1111' }]);
  const vCase = await viewer.get(`/api/cases/${caseId}`);
  t.equal(vCase.status, 200);
  t.notOk(vCase.text.includes('王先生'), 'a viewer does not read the tip');
  t.match(vCase.json.evidence, { channel: 'phone', content: /仅操作员可见/ });
  t.match(
    audit('case.view').at(-1),
    { actor: VIEWER.user, caseId, householdId: 'H1' },
    'the view is audited',
  );
  t.match((await op.get(`/api/cases/${caseId}`)).json.evidence, { content: TIP }, 'an operator does');
  const vFile = await viewer.get('/api/households/H1');
  t.notOk(vFile.text.includes('王先生') || vFile.text.includes('陈访客'), 'nor does the household file');
  t.match(vFile.json, {
    passes: [{ name: '陈**', token: null, revokedAt: /Z$/ }],
    cases: [{ id: caseId, state: 'handed_over', evidence: { content: /仅操作员可见/ } }],
    patrols: [{ result: 'nobody_home', inspector: '李巡查', date: today }],
  });
  const vPkg = await viewer.get(`/api/cases/${caseId}/handover`);
  t.equal(vPkg.status, 200);
  t.match(vPkg.json, { members: [{ name: '张*' }, { name: '李*' }], tips: [{ content: /仅操作员可见/ }] });
  t.notOk(vPkg.text.includes('张伟') || vPkg.text.includes('王先生'), 'the viewer’s package is masked');
  t.match(audit('case.handover').at(-1), { actor: VIEWER.user, detail: '{"masked":true}' });
  t.equal(
    (await viewer.write('POST', `/api/cases/${caseId}/transitions`, { to: 'closed', note: 'x' })).status,
    403,
    'viewers see, operators act',
  );

  // The operator's file: the same three lists in full.
  const file = await op.get('/api/households/H1');
  t.match(file.json, {
    passes: [{ name: '陈访客' }],
    cases: [{ id: caseId }],
    patrols: [{ id: patrol.json.id }],
  });
  t.match((await op.get('/api/patrols?household=H2')).json.items, [{ result: 'violation_found' }]);

  // The monthly report: viewing and exporting are audited; the CSV opens in Excel (BOM).
  const month = today.slice(0, 7);
  const csv = await fetch(`${g.httpUrl}/api/reports/monthly?month=${month}&format=csv`, {
    headers: { authorization: `Bearer ${g.tokens.viewer}` },
  });
  const bytes = Buffer.from(await csv.arrayBuffer());
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark');
  const text = bytes.toString('utf8');
  t.match(text, /patrols,total,巡查次数,,,2/);
  t.match(text, /patrols,nobody_home,无人在家,,,1/);
  t.match(text, /cases,handedOver,本月移交城管,,,1/);
  t.match(audit('report.export'), [{ actor: 'token:test-viewer', target: `monthly:${month}` }]);

  // The case list: filter by alert, where it is, the audit trail of one case.
  const list = await op.get(`/api/cases?household=H1`);
  t.match(list.json.items, [{ id: caseId, buildingName: '1号楼', room: '0101' }]);
  t.same((await op.get('/api/cases?alert=al-none')).json.items, [], 'by alert');
  const trail = await g.api(`/api/audit?case=${caseId}`, { as: 'operator' });
  const actions = ((await trail.json()) as { items: Array<{ action: string }> }).items.map((x) => x.action);
  t.ok(
    actions.includes('tip.create') &&
      actions.includes('case.transition') &&
      actions.includes('case.handover'),
  );
  t.ok(
    actions.every((a) =>
      ['tip.create', 'case.transition', 'case.handover', 'case.view', 'request.refused'].includes(a),
    ),
    `only this case's rows: ${[...new Set(actions)]}`,
  );

  // No personal data in the logs: neither the tip, the visitor's name and phone, nor the note.
  const logs = JSON.stringify(g.logs);
  for (const secret of ['王先生', '陈访客', '13900001111', '屋内6张床', '确有陌生人居住'])
    t.notOk(logs.includes(secret), `"${secret}" is not logged`);
});
