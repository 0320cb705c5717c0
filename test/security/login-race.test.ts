import { randomBytes, scryptSync } from 'node:crypto';
import t from 'tap';
import { needsRehash } from '../../gateway/accounts/passwords.js';
import { startGateway, type TestGateway } from '../../testkit/gateway.js';

/** Issue 9 items 2–4: the login lockout holds under concurrency, floods write no audit flood, proxies. */

const PASSWORD = 'correct-horse-battery';

async function addUser(g: TestGateway, name: string): Promise<void> {
  const res = await g.api('/api/users', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, role: 'viewer', password: PASSWORD }),
  });
  if (res.status !== 201) throw new Error(`user ${name}: ${res.status}`);
}

function login(g: TestGateway, user: string, password: string, headers: Record<string, string> = {}) {
  return fetch(`${g.httpUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ user, password }),
  });
}

const count = (g: TestGateway, action: string) =>
  g.gw.db.prepare('SELECT count(*) FROM audit WHERE action = ?').pluck().get(action) as number;

async function metric(g: TestGateway, re: RegExp): Promise<number> {
  const text = await (await g.api('/metrics')).text();
  return Number(re.exec(text)?.[1] ?? 0);
}

t.test('40 concurrent wrong passwords: at most the limit reach scrypt, the rest are refused', async (t) => {
  const g = await startGateway(t);
  await addUser(g, 'zhao');
  const replies = await Promise.all(
    Array.from({ length: 40 }, (_, i) => login(g, 'zhao', `wrong-password-${i}`)),
  );
  const statuses = replies.map((r) => r.status);
  const verified = statuses.filter((s) => s === 401).length;
  t.ok(verified <= 5, `at most maxFailuresPerUser (5) verified: ${verified}`);
  t.ok(verified >= 1, 'some were verified');
  t.equal(statuses.filter((s) => s === 429).length, 40 - verified, 'the rest are refused with 429');
  t.ok(
    replies.filter((r) => r.status === 429).every((r) => Number(r.headers.get('retry-after')) >= 1),
    'every refusal says when to come back',
  );
  t.equal(await metric(g, /estate_gateway_logins_total\{outcome="failed"\} (\d+)/), verified);
  t.equal(count(g, 'login.failed'), verified, 'one audit row per verified failure');
  t.ok(
    count(g, 'login.locked') <= 3,
    `refusals audited once per key and window: ${count(g, 'login.locked')}`,
  );
  // The right password is refused while the user is locked out, and nothing changed.
  t.equal((await login(g, 'zhao', PASSWORD)).status, 429);
  t.equal(g.gw.db.prepare('SELECT count(*) FROM sessions').pluck().get(), 0, 'no session opened');
});

t.test('500 locked-out requests write one audit row and are counted', async (t) => {
  const g = await startGateway(t, { dashboard: { login: { maxFailuresPerUser: 2, lockoutSeconds: 600 } } });
  await addUser(g, 'qian');
  for (let i = 0; i < 2; i++) t.equal((await login(g, 'qian', `wrong-${i}-password`)).status, 401);
  const before = count(g, 'login.locked');
  const started = Date.now();
  for (let batch = 0; batch < 10; batch++) {
    const rs = await Promise.all(Array.from({ length: 50 }, () => login(g, 'qian', 'wrong-password-x')));
    t.ok(
      rs.every((r) => r.status === 429),
      `batch ${batch}: all refused`,
    );
  }
  t.equal(count(g, 'login.locked') - before, 1, 'the first refusal of the lockout is audited');
  t.equal(
    await metric(g, /estate_gateway_audit_suppressed_total\{action="login.locked"\} (\d+)/),
    499,
    'the other 499 are counted',
  );
  t.equal(await metric(g, /estate_gateway_logins_total\{outcome="locked"\} (\d+)/), 500);
  t.equal(g.logs.filter((l) => l.msg === 'login refused: locked out').length, 1, 'and one log line, not 500');
  t.comment(`500 locked-out requests in ${Date.now() - started} ms`);
});

t.test('old scrypt hashes verify and are replaced at the next login', async (t) => {
  const g = await startGateway(t);
  await addUser(g, 'sun');
  const current = g.gw.db
    .prepare("SELECT password_hash FROM users WHERE name = 'sun'")
    .pluck()
    .get() as string;
  t.match(current, /^scrypt\$32768\$8\$3\$/, 'new hashes: N=2^15, r=8, p=3');
  t.notOk(needsRehash(current));
  // A hash of the parameters issue 5 shipped (N=2^15, p=1) and a weaker one.
  for (const [n, p] of [
    [1 << 15, 1],
    [1 << 14, 1],
  ] as const) {
    const salt = randomBytes(16);
    const key = scryptSync(PASSWORD.normalize('NFC'), salt, 32, { N: n, r: 8, p, maxmem: 256 * n * 8 });
    const old = `scrypt$${n}$8$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
    t.ok(needsRehash(old), `N=${n} p=${p} needs a rehash`);
    g.gw.db.prepare("UPDATE users SET password_hash = ? WHERE name = 'sun'").run(old);
    t.equal((await login(g, 'sun', PASSWORD)).status, 200, 'the old hash still verifies');
    const now = g.gw.db.prepare("SELECT password_hash FROM users WHERE name = 'sun'").pluck().get() as string;
    t.match(now, /^scrypt\$32768\$8\$3\$/, 'and was replaced by a hash of today’s parameters');
    t.equal((await login(g, 'sun', PASSWORD)).status, 200, 'which verifies too');
  }
});

t.test('http.trustProxy: X-Forwarded-For only from the configured proxy', async (t) => {
  const lim = { dashboard: { login: { maxFailuresPerIp: 2, maxFailuresPerUser: 100 } } };
  const proxied = await startGateway(t, {
    ...lim,
    http: { host: '127.0.0.1', port: 0, trustProxy: ['127.0.0.1'] },
  });
  for (const client of ['192.0.2.10', '192.0.2.11', '192.0.2.12'])
    for (let i = 0; i < 2; i++)
      t.equal(
        (await login(proxied, 'nobody', 'wrong-password-y', { 'x-forwarded-for': client })).status,
        401,
        `${client} attempt ${i + 1}: counted against ${client}, not the proxy`,
      );
  t.equal(
    (await login(proxied, 'nobody', 'wrong-password-y', { 'x-forwarded-for': '192.0.2.10' })).status,
    429,
    'the guessing client is locked out',
  );
  const ips = proxied.gw.db
    .prepare("SELECT DISTINCT ip FROM audit WHERE action = 'login.failed' ORDER BY ip")
    .pluck()
    .all();
  t.same(ips, ['192.0.2.10', '192.0.2.11', '192.0.2.12'], 'the audit names the client');

  // Without trustProxy the header is the caller's word, and is ignored.
  const direct = await startGateway(t, lim);
  for (const client of ['192.0.2.20', '192.0.2.21'])
    await login(direct, 'nobody', 'wrong-password-y', { 'x-forwarded-for': client });
  t.equal(
    (await login(direct, 'nobody', 'wrong-password-y', { 'x-forwarded-for': '192.0.2.22' })).status,
    429,
    'a forged header does not escape the per-address limit',
  );
  t.same(direct.gw.db.prepare("SELECT DISTINCT ip FROM audit WHERE action LIKE 'login.%'").pluck().all(), [
    '127.0.0.1',
  ]);
});
