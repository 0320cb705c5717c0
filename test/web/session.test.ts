import t from 'tap';
import { startGateway, type TestGateway } from '../../testkit/gateway.js';

const PASSWORD = 'correct-horse-battery';

/** Logs in over HTTP; returns the cookie pair, the CSRF token and the reply. */
async function login(g: TestGateway, user: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${g.httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ user, password }),
  });
  const body = (await res.json()) as { csrf?: string; role?: string; message?: string };
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { res, body, setCookie, cookie: setCookie.split(';')[0] ?? '', csrf: body.csrf ?? '' };
}

t.test('login: session cookie, CSRF on writes, logout, audit; no password in logs', async (t) => {
  const g = await startGateway(t);
  const users = () => g.gw.db.prepare('SELECT name FROM users').pluck().all();
  await g.api('/api/users', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'wang', role: 'admin', password: PASSWORD }),
  });
  t.same(users(), ['wang']);

  const ok = await login(g, 'wang', PASSWORD);
  t.equal(ok.res.status, 200);
  t.match(
    ok.setCookie,
    /^eg_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    'HttpOnly, Strict',
  );
  t.equal(ok.body.role, 'admin');
  const stored = g.gw.db.prepare('SELECT id_hash FROM sessions').pluck().get() as string;
  t.not(stored, ok.cookie.split('=')[1], 'the table keeps a hash, not the cookie');

  const as = (cookie: string, csrf?: string) => ({
    cookie,
    'content-type': 'application/json',
    ...(csrf ? { 'x-csrf-token': csrf } : {}),
  });
  const me = await fetch(`${g.httpUrl}/api/session`, { headers: { cookie: ok.cookie } });
  t.equal(((await me.json()) as { csrf: string }).csrf, ok.csrf, 'GET /api/session gives the CSRF token');

  const body = JSON.stringify({ name: 'li', role: 'viewer', password: PASSWORD });
  const noCsrf = await fetch(`${g.httpUrl}/api/users`, { method: 'POST', headers: as(ok.cookie), body });
  t.equal(noCsrf.status, 403, 'a session write without the CSRF token is refused');
  t.match(((await noCsrf.json()) as { message: string }).message, /CSRF/);
  const wrong = await fetch(`${g.httpUrl}/api/users`, {
    method: 'POST',
    headers: as(ok.cookie, 'x'.repeat(32)),
    body,
  });
  t.equal(wrong.status, 403, 'a wrong CSRF token is refused');
  t.same(users(), ['wang'], 'nothing was written');
  const withCsrf = await fetch(`${g.httpUrl}/api/users`, {
    method: 'POST',
    headers: as(ok.cookie, ok.csrf),
    body,
  });
  t.equal(withCsrf.status, 201, 'with the token it works');
  t.same(users().sort(), ['li', 'wang']);

  const foreign = await login(g, 'wang', PASSWORD, { origin: 'http://evil.example' });
  t.equal(foreign.res.status, 403, 'a login posted from another site is refused');

  // Changing one's own password: the current one is checked, other sessions end, this one goes on.
  const other = await login(g, 'wang', PASSWORD);
  const change = (current: string) =>
    fetch(`${g.httpUrl}/api/session/password`, {
      method: 'POST',
      headers: as(ok.cookie, ok.csrf),
      body: JSON.stringify({ current, password: 'a-brand-new-password' }),
    });
  t.equal((await change('not-the-password')).status, 401, 'the current password is checked');
  const changed = await change(PASSWORD);
  t.equal(changed.status, 200);
  const fresh = (changed.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  t.equal(
    (await fetch(`${g.httpUrl}/api/session`, { headers: { cookie: other.cookie } })).status,
    401,
    'others end',
  );
  t.equal(
    (await fetch(`${g.httpUrl}/api/session`, { headers: { cookie: ok.cookie } })).status,
    401,
    'old cookie ends',
  );
  const again = await fetch(`${g.httpUrl}/api/session`, { headers: { cookie: fresh } });
  t.equal(again.status, 200, 'the new cookie works');
  ok.cookie = fresh;
  ok.csrf = ((await again.json()) as { csrf: string }).csrf;

  const out = await fetch(`${g.httpUrl}/api/session`, {
    method: 'DELETE',
    headers: { cookie: ok.cookie, 'x-csrf-token': ok.csrf },
  });
  t.equal(out.status, 204);
  t.match(out.headers.get('set-cookie'), /Max-Age=0/);
  t.equal(
    (await fetch(`${g.httpUrl}/api/session`, { headers: { cookie: ok.cookie } })).status,
    401,
    'logged out',
  );

  t.equal((await login(g, 'wang', PASSWORD)).res.status, 401, 'the old password is gone');
  const bad = await login(g, 'wang', 'not-the-password');
  t.equal(bad.res.status, 401);
  t.equal(bad.body.message, 'wrong user name or password');
  t.equal((await login(g, 'nobody', 'whatever-it-is')).res.status, 401, 'unknown user: same answer');

  const audit = g.gw.db.prepare('SELECT actor, action, outcome, target FROM audit ORDER BY seq').all();
  t.same(
    audit.map((a) => Object.values(a as object).join(' ')),
    [
      'token:test-admin user.add ok wang',
      'wang login.ok ok ',
      'wang request.refused refused POST /api/users',
      'wang request.refused refused POST /api/users',
      'wang user.add ok li',
      'wang login.ok ok ',
      'wang user.password failed wang',
      'wang user.password ok wang',
      'wang logout ok ',
      'wang login.failed failed ',
      'wang login.failed failed ',
      '(unknown) login.failed failed ',
    ],
    'logins, refusals and user changes are audited',
  );
  const logText = JSON.stringify(g.logs);
  t.notOk(logText.includes(PASSWORD), 'no password in the logs');
  t.notOk(logText.includes('not-the-password'));
  t.notOk(logText.includes(ok.cookie.split('=')[1] ?? '-'), 'no session id in the logs');
});

