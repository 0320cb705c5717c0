import t from 'tap';
import { routeTable } from '../../gateway/web/server.js';
import { startGateway } from '../../testkit/gateway.js';

type Role = 'viewer' | 'operator' | 'admin';

/**
 * Every route of the API with the role it needs, a request that reaches it, and (where
 * it takes input) a bad input with the field its error message must name. A route
 * missing from this table fails the test: new routes get their auth checked too.
 */
const ROUTES: Array<{
  route: string;
  role: Role;
  path: string;
  body?: unknown;
  bad?: { path: string; body?: unknown; names: RegExp };
}> = [
  { route: 'GET /metrics', role: 'viewer', path: '/metrics' },
  { route: 'GET /api/session', role: 'viewer', path: '/api/session' },
  { route: 'DELETE /api/session', role: 'viewer', path: '/api/session' },
  {
    route: 'POST /api/session/password',
    role: 'viewer',
    path: '/api/session/password',
    body: { current: 'x', password: 'long-enough-password' },
    bad: { path: '/api/session/password', body: { current: 'x' }, names: /password/ },
  },
  {
    route: 'GET /api/events',
    role: 'viewer',
    path: '/api/events',
    bad: { path: '/api/events?limit=9999', names: /limit/ },
  },
  {
    route: 'GET /api/alerts',
    role: 'viewer',
    path: '/api/alerts',
    bad: { path: '/api/alerts?limit=0', names: /limit/ },
  },
  {
    route: 'GET /api/alerts/:id',
    role: 'viewer',
    path: '/api/alerts/al-none',
    bad: { path: '/api/alerts/bad%20id!', names: /id/ },
  },
  { route: 'GET /api/readers', role: 'viewer', path: '/api/readers' },
  { route: 'GET /api/doors', role: 'viewer', path: '/api/doors' },
  // Issue 13: door states, remote unlock (operator, a reason), the fire all-open (admin).
  { route: 'GET /api/doors/state', role: 'viewer', path: '/api/doors/state' },
  {
    route: 'POST /api/doors/:id/unlock',
    role: 'operator',
    path: '/api/doors/GATE/unlock',
    body: { reason: '访客来访，电话核实' },
    bad: { path: '/api/doors/GATE/unlock', body: { durationSeconds: 3 }, names: /reason/ },
  },
  {
    route: 'POST /api/fire',
    role: 'admin',
    path: '/api/fire',
    body: { active: false, reason: '演练结束' },
    bad: { path: '/api/fire', body: { active: 'yes', reason: '演练' }, names: /active/ },
  },
  {
    route: 'GET /api/households',
    role: 'viewer',
    path: '/api/households?building=B01',
    bad: { path: '/api/households?limit=many', names: /limit/ },
  },
  {
    route: 'GET /api/households/:id',
    role: 'viewer',
    path: '/api/households/H1',
    bad: { path: '/api/households/H1%3Bdrop', names: /id/ },
  },
  { route: 'GET /api/live', role: 'viewer', path: '/api/live' },
  {
    route: 'GET /api/thumbs/*',
    role: 'viewer',
    path: '/api/thumbs/2026-05-01/0123456789abcdef0123.webp',
    bad: { path: '/api/thumbs/..%2F..%2Fsecrets.yaml', names: /thumbnail/ },
  },
  { route: 'GET /api/overview', role: 'viewer', path: '/api/overview' },
  {
    route: 'GET /api/audit',
    role: 'operator',
    path: '/api/audit',
    bad: { path: '/api/audit?action=DROP%20TABLE', names: /action/ },
  },
  { route: 'GET /api/users', role: 'admin', path: '/api/users' },
  {
    route: 'POST /api/users',
    role: 'admin',
    path: '/api/users',
    body: { name: 'newcomer', role: 'viewer' },
    bad: { path: '/api/users', body: { name: 'x2', role: 'boss' }, names: /role/ },
  },
  {
    route: 'PATCH /api/users/:name',
    role: 'admin',
    path: '/api/users/newcomer',
    body: { role: 'operator' },
    bad: { path: '/api/users/newcomer', body: {}, names: /properties|body/ },
  },
  {
    route: 'POST /api/users/:name/password',
    role: 'admin',
    path: '/api/users/newcomer/password',
    body: {},
    bad: { path: '/api/users/newcomer/password', body: { password: 'short' }, names: /password/ },
  },
  { route: 'GET /api/config', role: 'admin', path: '/api/config' },
  // The ledger, visitor passes, patrols and the monthly report (issue 4).
  {
    route: 'GET /api/cases',
    role: 'viewer',
    path: '/api/cases',
    bad: { path: '/api/cases?state=lost', names: /state/ },
  },
  { route: 'GET /api/cases/stats', role: 'viewer', path: '/api/cases/stats' },
  {
    route: 'GET /api/cases/:id',
    role: 'viewer',
    path: '/api/cases/al-none',
    bad: { path: '/api/cases/bad%20id!', names: /id/ },
  },
  {
    route: 'GET /api/cases/:id/handover',
    role: 'viewer',
    path: '/api/cases/al-none/handover',
    bad: { path: '/api/cases/bad%20id!/handover', names: /id/ },
  },
  {
    route: 'GET /api/cases/:id/handover.zip',
    role: 'operator',
    path: '/api/cases/al-none/handover.zip',
    bad: { path: '/api/cases/bad%20id!/handover.zip', names: /id/ },
  },
  {
    route: 'POST /api/cases/:id/transitions',
    role: 'operator',
    path: '/api/cases/al-none/transitions',
    body: { to: 'acknowledged', note: '已电话联系承租人' },
    bad: { path: '/api/cases/al-none/transitions', body: { to: 'vanished', note: 'x' }, names: /to/ },
  },
  {
    route: 'POST /api/households/:id/face-offers/:faceId',
    role: 'operator',
    path: '/api/households/H1/face-offers/999',
    body: { decision: 'enrol' },
    bad: { path: '/api/households/H1/face-offers/999', body: { decision: 'maybe' }, names: /decision/ },
  },
  {
    route: 'GET /api/passes',
    role: 'viewer',
    path: '/api/passes',
    bad: { path: '/api/passes?valid=sometimes', names: /valid/ },
  },
  {
    route: 'GET /api/passes/:id',
    role: 'viewer',
    path: '/api/passes/vp-none',
    bad: { path: '/api/passes/bad%20id!', names: /id/ },
  },
  {
    route: 'POST /api/passes',
    role: 'operator',
    path: '/api/passes',
    body: {
      kind: 'visitor',
      householdId: 'H1',
      name: '访客',
      validFrom: '2026-05-01T08:00:00+08:00',
      validTo: '2026-05-01T20:00:00+08:00',
    },
    bad: {
      path: '/api/passes',
      body: {
        kind: 'ghost',
        name: 'x',
        validFrom: '2026-05-01T08:00:00+08:00',
        validTo: '2026-05-01T20:00:00+08:00',
      },
      names: /kind/,
    },
  },
  {
    route: 'POST /api/passes/:id/revoke',
    role: 'operator',
    path: '/api/passes/vp-none/revoke',
    body: {},
    bad: { path: '/api/passes/bad%20id!/revoke', body: {}, names: /id/ },
  },
  {
    route: 'GET /api/patrols',
    role: 'viewer',
    path: '/api/patrols',
    bad: { path: '/api/patrols?month=2026-5', names: /month/ },
  },
  {
    route: 'POST /api/patrols',
    role: 'operator',
    path: '/api/patrols',
    body: { date: '2026-05-01', inspector: '李巡查', householdId: 'H1', result: 'normal' },
    bad: {
      path: '/api/patrols',
      body: { date: '2026-05-01', inspector: '李', result: 'fine' },
      names: /result/,
    },
  },
  {
    route: 'POST /api/tips',
    role: 'operator',
    path: '/api/tips',
    body: { channel: 'phone', householdId: 'H1', content: '有人反映该户频繁有陌生人出入' },
    bad: { path: '/api/tips', body: { channel: 'pigeon', content: 'x' }, names: /channel/ },
  },
  {
    route: 'GET /api/reports/monthly',
    role: 'viewer',
    path: '/api/reports/monthly?month=2026-05',
    bad: { path: '/api/reports/monthly?month=2026-13', names: /month/ },
  },
  // Issue 16: the full inspection, listing patrols, uploads, enforcement feedback, tip rewards.
  { route: 'GET /api/campaigns', role: 'viewer', path: '/api/campaigns' },
  {
    route: 'POST /api/campaigns',
    role: 'admin',
    path: '/api/campaigns',
    body: { name: '2026年度全面排查', from: '2026-03-01', to: '2026-03-31', reportDue: '2026-04-15' },
    bad: {
      path: '/api/campaigns',
      body: { name: '排查', from: '2026-13-01', to: '2026-03-31', reportDue: '2026-04-15' },
      names: /from/,
    },
  },
  {
    route: 'GET /api/campaigns/:id',
    role: 'viewer',
    path: '/api/campaigns/cp-none',
    bad: { path: '/api/campaigns/bad%20id!', names: /id/ },
  },
  {
    route: 'GET /api/campaigns/:id/households',
    role: 'viewer',
    path: '/api/campaigns/cp-none/households',
    bad: { path: '/api/campaigns/cp-none/households?status=gone', names: /status/ },
  },
  {
    route: 'GET /api/campaigns/:id/households/:household',
    role: 'viewer',
    path: '/api/campaigns/cp-none/households/H1',
    bad: { path: '/api/campaigns/cp-none/households/H1%3Bdrop', names: /household/ },
  },
  {
    route: 'POST /api/campaigns/:id/visits',
    role: 'operator',
    path: '/api/campaigns/cp-none/visits',
    body: { householdId: 'H1', result: 'nobody_home' },
    bad: {
      path: '/api/campaigns/cp-none/visits',
      body: { householdId: 'H1', result: 'away' },
      names: /result/,
    },
  },
  {
    route: 'POST /api/campaigns/:id/close',
    role: 'admin',
    path: '/api/campaigns/cp-none/close',
    bad: { path: '/api/campaigns/bad%20id!/close', names: /id/ },
  },
  {
    route: 'GET /api/campaigns/:id/report',
    role: 'viewer',
    path: '/api/campaigns/cp-none/report',
    bad: { path: '/api/campaigns/cp-none/report?format=xlsx', names: /format/ },
  },
  {
    route: 'POST /api/campaigns/:id/report',
    role: 'admin',
    path: '/api/campaigns/cp-none/report',
    bad: { path: '/api/campaigns/bad%20id!/report', names: /id/ },
  },
  {
    route: 'POST /api/evidence',
    role: 'operator',
    path: '/api/evidence',
    body: {},
    bad: { path: '/api/evidence', body: { file: 'x' }, names: /multipart/ },
  },
  {
    route: 'GET /api/evidence/:id',
    role: 'viewer',
    path: '/api/evidence/ev-0000000000aaaaaaaaaa',
    bad: { path: '/api/evidence/..%2F..%2Fsecrets.yaml', names: /id/ },
  },
  {
    route: 'GET /api/evidence/:id/thumb',
    role: 'viewer',
    path: '/api/evidence/ev-0000000000aaaaaaaaaa/thumb',
    bad: { path: '/api/evidence/bad%20id!/thumb', names: /id/ },
  },
  {
    route: 'POST /api/cases/:id/feedback',
    role: 'operator',
    path: '/api/cases/cs-none/feedback',
    body: { receivedDate: '2026-05-20', officeRef: '沪城管〔2026〕1号', result: 'penalty', note: '罚款' },
    bad: {
      path: '/api/cases/cs-none/feedback',
      body: { receivedDate: '2026-05-20', officeRef: 'x', result: 'jail', note: 'x' },
      names: /result/,
    },
  },
  {
    route: 'GET /api/tips',
    role: 'viewer',
    path: '/api/tips',
    bad: { path: '/api/tips?reward=maybe', names: /reward/ },
  },
  {
    route: 'GET /api/tips/:id',
    role: 'viewer',
    path: '/api/tips/tp-none',
    bad: { path: '/api/tips/bad%20id!', names: /id/ },
  },
  {
    route: 'POST /api/tips/:id/reward',
    role: 'operator',
    path: '/api/tips/tp-none/reward',
    body: { kind: 'cash', amountYuan: 500, note: '举报属实' },
    bad: { path: '/api/tips/tp-none/reward', body: { kind: 'car', note: 'x' }, names: /kind/ },
  },
  {
    route: 'POST /api/tips/:id/reward/decision',
    role: 'admin',
    path: '/api/tips/tp-none/reward/decision',
    body: { decision: 'approved', note: '同意' },
    bad: {
      path: '/api/tips/tp-none/reward/decision',
      body: { decision: 'maybe', note: 'x' },
      names: /decision/,
    },
  },
  {
    route: 'GET /api/patrols/suggestions',
    role: 'operator',
    path: '/api/patrols/suggestions?text=1%E5%8F%B7%E6%A5%BC101%E5%AE%A4',
    bad: { path: '/api/patrols/suggestions?text=x&limit=99', names: /limit/ },
  },
  {
    route: 'POST /api/patrols/:id/household',
    role: 'operator',
    path: '/api/patrols/pt-none/household',
    body: { householdId: 'H1' },
    bad: { path: '/api/patrols/pt-none/household', body: { householdId: 'H 1' }, names: /householdId/ },
  },
];

