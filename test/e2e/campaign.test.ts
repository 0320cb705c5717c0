import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { systemClock } from '../../core/clock.js';
import { UserStore } from '../../gateway/accounts/users.js';
import type { RosterSnapshot } from '../../gateway/roster/model.js';
import {
  launchChromium,
  logIn,
  newPage,
  newPhonePage,
  openPage as open,
  overflowX,
  RESULTS_DIR,
  shot,
  waitForAttr,
} from '../../testkit/browser.js';
import { startGateway, TEST_ROSTER } from '../../testkit/gateway.js';
import { pdfText } from '../../testkit/pdftotext.js';
import { readGps, withGps } from '../../testkit/photos.js';

/**
 * The full inspection in Chromium (issue 16), from opening to the report: an admin opens
 * the campaign at the desk; an inspector walks the households on a 375 px phone — the one
 * the detectors flagged first — recording who is home against the roster, a violation with
 * an unregistered tenant (which opens a case), nobody home (a revisit falls due), with a
 * camera photo; the written report shows coverage and the households never reached, goes
 * out as CSV, as the server's PDF and on A4, and is sent upstream as estate.report.campaign.
 */

const ADMIN = { user: 'e2e-chief', password: 'e2e-chief-password' };
const INSPECTOR = { user: 'e2e-xu', password: 'e2e-xu-password-1' };
const TENANT = { name: '钱多多', id: '310115198001152014' };

/** The test roster and two more homes in 1号楼: one with a tenant, one vacant. */
const ROSTER: RosterSnapshot = {
  ...TEST_ROSTER,
  households: [
    ...TEST_ROSTER.households,
    ...['0102', '0103'].map((room, i) => ({
      id: `H${i + 3}`,
      buildingId: 'B01',
      entranceId: 'B01-U1',
      room,
      housingType: 'gongzu' as const,
      leaseStart: null,
      leaseEnd: null,
      status: i === 0 ? ('active' as const) : ('vacant' as const),
    })),
  ],
  residents: [
    ...TEST_ROSTER.residents,
    {
      id: 'R00004',
      householdId: 'H3',
      role: 'leaseholder',
      name: '孙丽',
      idHash: null,
      idMasked: null,
      phoneMasked: null,
      validFrom: null,
      validTo: null,
      status: 'active',
    },
  ],
};

