import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { systemClock } from '../../core/clock.js';
import { UserStore } from '../../gateway/accounts/users.js';
import {
  launchChromium,
  logIn,
  newPage,
  openPage as open,
  RESULTS_DIR,
  shot,
} from '../../testkit/browser.js';
import { startGateway } from '../../testkit/gateway.js';
import { readGps, simplePdf, withGps } from '../../testkit/photos.js';

/**
 * The rest of the notice's workflow in Chromium (issue 16): an online-listing patrol that
 * opens a case (screenshot uploaded, household picked from the gateway's suggestions); its
 * hand-over to another district's office, whose feedback closes it; a tip rewarded — proposed
 * by an operator, approved by an admin — whose tipster a viewer sees masked; a patrol photo
 * whose EXIF (GPS position included) is gone once uploaded.
 */

const OPERATOR = { user: 'e2e-li', password: 'e2e-li-password-1' };
const ADMIN = { user: 'e2e-zhou', password: 'e2e-zhou-password' };
const VIEWER = { user: 'e2e-guard', password: 'e2e-guard-password' };
const TIPSTER = { name: '王建国', phone: '13900001111' };
const LISTING = '测试小区 1号楼101室 整租 拎包入住 月租3500';

const photo = (w: number, h: number) =>
  sharp({
    create: {
      width: w,
      height: h,
      channels: 3,
      background: '#557799',
      noise: { type: 'gaussian', mean: 120, sigma: 25 },
    },
  })
    .jpeg()
    .toBuffer();