t.test(
  'login rate limit: lockout per user with backoff, per IP, answered 429 with Retry-After',
  async (t) => {
    const g = await startGateway(t, { dashboard: { login: { maxFailuresPerUser: 3, maxFailuresPerIp: 6 } } });
    await g.api('/api/users', {
      as: 'admin',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'zhao', role: 'viewer', password: PASSWORD }),
    });
    for (let i = 0; i < 3; i++) t.equal((await login(g, 'zhao', `wrong-${i}-password`)).res.status, 401);
    const locked = await login(g, 'zhao', PASSWORD);
    t.equal(locked.res.status, 429, 'locked: even the right password is refused');
    t.equal(locked.res.headers.get('retry-after'), '30');
    t.match(locked.body.message, /try again in 30 s/);
    // Other names from the same address: the per-IP limit counts them all.
    for (let i = 0; i < 3; i++) await login(g, `guess${i}`, 'wrong-password-x');
    t.equal((await login(g, 'someone', 'wrong-password-y')).res.status, 429, 'the address is locked too');
    const metrics = await (await g.api('/metrics')).text();
    t.match(metrics, /estate_gateway_logins_total\{outcome="failed"\} 6/);
    t.match(metrics, /estate_gateway_logins_total\{outcome="locked"\} 2/);
    t.ok(g.logs.some((l) => l.msg === 'login refused: locked out'));
  },
);

t.test('viewer: names masked in the household file, entries and search; file views audited', async (t) => {
  const g = await startGateway(t);
  const file = async (as: 'viewer' | 'operator') =>
    (await (await g.api('/api/households/H1', { as })).json()) as {
      members: Array<{ name: string; idMasked: string | null }>;
    };
  const v = await file('viewer');
  t.same(
    v.members.map((m) => m.name),
    ['张*', '李*'],
  );
  t.equal(v.members[0]?.idMasked, '310***********2014', 'ID numbers only ever masked');
  const o = await file('operator');
  t.same(
    o.members.map((m) => m.name),
    ['张伟', '李娜'],
  );
  const byName = await g.api('/api/households?name=%E5%BC%A0', { as: 'viewer' });
  t.equal(byName.status, 403, 'viewers may not search by name');
  const found = (await (await g.api('/api/households?name=%E5%BC%A0', { as: 'operator' })).json()) as {
    items: Array<{ id: string; leaseholder: string }>;
  };
  t.same(found.items, [{ ...found.items[0], id: 'H1', leaseholder: '张伟' }]);
  const views = g.gw.db
    .prepare("SELECT actor, household_id AS h FROM audit WHERE action = 'household.view' ORDER BY seq")
    .all();
  t.same(views, [
    { actor: 'token:test-viewer', h: 'H1' },
    { actor: 'token:test-operator', h: 'H1' },
  ]);
});
