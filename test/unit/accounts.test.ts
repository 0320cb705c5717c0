import t from 'tap';
import { ManualClock } from '../../core/clock.js';
import { hasCode } from '../../core/errors.js';
import { AuditLog } from '../../gateway/accounts/audit.js';
import { Lockouts } from '../../gateway/accounts/login-limiter.js';
import {
  generatePassword,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../gateway/accounts/passwords.js';
import { SessionStore } from '../../gateway/accounts/sessions.js';
import { UserStore } from '../../gateway/accounts/users.js';
import { openDb } from '../../gateway/store/db.js';

t.test('passwords: scrypt with its parameters in the hash, constant-time check', async (t) => {
  const h = await hashPassword('密码也可以是中文的呢');
  t.match(h, /^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  t.ok(await verifyPassword('密码也可以是中文的呢', h));
  t.notOk(await verifyPassword('密码也可以是中文的', h));
  t.not(await hashPassword('same-password'), await hashPassword('same-password'), 'salted');
  t.notOk(await verifyPassword('x', 'md5$abc'), 'a malformed hash never verifies');
  t.match(generatePassword(), /^([a-km-zA-HJ-NP-Z2-9]{4}-){3}[a-km-zA-HJ-NP-Z2-9]{4}$/);
  t.match(passwordProblem('short'), /at least 10/);
  t.equal(passwordProblem('long-enough-1'), null);
});

t.test('lockouts: after N failures, doubling up to the cap; forgotten after a quiet spell', async (t) => {
  const clock = new ManualClock();
  const l = new Lockouts({ maxFailures: 3, lockoutMs: 1000, maxLockoutMs: 5000, forgetMs: 60_000 }, clock);
  t.same([l.fail('a'), l.fail('a')], [0, 0]);
  t.equal(l.fail('a'), 1000, 'third failure locks');
  t.equal(l.retryAfter('a'), 1000);
  clock.advance(1000);
  t.equal(l.retryAfter('a'), 0);
  t.same([l.fail('a'), l.fail('a'), l.fail('a')], [2000, 4000, 5000], 'doubling, capped');
  t.equal(l.retryAfter('b'), 0, 'keys are separate');
  clock.advance(61_000);
  t.equal(l.fail('a'), 0, 'forgotten after forgetMs without failures');
  l.reset('a');
  t.equal(l.retryAfter('a'), 0);
});

t.test(
  'users and sessions: idle and absolute expiry, disable and password change end sessions',
  async (t) => {
    const db = openDb(':memory:');
    t.teardown(() => db.close());
    const clock = new ManualClock();
    const users = new UserStore(db, clock);
    const sessions = new SessionStore(db, clock, { idleMs: 30 * 60_000, maxAgeMs: 2 * 3600_000 });
    await users.add('Zhang.San', 'operator', 'a-good-password');
    await t.rejects(
      users.add('zhang.san', 'viewer', 'a-good-password'),
      { code: 'USER_EXISTS' },
      'names are case-insensitive',
    );
    await users.add('bad name', 'viewer', 'a-good-password').catch((e) => t.ok(hasCode(e, 'USER_INVALID')));
    t.equal((await users.verify('zhang.san', 'a-good-password'))?.name, 'Zhang.San');
    t.equal(await users.verify('Zhang.San', 'wrong-password'), null);

    const s = sessions.create('Zhang.San', '127.0.0.1');
    t.equal(sessions.get(s.id)?.role, 'operator');
    users.update('Zhang.San', { role: 'viewer' });
    t.equal(sessions.get(s.id)?.role, 'viewer', 'a role change applies at once');
    clock.advance(29 * 60_000);
    t.ok(sessions.get(s.id), 'used within the idle time: slides');
    clock.advance(29 * 60_000);
    t.ok(sessions.get(s.id));
    clock.advance(31 * 60_000);
    t.equal(sessions.get(s.id), null, 'idle too long');
    const s2 = sessions.create('Zhang.San', null);
    for (let i = 0; i < 5; i++) {
      clock.advance(25 * 60_000);
      sessions.get(s2.id);
    }
    t.equal(sessions.get(s2.id), null, 'ends at the absolute lifetime however busy');
    const s3 = sessions.create('Zhang.San', null);
    await users.setPassword('Zhang.San', 'another-good-password');
    t.equal(sessions.get(s3.id), null, 'a new password ends the sessions');
    const s4 = sessions.create('Zhang.San', null);
    users.update('Zhang.San', { disabled: true });
    t.equal(sessions.get(s4.id), null, 'disabling ends them');
    t.equal(
      await users.verify('Zhang.San', 'another-good-password'),
      null,
      'a disabled account cannot log in',
    );
    clock.advance(3 * 3600_000);
    sessions.create('Zhang.San', null);
    t.ok(sessions.purge() >= 0);

    const audit = new AuditLog(db, clock);
    for (let i = 0; i < 5; i++)
      audit.record({ actor: 'a', action: i % 2 ? 'household.view' : 'login.ok', householdId: `H${i}` });
    const page1 = audit.list({ action: 'household.view' }, 1);
    t.same(
      page1.map((r) => r.householdId),
      ['H3'],
    );
    t.same(
      audit.list({ action: 'household.view', before: page1[0]?.seq }, 10).map((r) => r.householdId),
      ['H1'],
    );
  },
);