t.test('a full inspection from opening to its report, visits on a phone', async (t) => {
  const g = await startGateway(t, {}, ROSTER);
  const users = new UserStore(g.gw.db, systemClock);
  await users.add(ADMIN.user, 'admin', ADMIN.password);
  await users.add(INSPECTOR.user, 'operator', INSPECTOR.password);
  const base = g.httpUrl;
  const db = g.gw.db;
  // The detectors flagged 2号楼 0201 (H2): it must come first on every list.
  db.prepare(
    `INSERT INTO alerts(id, kind, severity, state, household_id, first_ts, last_ts, count, evidence, created_at, updated_at)
     VALUES ('al-e2e-1', 'overcrowding', 'critical', 'open', 'H2', ?, ?, 1, '[]', ?, ?)`,
  ).run(Date.now(), Date.now(), Date.now(), Date.now());

  const browser = await launchChromium(t);
  const desk = await newPage(t, browser);
  await logIn(desk, base, ADMIN);

  // The admin opens the campaign: the whole estate, four homes (vacant included).
  await open(desk, base, 'campaigns', '#campaign-form');
  t.match(await desk.textContent('nav a.active'), /全面排查/);
  await desk.fill('#campaign-form input[name=name]', '2026年度保障房全面排查');
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  await desk.fill('#campaign-form input[name=from]', today);
  await desk.fill('#campaign-form input[name=to]', today);
  await desk.fill('#campaign-form input[name=reportDue]', today);
  await desk.click('#campaign-form button[type=submit]');
  await desk.waitForSelector('main[data-page=campaign][data-loaded]');
  const id = decodeURIComponent(new URL(desk.url()).hash.replace('#/campaigns/', ''));
  t.match(id, /^cp-/);
  t.match(await desk.textContent('#campaign-stats'), /应排查户数4/);
  t.equal(
    await desk.getAttribute('#campaign-households tbody tr:first-child', 'data-household'),
    'H2',
    'the flagged household first',
  );
  await shot(desk, 'campaign-opened');

  // The inspector, on a phone.
  const phone = await newPhonePage(t, browser);
  await logIn(phone, base, INSPECTOR);
  await open(phone, base, `inspect/${id}`, 'main[data-page=inspect][data-loaded]');
  t.equal(await overflowX(phone), 0, 'the household list fits 375 px: nothing scrolls sideways');
  t.equal(await phone.getAttribute('#inspect-list li:first-child', 'data-household'), 'H2', 'flagged first');
  t.match(await phone.textContent('#inspect-list li:first-child'), /2号楼 0201.*未走访.*1 告警/);
  await shot(phone, 'inspect-list-phone');

  const visit = async (hid: string) => {
    await phone.click(`#inspect-list li[data-household=${hid}] a`);
    await phone.waitForSelector('#visit-form');
  };
  /** Sends the visit form; the page redraws with one more visit, or the test says what the page said. */
  const submitted = async (visits: string) => {
    await phone.click('#visit-form button[type=submit]');
    await waitForAttr(phone, 'main', 'data-visits', (v) => v === visits).catch(async (err: Error) => {
      await shot(phone, 'inspect-failed');
      throw new Error(`${err.message}; the page said: ${await phone.textContent('#visit-error')}`);
    });
  };

  // H1 (张伟 and 李娜 — she moved out): reached, normal; a camera photo with its GPS.
  await visit('H1');
  t.equal(await overflowX(phone), 0, 'the visit form fits 375 px');
  await phone.click('#visit-form label.result-normal');
  await phone.click('#visit-form .person[data-resident=R00001] label:has-text("在住")');
  await phone.fill('#visit-form textarea[name=note]', '承租人在家，与登记一致');
  const camera = withGps(
    await sharp({ create: { width: 1200, height: 1600, channels: 3, background: '#996633' } })
      .jpeg()
      .toBuffer(),
    { lat: 31.2, lon: 121.5 },
  );
  await phone.setInputFiles('#visit-form input[name=photos]', {
    name: 'IMG_20260301_101500.jpg',
    mimeType: 'image/jpeg',
    buffer: camera,
  });
  await phone.waitForSelector('#visit-form .photo-strip img');
  await submitted('1');
  t.match(await phone.textContent('#visit-message'), /已记录: 正常/);
  t.equal(await phone.getAttribute('main', 'data-status'), 'normal');
  const photoUrl = await phone.getAttribute('#visit-history a.photo-link', 'href');
  const stored = await phone.request.get(`${base}${photoUrl}`);
  t.equal(readGps(Buffer.from(await stored.body())), null, 'the photo as stored has no GPS position');
  await shot(phone, 'inspect-visit-phone');

  // H2: a violation — the leaseholder away, a tenant the roster does not know.
  await phone.click('#back-to-list');
  await phone.waitForSelector('main[data-page=inspect][data-loaded]');
  await visit('H2');
  await phone.click('#visit-form label.result-violation_found');
  await phone.click('#visit-form .person[data-resident=R00003] label:has-text("不在")');
  await phone.click('#add-unregistered');
  await phone.fill('#visit-form input[name=u-name-1]', TENANT.name);
  await phone.fill('#visit-form input[name=u-id-1]', TENANT.id);
  await phone.fill('#visit-form input[name=u-relation-1]', '租客');
  await phone.selectOption('#visit-form select[name=violation]', 'unregistered_occupant');
  t.equal(await overflowX(phone), 0, 'with every section open it still fits');
  await shot(phone, 'inspect-violation-phone');
  await submitted('1');
  const said = (await phone.textContent('#visit-message')) ?? '';
  t.match(said, /已立案 cs-/);
  const caseId = /cs-[0-9a-z]+/.exec(said)?.[0] as string;
  const persons = JSON.stringify(db.prepare('SELECT * FROM campaign_persons').all());
  t.notOk(persons.includes(TENANT.id), 'the tenant’s ID number is not stored, only its hash and mask');
  t.match(
    (db.prepare('SELECT evidence FROM cases WHERE id = ?').pluck().get(caseId) as string) ?? '',
    /"name":"钱\*\*".*"id":"310\*+2014"/,
  );

  // H3: nobody home — a revisit falls due; H4 (vacant) is never reached.
  await phone.click('#back-to-list');
  await phone.waitForSelector('main[data-page=inspect][data-loaded]');
  await visit('H3');
  await phone.click('#visit-form label.result-nobody_home');
  await submitted('1');
  t.match(await phone.textContent('h1.phone-title'), /无人在家/);
  await phone.click('#back-to-list');
  await phone.waitForSelector('main[data-page=inspect][data-loaded]');
  t.match(await phone.textContent('#inspect-list li[data-household=H3]'), /复访 \d{4}-\d\d-\d\d/);

  // The case the visit opened goes on at the desk: acknowledged, rectification, rectified.
  const move = (to: string, extra: object = {}) =>
    g.api(`/api/cases/${caseId}/transitions`, {
      as: 'operator',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to, note: '—', ...extra }),
    });
  await move('acknowledged');
  await move('rectification_ordered', { deadline: new Date(Date.now() + 86_400_000).toISOString() });
  t.equal((await move('rectified')).status, 200);

  // Progress and the report at the desk.
  await open(desk, base, 'campaigns', '#campaigns a.campaign-link');
  t.match(await desk.textContent('#campaigns'), /2026年度保障房全面排查.*全小区.*排查中.*2\/4 \(50%\)/);
  await desk.click('#campaigns a.campaign-link');
  await desk.waitForSelector('main[data-page=campaign][data-loaded]');
  t.match(await desk.textContent('#campaign-stats'), /入户核查2\/4 \(50%\).*发现违规1.*无人在家1/);
  t.match(await desk.textContent('main'), /e2e-xu/, 'progress by inspector');
  await desk.click('a.button:has-text("排查报告")');
  await desk.waitForSelector('main[data-page=campaign-report][data-loaded]');
  const stats = (await desk.textContent('#report-stats')) ?? '';
  t.match(stats, /应排查户数4.*已入户核查2.*覆盖率50\.0%.*发现违规户数1.*未入户2/);
  t.match(stats, /未登记人员1/);
  t.match(await desk.textContent('main'), /整改到位1/);
  const unreached = (await desk.textContent('#unreached')) ?? '';
  t.match(unreached, /未入户房屋 \(2\)/);
  t.match(unreached, /0102.*无人在家/);
  t.match(unreached, /0103.*未走访/);
  t.notOk((await desk.content()).includes(TENANT.name), 'no names in the report');
  await shot(desk, 'campaign-report');
  const [csv] = await Promise.all([desk.waitForEvent('download'), desk.click('#csv')]);
  const file = path.join(RESULTS_DIR, csv.suggestedFilename());
  await csv.saveAs(file);
  const text = readFileSync(file, 'utf8');
  t.ok(text.startsWith('\uFEFFsection,key,label,building,household,value'), 'CSV with a BOM');
  t.match(text, /coverage,rate,覆盖率,,,50\.0%/);
  t.match(text, /unreached,not_visited,未走访 0103,1号楼,H4,0/);
  // 导出PDF: made by the server, its Chinese read back, the households left named.
  const [pdfDownload] = await Promise.all([desk.waitForEvent('download'), desk.click('#pdf')]);
  t.match(pdfDownload.suggestedFilename(), /^campaign-.+\.pdf$/);
  const pdfFile = path.join(RESULTS_DIR, pdfDownload.suggestedFilename());
  await pdfDownload.saveAs(pdfFile);
  const served = pdfText(readFileSync(pdfFile), { layout: true });
  t.match(served, /覆盖率 50\.0%/);
  t.match(served, /1号楼 0103（H4）：未走访/);
  // On A4.
  await desk.emulateMedia({ media: 'print' });
  t.notOk(await desk.isVisible('aside'), 'no menu on paper');
  const pdf = await desk.pdf({ path: path.join(RESULTS_DIR, 'campaign-report.pdf'), format: 'A4' });
  t.equal(pdf.subarray(0, 4).toString(), '%PDF');
  await desk.emulateMedia({ media: 'screen' });

  // Sent upstream.
  await desk.click('#send-report');
  await desk.waitForSelector('#report-message:has-text("已报送")');
  const ev = JSON.parse(
    db.prepare('SELECT body FROM outbox WHERE event_id = ?').pluck().get(`cr-${id}-1`) as string,
  );
  t.match(ev, {
    type: 'estate.report.campaign',
    data: { campaign: { id }, coverage: { households: 4, reached: 2 }, cases: { opened: 1, rectified: 1 } },
  });
  t.notOk(JSON.stringify(ev).includes(TENANT.name), 'no names go upstream');
  t.match(db.prepare("SELECT action FROM audit WHERE action LIKE 'campaign.%' ORDER BY seq").pluck().all(), [
    'campaign.create',
    'campaign.visit',
    'campaign.visit',
    'campaign.visit',
    'campaign.report',
  ]);
});