t.test('listing patrol, hand-over feedback, a rewarded tip, an upload without EXIF', async (t) => {
  const g = await startGateway(t);
  const users = new UserStore(g.gw.db, systemClock);
  await users.add(OPERATOR.user, 'operator', OPERATOR.password);
  await users.add(ADMIN.user, 'admin', ADMIN.password);
  await users.add(VIEWER.user, 'viewer', VIEWER.password);
  const base = g.httpUrl;
  const db = g.gw.db;
  const browser = await launchChromium(t);
  const page = await newPage(t, browser);
  await logIn(page, base, OPERATOR);

  // 网络房源: a listing of this estate on 58.com; the screenshot is uploaded; the gateway
  // reads 1号楼101室 from its words and suggests H1; the operator picks it.
  await open(page, base, 'patrols', '#target-form');
  await page.selectOption('#target-form select[name=platform]', 'tongcheng58');
  await page.fill('#target-form input[name=url]', 'https://sh.58.com/zufang/55512345.shtml');
  await page.fill('#target-form input[name=listingId]', '55512345');
  await page.fill('#target-form input[name=price]', '3500');
  await page.fill('#target-form textarea[name=text]', LISTING);
  await page.press('#target-form textarea[name=text]', 'Tab');
  await page.click('#suggestions button.pick[data-household=H1]');
  t.match(await page.textContent('#picked-household'), /1号楼 0101/);
  const screenshot = await sharp(await photo(600, 1000))
    .png()
    .toBuffer();
  await page.setInputFiles('#target-form input[name=photos]', {
    name: 'Screenshot_58.png',
    mimeType: 'image/png',
    buffer: screenshot,
  });
  await page.waitForSelector('#target-form .photo-strip img');
  await page.fill('#target-form textarea[name=note]', '网上发现本小区保障房整租信息');
  await page.click('#target-form button[type=submit]');
  await page.waitForSelector('#patrol-message #opened-case');
  const caseId = (await page.textContent('#patrol-message #opened-case')) ?? '';
  t.match(caseId, /^cs-/);
  t.match(await page.textContent('#target-patrols'), /网络房源.*58同城 55512345.*¥3500.*发现违规.*H1/);
  await shot(page, 'patrols-listing');

  // The case: the listing is its evidence, with the screenshot.
  await page.click(`#target-patrols a.case-link`);
  await page.waitForSelector('main[data-state=open] #evidence-chain');
  t.match(await page.textContent('h1'), /网络挂牌出租/);
  const chain = (await page.textContent('#evidence-chain')) ?? '';
  t.match(chain, /巡查对象网络房源/);
  t.match(chain, /平台58同城/);
  t.match(chain, /租金（元\/月）3500/);
  await page.waitForSelector('#evidence-photos img');
  t.ok(await page.isVisible('#case-files a.photo-link'), 'the upload is a file of the case');
  await shot(page, 'case-listing');

  // The hand-over to Minhang's office (the tenant lives there), then its feedback closes it.
  const move = async (to: string, note: string, fill?: () => Promise<void>) => {
    await page.click(`#case-actions button[data-move=${to}]`);
    await page.fill('#case-action textarea[name=note]', note);
    await fill?.();
    await page.click('#case-action button[type=submit]');
    await page.waitForSelector(`main[data-state=${to}]`);
  };
  await move('acknowledged', '电话联系承租人，承认挂牌');
  await move('rectification_ordered', '限期下架并清退');
  await move('overdue', '逾期仍在网上挂牌');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    move('handed_over', '承租人户籍在闵行，移交闵行区城管', async () => {
      await page.check('#case-action input[name=crossDistrict]');
      await page.selectOption('#case-action select[name=district]', 'minhang');
      await page.fill('#case-action input[name=office]', '闵行区城管执法局');
    }),
  ]);
  t.equal(download.suggestedFilename(), `handover-${caseId}.json`);
  const saved = path.join(RESULTS_DIR, `handover-${caseId}.json`);
  await download.saveAs(saved);
  const pkg = JSON.parse(readFileSync(saved, 'utf8')) as { files: Array<{ ref: string; mime: string }> };
  t.match(
    pkg.files,
    [{ ref: /^evidence:ev-/, mime: 'image/png' }],
    'the screenshot is in the package by reference',
  );
  t.match(await page.textContent('#enforcement'), /闵行区（跨区）.*闵行区城管执法局.*待反馈/);
  await page.fill('#feedback-form input[name=officeRef]', '闵城管罚〔2026〕88号');
  await page.selectOption('#feedback-form select[name=result]', 'penalty');
  await page.fill('#feedback-form textarea[name=note]', '罚款五千元，责令下架');
  await page.setInputFiles('#feedback-form input[name=document]', {
    name: '处罚决定书.pdf',
    mimeType: 'application/pdf',
    buffer: simplePdf(),
  });
  await page.waitForSelector('#feedback-form .photo-strip .photo');
  await page.click('#feedback-form button[type=submit]');
  await page.waitForSelector('main[data-state=closed]');
  t.equal(await page.getAttribute('#enforcement', 'data-result'), 'penalty');
  t.match(await page.textContent('#enforcement'), /行政处罚.*闵城管罚〔2026〕88号/);
  t.match(await page.textContent('#case-timeline'), /城管反馈：行政处罚/);
  t.ok(await page.isVisible('#enforcement a.photo-link'), 'the office’s document is kept');
  await shot(page, 'case-feedback-closed');

  // A tip with the tipster's name and phone, from the household file.
  await open(page, base, 'households/H2', '#tip-form');
  await page.selectOption('#tip-form select[name=channel]', 'phone');
  await page.fill('#tip-form textarea[name=content]', '邻居反映该户转租给外地人');
  await page.fill('#tip-form input[name=tipsterName]', TIPSTER.name);
  await page.fill('#tip-form input[name=tipsterPhone]', TIPSTER.phone);
  await page.click('#tip-form button[type=submit]');
  await page.waitForSelector('#tip-message #opened-case');
  const tipCase = (await page.textContent('#tip-message #opened-case')) ?? '';
  const tipId = db.prepare('SELECT id FROM tips WHERE case_id = ?').pluck().get(tipCase) as string;
  await open(page, base, 'tips', `#tips tr[data-tip="${tipId}"]`);
  t.match(
    await page.textContent(`#tips tr[data-tip="${tipId}"]`),
    /王\*\* 139\*\*\*\*1111.*未证实.*待查证/,
    'an operator sees the tipster masked',
  );
  // The case proves true (acted on after verification); the operator proposes a reward.
  await open(page, base, `cases/${tipCase}`, 'main[data-state=open]');
  await move('acknowledged', '上门核实，确有外来人员居住');
  await move('dissuaded', '已劝阻承租人');
  await open(page, base, 'tips', `#tips tr[data-tip="${tipId}"] button.propose`);
  await page.click(`#tips tr[data-tip="${tipId}"] button.propose`);
  await page.selectOption('#reward-form select[name=kind]', 'cash');
  await page.fill('#reward-form input[name=amountYuan]', '500');
  await page.fill('#reward-form textarea[name=note]', '举报属实，建议奖励500元');
  await page.click('#reward-form button[type=submit]');
  await page.waitForSelector(`#tips tr[data-tip="${tipId}"]:has-text("待审批")`);
  t.equal(
    await page.locator(`#tips tr[data-tip="${tipId}"] button.decide`).count(),
    0,
    'operators do not decide',
  );
  await page.click('#logout');
  await page.waitForURL(`${base}/login`);

  // The admin reads the tipster in full and approves.
  await logIn(page, base, ADMIN);
  await open(page, base, 'tips', `#tips tr[data-tip="${tipId}"] button.decide`);
  t.match(
    await page.textContent(`#tips tr[data-tip="${tipId}"] .tipster`),
    `${TIPSTER.name} ${TIPSTER.phone}`,
  );
  await page.click(`#tips tr[data-tip="${tipId}"] button.decide`);
  await page.selectOption('#reward-form select[name=decision]', 'approved');
  await page.fill('#reward-form textarea[name=note]', '同意发放');
  await page.click('#reward-form button[type=submit]');
  await page.waitForSelector(`#tips tr[data-tip="${tipId}"]:has-text("已批准")`);
  t.match(await page.textContent(`#tips tr[data-tip="${tipId}"]`), /奖金 ¥500 · 已批准/);
  await shot(page, 'tips-admin');
  t.match(
    db.prepare("SELECT actor FROM audit WHERE action = 'tip.view'").pluck().all(),
    [ADMIN.user],
    'the admin’s reading of the tipster is audited',
  );
  await page.click('#logout');
  await page.waitForURL(`${base}/login`);

  // A viewer: the tipster masked, the tip's words hidden, nothing to act on.
  await logIn(page, base, VIEWER);
  await open(page, base, 'tips', `#tips tr[data-tip="${tipId}"]`);
  const row = (await page.textContent(`#tips tr[data-tip="${tipId}"]`)) ?? '';
  t.match(row, /王\*\* 139\*\*\*\*1111/);
  t.match(row, /仅操作员可见/);
  const html = await page.content();
  t.notOk(html.includes(TIPSTER.name) || html.includes(TIPSTER.phone), 'the viewer’s page holds no tipster');
  t.equal(await page.locator('#tips button').count(), 0, 'no reward buttons for viewers');
  await shot(page, 'tips-viewer');
  await page.click('#logout');
  await page.waitForURL(`${base}/login`);

  // A patrol photo whose EXIF (with the GPS position) is gone once uploaded.
  await logIn(page, base, OPERATOR);
  await open(page, base, 'households/H1', '#patrol-form');
  const original = withGps(await photo(3000, 2000), { lat: 31.1, lon: 121.3 }, 'Flat 101 of the tenant');
  t.ok(readGps(original), 'the photo leaves the phone with its position');
  await page.setInputFiles('#patrol-form input[name=photos]', {
    name: 'IMG_20260301_0930.jpg',
    mimeType: 'image/jpeg',
    buffer: original,
  });
  await page.waitForSelector('#patrol-form .photo-strip img');
  await page.click('#patrol-form button[type=submit]');
  await page.waitForSelector('#household-ledger a.photo-link img');
  const href = (await page.getAttribute('#household-ledger a.photo-link', 'href')) ?? '';
  const stored = Buffer.from(await (await page.request.get(`${base}${href}`)).body());
  t.equal(readGps(stored), null, 'no GPS position in the stored photo');
  const meta = await sharp(stored).metadata();
  t.notOk(meta.exif, 'no EXIF block at all');
  t.same([meta.width, meta.height], [2048, 1365], 'capped at 2048 px');
  t.notOk(stored.includes(Buffer.from('Flat 101')), 'the description went with it');
  t.notOk(
    JSON.stringify(db.prepare('SELECT * FROM evidence_files').all()).includes('IMG_2026'),
    'the browser’s file name is kept nowhere',
  );
});
