import t from 'tap';
import { importSimRoster } from '../../cli/simulation.js';
import { systemClock } from '../../core/clock.js';
import { UserStore } from '../../gateway/accounts/users.js';
import type { Db } from '../../gateway/store/db.js';
import { generateEstate } from '../../sim/estate.js';
import { EstateSimulation } from '../../sim/scenario.js';
import {
  launchChromium,
  logIn,
  newPage,
  openPage as open,
  shot,
  waitForAttr,
} from '../../testkit/browser.js';
import { startGateway, until } from '../../testkit/gateway.js';
import { simTestConfig } from '../sim/layout.js';

const ADMIN = { user: 'e2e-admin', password: 'e2e-admin-password' };
const VIEWER = { user: 'e2e-viewer', password: 'e2e-viewer-password' };

t.test('the dashboard in Chromium against the gateway and the simulated estate', async (t) => {
  const cfg = simTestConfig();
  const g = await startGateway(t, { doors: cfg.doors, readers: cfg.readers }, null);
  const estate = generateEstate(cfg, { seed: 2, households: 150 });
  await importSimRoster(g.gw.db, estate, g.gw.secrets);
  g.gw.reloadRoster();
  const users = new UserStore(g.gw.db, systemClock);
  await users.add(ADMIN.user, 'admin', ADMIN.password);
  await users.add(VIEWER.user, 'viewer', VIEWER.password);
  const base = g.httpUrl;

  const browser = await launchChromium(t);
  const page = await newPage(t, browser);

  // Log in: a wrong password first, then the right one.
  await page.goto(`${base}/`);
  await page.waitForURL(`${base}/login`);
  await shot(page, 'login');
  await page.fill('input[name=user]', ADMIN.user);
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('#login-error:not(:empty)');
  t.match(await page.textContent('#login-error'), /用户名或密码错误/, 'a wrong password is told in Chinese');
  await logIn(page, base, ADMIN);
  t.match(await page.textContent('#who'), /e2e-admin · 管理员/);

  // The simulated estate starts now: the live page must show its entries as they come.
  await open(page, base, 'live', '#live-status');
  await page.waitForSelector('#live-status.ok', { timeout: 10_000 });
  const sim = new EstateSimulation({
    estate,
    config: cfg,
    brokerUrl: g.brokerUrl,
    speed: 1800,
    seed: 2,
    startTime: Date.now(),
    maxReadsPerSecond: 30,
  });
  await sim.start();
  t.teardown(() => sim.stop());
  await page.waitForSelector('#live-rows[data-received]', { timeout: 20_000 });
  await waitForAttr(page, '#live-rows', 'data-received', (v) => Number(v) >= 3);
  const firstRow = await page.textContent('#live-rows tbody tr');
  t.match(firstRow, /放行|拒绝/, `a live entry arrived: ${firstRow?.replace(/\s+/g, ' ')}`);
  t.ok((await page.$$('#live-rows tbody tr')).length >= 3);
  await shot(page, 'live');

  const t0 = Date.now();
  await open(page, base, 'overview', 'main .chart svg');
  await page.waitForSelector('main[data-loaded]');
  t.comment(
    `overview drawn ${Date.now() - t0} ms after navigation (chart library loaded for the first time)`,
  );
  t.match(await page.textContent('.stats'), /今日进入/);
  await shot(page, 'overview');

  // The simulation's opening act: a stranger at a gate, a moved-out tenant at the old door.
  await until(() => g.gw.db.prepare('SELECT count(*) FROM alerts').pluck().get() !== 0, 20_000, 'an alert');
  await open(page, base, 'alerts');
  await page.waitForSelector('main tbody tr a[href^="#/alerts/"]', { timeout: 15_000 });
  await shot(page, 'alerts');
  await page.click('main tbody tr a[href^="#/alerts/"]');
  await page.waitForSelector('main h1');
  t.match(await page.textContent('main'), /证据/);
  await shot(page, 'alert');

  // A person–card alert (issue 8): its evidence reads as the code table's labels, never raw codes.
  const pcAlert = personCardAlert(g.gw.db);
  await open(page, base, `alerts/${pcAlert}`, 'main span.reasons');
  const reasons = await page.$$eval('main span.reasons', (els) =>
    els.map((e) => ({ text: e.textContent ?? '', codes: e.getAttribute('data-codes') ?? '' })),
  );
  t.same(
    reasons,
    [
      { text: '人证不符', codes: 'person_card_mismatch' },
      { text: '请再刷身份证完成人证核验', codes: 'idcard_required' },
      {
        text: '请再刷脸或按指纹完成人证核验，此门需身份证加人脸或指纹',
        codes: 'biometric_required two_factors_required',
      },
    ],
    'the person–card reasons as Chinese labels',
  );
  t.match(await page.textContent('main h1'), /人证不符/);
  t.notMatch(await page.textContent('main'), /_required|person_card/, 'no raw code on the page');

  const ready: Record<string, string> = { config: 'pre.config', reports: 'main .chart svg' };
  for (const p of ['cases', 'households', 'visitors', 'reports', 'devices', 'audit', 'users', 'config']) {
    await open(page, base, p, ready[p] ?? 'main table');
    await shot(page, p);
    if (p === 'audit')
      t.match(await page.textContent('#audit'), /login\.failed/, 'the failed login is audited');
  }

  await open(page, base, 'password', '#password-form');
  await shot(page, 'password');

  // A write without the CSRF token is refused; the same write with it goes through.
  const refused = await page.evaluate(async () => {
    const r = await fetch('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'intruder', role: 'admin' }),
    });
    return { status: r.status, body: (await r.json()) as { message: string } };
  });
  t.equal(refused.status, 403, 'a write without the CSRF token is refused');
  t.match(refused.body.message, /CSRF/);
  t.equal(users.get('intruder'), null, 'nobody was added');
  await open(page, base, 'users');
  await page.fill('#add-user input[name=name]', 'guard-1');
  await page.selectOption('#add-user select[name=role]', 'viewer');
  await page.click('#add-user button[type=submit]');
  await page.waitForSelector('#users-message:not([hidden])');
  t.match(
    await page.textContent('#users-message'),
    /guard-1 — 新密码仅显示一次: \S{19}/,
    'the form adds (with its token)',
  );
  t.equal(users.get('guard-1')?.role, 'viewer');

  await page.click('#lang');
  await page.waitForSelector('#who');
  await open(page, base, 'overview', 'main .chart svg');
  t.match(await page.textContent('.stats'), /Entries in today/, 'the English switch');
  await shot(page, 'overview-en');
  await open(page, base, `alerts/${pcAlert}`, 'main span.reasons');
  t.match(
    await page.textContent('main span.reasons'),
    /^Person–card mismatch$/,
    'the same code table in English',
  );
  await page.click('#lang');
  await page.waitForSelector('#who');
  await page.click('#logout');
  await page.waitForURL(`${base}/login`);

  // A viewer opens a household file: names masked, the view audited.
  // The household of the latest resident entry: its file shows members and entries.
  const hh = g.gw.db
    .prepare(
      `SELECT r.household_id AS id, r.name FROM decisions d JOIN residents r ON r.id = d.resident_id
        ORDER BY d.seq DESC LIMIT 1`,
    )
    .get() as { id: string; name: string };
  await logIn(page, base, VIEWER);
  await open(page, base, 'households');
  t.ok(await page.isDisabled('input[name=name]'), 'viewers cannot search by name');
  await open(page, base, `households/${hh.id}`, '.member-name');
  const names = await page.$$eval('.member-name', (els) => els.map((e) => e.textContent ?? ''));
  const entryNames = await page.$$eval('main tbody tr td:nth-child(8)', (els) =>
    els.map((e) => e.textContent ?? ''),
  );
  t.ok(
    entryNames.length > 0 && entryNames.every((n) => /^(.\*+|—)$/u.test(n)),
    `entries masked: ${entryNames}`,
  );
  t.ok(names.length > 0);
  t.ok(
    names.every((n) => /^.\*+$/u.test(n)),
    `every name masked: ${names.join(', ')}`,
  );
  t.notOk((await page.textContent('main'))?.includes(hh.name), 'the real name is nowhere on the page');
  t.ok(await page.isVisible('#masked-note'));
  await shot(page, 'household-file-viewer');
  const views = g.gw.db
    .prepare("SELECT actor FROM audit WHERE action = 'household.view' AND household_id = ?")
    .pluck()
    .all(hh.id);
  t.same(views, [VIEWER.user], 'the view is in the audit log');
  await open(page, base, 'audit', 'main .notice');
  t.match(await page.textContent('main'), /暂无权限/, 'the audit page is not for viewers');
});

/**
 * Writes a person–card alert as the alert manager stores it, its evidence three reads whose
 * reasons are the codes the dashboard used to show raw (issue 8). Returns its id.
 */
function personCardAlert(db: Db): string {
  const now = Date.now();
  const entry = (seq: number, type: string, reasons: string[]) => ({
    seq,
    readerId: 'R-PC',
    recordId: `pc-${seq}`,
    ts: now - 1000 * (4 - seq),
    type,
    score: null,
    thumb: null,
    reasons,
  });
  const evidence = {
    entries: [
      entry(1, 'idcard', ['person_card_mismatch']),
      entry(2, 'face', ['idcard_required']),
      entry(3, 'idcard', ['biometric_required', 'two_factors_required']),
    ],
  };
  const id = `al-e2e-person-card-${now}`;
  db.prepare(
    `INSERT INTO alerts(id, kind, severity, state, door_id, reader_id, subject, first_ts, last_ts, count,
                        evidence, created_at, updated_at)
     VALUES (?, 'person_card_mismatch', 'critical', 'open', 'D-PC', 'R-PC', 'pc', ?, ?, 3, ?, ?, ?)`,
  ).run(id, now - 3000, now, JSON.stringify(evidence), now, now);
  return id;
}