const PUBLIC = ['GET /healthz', 'POST /api/session', 'GET /', 'GET /login', 'GET /ui/*'];
const BELOW: Record<Role, Role | null> = { viewer: null, operator: 'viewer', admin: 'operator' };

t.test('every route: 401 without credentials, 403 below its role, 400 with a clear message', async (t) => {
  const g = await startGateway(t);
  const table = routeTable(g.gw.http);
  const registered = table.filter((r) => !r.public).map((r) => `${r.method} ${r.url}`);
  t.same(registered.sort(), ROUTES.map((r) => r.route).sort(), 'every protected route is in this table');
  t.same(
    table
      .filter((r) => r.public)
      .map((r) => `${r.method} ${r.url}`)
      .sort(),
    [...PUBLIC].sort(),
    'exactly these routes are public',
  );

  const call = async (method: string, path: string, as: Role | null, body?: unknown, bearer?: string) => {
    const ac = new AbortController();
    const headers: Record<string, string> = {};
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await g.api(path, {
      method,
      as,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: ac.signal,
    });
    const text = res.headers.get('content-type')?.includes('event-stream') ? '' : await res.text();
    ac.abort();
    return {
      status: res.status,
      json: text.startsWith('{') ? (JSON.parse(text) as { message?: string }) : null,
    };
  };

  for (const r of ROUTES) {
    const [method = 'GET'] = r.route.split(' ');
    const anon = await call(method, r.path, null, r.body);
    t.equal(anon.status, 401, `${r.route} without credentials`);
    t.match(anon.json?.message, /authentication required/);
    t.equal(
      (await call(method, r.path, null, r.body, 'not-a-token')).status,
      401,
      `${r.route} with a wrong token`,
    );
    const below = BELOW[r.role];
    if (below) {
      const res = await call(method, r.path, below, r.body);
      t.equal(res.status, 403, `${r.route} as ${below}`);
      t.match(res.json?.message, new RegExp(`requires the ${r.role} role`));
      if (r.bad)
        t.equal((await call(method, r.bad.path, below, r.bad.body)).status, 403, 'role before input');
    }
    const ok = await call(method, r.path, r.role, r.body);
    t.notOk([401, 403].includes(ok.status), `${r.route} as ${r.role}: ${ok.status}`);
    if (r.bad) {
      const bad = await call(method, r.bad.path, r.role, r.bad.body);
      t.equal(bad.status, 400, `${r.route} bad input`);
      t.match(bad.json?.message, r.bad.names, `${r.route}: "${bad.json?.message}" names the field`);
    }
  }

  const metrics = await (await g.api('/metrics')).text();
  t.match(metrics, /estate_gateway_http_refused_total\{reason="no_credentials"\} \d+/);
  t.match(metrics, /estate_gateway_http_refused_total\{reason="role"\} \d+/);
  t.match(metrics, /estate_gateway_http_bad_requests_total\{route="\/api\/events",status="400"\} 1/);
  t.ok(
    g.logs.some((l) => l.msg === 'bad request' && l.route === '/api/events'),
    'a log line per bad request',
  );
  t.ok(g.logs.some((l) => l.msg === 'request refused' && l.why === 'role'));
  t.equal((await fetch(`${g.httpUrl}/healthz`)).status, 200, '/healthz is public');
  const root = await fetch(`${g.httpUrl}/`, { redirect: 'manual' });
  t.equal(root.status, 302, 'the dashboard sends strangers to the login page');
  t.equal(root.headers.get('location'), '/login');
  t.equal((await fetch(`${g.httpUrl}/login`)).status, 200);
  t.equal((await fetch(`${g.httpUrl}/api/nothing-here`)).status, 401, 'unknown paths too need a login');
});
