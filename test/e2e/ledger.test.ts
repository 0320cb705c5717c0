import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import t from 'tap';
import { importSimRoster } from '../../cli/simulation.js';
import { systemClock } from '../../core/clock.js';
import { UserStore } from '../../gateway/accounts/users.js';
import { encodeEmbedding, personEmbedding } from '../../sim/embedding.js';
import { generateEstate } from '../../sim/estate.js';
import { FaceTerminal } from '../../sim/face-terminal.js';
import { faceImage } from '../../sim/images.js';
import type { TerminalCommand } from '../../sim/reader-protocol.js';
import {
  launchChromium,
  logIn,
  newPage,
  openPage as open,
  RESULTS_DIR,
  shot,
  waitForAttr,
} from '../../testkit/browser.js';
import { startGateway, until } from '../../testkit/gateway.js';
import { simTestConfig } from '../sim/layout.js';

/**
 * The ledger pages in Chromium (issue 5, second pass): a detector's case walked through the
 * whole ledger to the hand-over package and closed, a tip's case to rectified, a visitor
 * registered in the page and let in at the gate through MQTT (reader protocol v1), patrol
 * visits, the monthly report with its CSV and its A4 print, a viewer's masked file, and a
 * ledger write without the CSRF token refused.
 */

const OPERATOR = { user: 'e2e-desk', password: 'e2e-desk-password' };
const VIEWER = { user: 'e2e-guard', password: 'e2e-guard-password' };
const VISITOR = { name: '赵访客', phone: '13912345678', id: '310115198001152014', card: 'E2EC0DE1' };
const TIP = '邻居反映该户近来每天有陌生人拖着行李出入';

/** Runs one ledger move on the case page: the button, the note (and deadline), confirm. */
async function move(page: Page, to: string, note: string, deadline?: string): Promise<void> {
  await page.click(`#case-actions button[data-move=${to}]`);
  await page.fill('#case-action textarea[name=note]', note);
  if (deadline) await page.fill('#case-action input[name=deadline]', deadline);
  await page.click('#case-action button[type=submit]');
  await page.waitForSelector(`main[data-state=${to}]`);
}

/** A terminal's next door command. */
function nextCommand(term: FaceTerminal): Promise<TerminalCommand> {
  return new Promise((resolve) => term.once('command', (cmd) => resolve(cmd)));
}

t.test('the ledger, visitors, patrols and the monthly report in Chromium', async (t) => {
  const cfg = simTestConfig();
  const g = await startGateway(
    t,
    { doors: cfg.doors, readers: cfg.readers, detectors: { strangerRecurrent: { count: 3 } } },
    null,
  );
  const estate = generateEstate(cfg, { seed: 5, households: 40 });
  importSimRoster(g.gw.db, estate, g.gw.secrets);
  g.gw.reloadRoster();
  const users = new UserStore(g.gw.db, systemClock);
  await users.add(OPERATOR.user, 'operator', OPERATOR.password);
  await users.add(VIEWER.user, 'viewer', VIEWER.password);
  const base = g.httpUrl;
  const db = g.gw.db;
  const hh = estate.roster.households.find((x) => x.status === 'active' && x.residents.length >= 2);
  if (!hh) throw new Error('no active household with two residents in the simulated estate');

  // Two terminals of the simulated estate, speaking reader protocol v1 over MQTT.
  const gate = new FaceTerminal({ url: g.brokerUrl, readerId: 'T-GATE-N' });
  const south = new FaceTerminal({ url: g.brokerUrl, readerId: 'T-GATE-S' });
  await Promise.all([gate.start(), south.start()]);
  t.teardown(() => Promise.all([gate.stop(), south.stop()]));

  // A stranger comes through the south gate three times: stranger_recurrent opens a case
  // whose evidence chain holds the sightings and their thumbnails.
  const stranger = encodeEmbedding(personEmbedding(5, 'e2e-stranger'));
  const photo = await faceImage(3);
  for (let i = 0; i < 3; i++) {
    south.present(
      { type: 'face', face: { personId: null, score: 0.3, liveness: true, embedding: stranger } },
      { image: photo },
    );
    await south.idle();
  }
  await until(
    () => db.prepare("SELECT count(*) FROM cases WHERE kind = 'stranger_recurrent'").pluck().get() === 1,
    15_000,
    'the stranger_recurrent case',
  );
  const detCase = db
    .prepare("SELECT id FROM cases WHERE kind = 'stranger_recurrent'")
    .pluck()
    .get() as string;

  const browser = await launchChromium(t);
  const page = await newPage(t, browser);
  await logIn(page, base, OPERATOR);

  // 台账: the desk lists the case, open, with its age.
  await open(page, base, 'cases', `#cases tr[data-case="${detCase}"]`);
  t.match(await page.textContent(`#cases tr[data-case="${detCase}"]`), /陌生人频繁出现.*待核实/);
  t.match(await page.textContent('nav a.active'), /台账/);
  await shot(page, 'cases');

  // The case page: the evidence chain with its thumbnails as images the gateway serves.
  await page.click(`#cases tr[data-case="${detCase}"] a[href^="#/cases/"]`);
  await page.waitForSelector('main[data-state=open] #evidence-chain');
  t.equal(await page.textContent('#evidence-chain dd[data-key=sightings]'), '3', 'the sightings counted');
  await page.waitForSelector('#evidence-chain img.evidence-thumb');
  const thumbs = await page.$$eval('#evidence-chain img.evidence-thumb', (els) =>
    els.map((e) => ({ src: e.getAttribute('src'), ok: (e as unknown as { complete: boolean }).complete })),
  );
  t.ok(thumbs.length >= 1 && thumbs.every((x) => x.src?.startsWith('/api/thumbs/')), 'thumbnails shown');
  const thumbRes = await page.request.get(`${base}${thumbs[0]?.src}`);
  t.equal(thumbRes.status(), 200, 'the thumbnail is served to the session');
  await shot(page, 'case-open');

  // The whole ledger, each move with its note: acknowledged → dissuaded → rectification
  // ordered with a deadline → handed over (the package downloads) → closed.
  const deadline = new Date(Date.now() + 8 * 3600_000 + 10 * 86_400_000).toISOString().slice(0, 10);
  const notes = {
    acknowledged: '监控核实：同一陌生人三天内三次进入南大门',
    dissuaded: '门岗已劝阻，告知须登记访客',
    rectification_ordered: '书面通知承租人限期整改',
    handed_over: '整改期满仍有出入，移交城管',
    closed: '城管已受理，结案',
  };
  await move(page, 'acknowledged', notes.acknowledged);
  await move(page, 'dissuaded', notes.dissuaded);
  await move(page, 'rectification_ordered', notes.rectification_ordered, deadline);
  t.match(await page.textContent('#case-timeline'), `整改期限至 ${deadline.replace(/-/g, '/')}`);
  await page.click('#case-actions button[data-move=handed_over]');
  await page.fill('#case-action textarea[name=note]', notes.handed_over);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#case-action button[type=submit]'),
  ]);
  await page.waitForSelector('main[data-state=handed_over]');
  t.equal(download.suggestedFilename(), `handover-${detCase}.json`);
  const saved = path.join(RESULTS_DIR, `handover-${detCase}.json`);
  await download.saveAs(saved);
  const pkg = JSON.parse(readFileSync(saved, 'utf8')) as {
    format: string;
    case: { id: string; state: string; kind: string };
    timeline: Array<{ state: string; note: string | null }>;
    thumbnails: Array<{ ref: string }>;
  };
  t.equal(pkg.format, 'estate-gateway.handover/1');
  t.match(pkg.case, { id: detCase, state: 'handed_over', kind: 'stranger_recurrent' });
  t.same(
    pkg.timeline.map((e) => e.state),
    ['open', 'acknowledged', 'dissuaded', 'rectification_ordered', 'handed_over'],
  );
  t.equal(pkg.timeline.at(-1)?.note, notes.handed_over, 'the package carries the notes');
  t.ok(pkg.thumbnails.length >= 1, 'and the thumbnail references');
  t.match(await page.textContent('#case-message'), /移交材料已下载/);
  t.ok(await page.isVisible('#handover-download'), 'the package stays downloadable');
  await move(page, 'closed', notes.closed);
  const timeline = (await page.textContent('#case-timeline')) ?? '';
  for (const note of Object.values(notes)) t.ok(timeline.includes(note), `timeline note: ${note}`);
  t.equal(await page.$$eval('#case-actions button.move', (els) => els.length), 0, 'closed: no moves left');
  t.match(await page.textContent('main'), /case\.transition/, 'the audit trail of the case');
  await shot(page, 'case-closed');

  // A write without the CSRF token, from the page itself: refused, nothing changed.
  const forged = await page.evaluate(async (id) => {
    const r = await fetch(`/api/cases/${id}/transitions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'closed', note: 'forged' }),
    });
    const p = await fetch('/api/passes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'staff',
        name: 'x',
        qr: true,
        validFrom: new Date().toISOString(),
        validTo: new Date(Date.now() + 3600_000).toISOString(),
      }),
    });
    return { move: r.status, pass: p.status, message: ((await p.json()) as { message: string }).message };
  }, detCase);
  t.same([forged.move, forged.pass], [403, 403], 'ledger writes without the CSRF token are refused');
  t.match(forged.message, /CSRF/);
  t.equal(db.prepare('SELECT count(*) FROM passes').pluck().get(), 0, 'no pass written');

  // 一户一档: a patrol visit that found a violation opens a case; a tip opens another.
  await open(page, base, `households/${hh.id}`, '#patrol-form');
  await page.selectOption('#patrol-form select[name=result]', 'violation_found');
  await page.selectOption('#patrol-form select[name=violation]', 'overcrowding');
  await page.fill('#patrol-form textarea[name=note]', '入户核查：实住六人，登记两人');
  // The patrol photo is an upload now (issue 16), shown as a thumbnail in the file.
  await page.setInputFiles('#patrol-form input[name=photos]', {
    name: 'IMG_20240501_0930.jpg',
    mimeType: 'image/jpeg',
    buffer: photo,
  });
  await page.waitForSelector('#patrol-form .photo-strip img');
  await page.click('#patrol-form button[type=submit]');
  await page.waitForSelector('#patrol-message #opened-case');
  await page.selectOption('#tip-form select[name=channel]', 'phone');
  await page.fill('#tip-form textarea[name=content]', TIP);
  await page.click('#tip-form button[type=submit]');
  await page.waitForSelector('#tip-message #opened-case');
  const tipCase = (await page.textContent('#tip-message #opened-case')) ?? '';
  t.match(tipCase, /^cs-/);
  const ledgerText = (await page.textContent('#household-ledger')) ?? '';
  t.match(ledgerText, /发现违规/, 'the patrol visit is in the file');
  t.equal(
    await page.locator('#household-ledger a.photo-link img').count(),
    1,
    'the patrol photo is in the file',
  );
  t.ok(ledgerText.includes(tipCase), 'the tip case is in the file');
  await shot(page, 'household-file-ledger');

  // The tip's case: ordered to rectify, the deadline passes (the desk marks it), rectified, closed.
  await open(page, base, `cases/${tipCase}`, 'main[data-state=open]');
  t.match(await page.textContent('#evidence-chain'), TIP, 'the operator reads the tip');
  await move(page, 'acknowledged', '电话回访举报人，情况属实');
  await move(page, 'rectification_ordered', '限期清退外来人员', deadline);
  db.prepare('UPDATE cases SET deadline = ? WHERE id = ?').run(Date.now() - 3_600_000, tipCase);
  await open(page, base, 'cases', `#cases tr[data-case="${tipCase}"]`);
  t.match(
    await page.getAttribute(`#cases tr[data-case="${tipCase}"]`, 'class'),
    /overdue/,
    'an overdue case is highlighted',
  );
  t.match(await page.textContent('#deadline-note'), /1 件整改期限已过/);
  await shot(page, 'cases-overdue');
  await page.click('#case-tabs button[data-state=closed]');
  await waitForAttr(page, '#case-tabs button[data-state=closed]', 'class', (v) => /active/.test(v ?? ''));
  await page.waitForSelector(`#cases tr[data-case="${tipCase}"]`, { state: 'detached' });
  await page.waitForSelector(`#cases tr[data-case="${detCase}"]`);
  t.equal(
    await page.locator(`#cases tr[data-case="${tipCase}"]`).count(),
    0,
    'the closed tab shows closed cases only',
  );
  await open(page, base, `cases/${tipCase}`, '#case-actions');
  await move(page, 'rectified', '复查：外来人员已搬离');
  await move(page, 'closed', '整改到位，结案');

  // 访客: register a visitor for the household in the page, by building and room.
  await open(page, base, 'visitors', '#pass-form');
  await page.selectOption('#pass-form select[name=building]', hh.building);
  await page.fill('#pass-form input[name=room]', hh.room);
  await page.press('#pass-form input[name=room]', 'Tab');
  await until(
    async () => (await page.inputValue('#pass-form input[name=householdId]')) === hh.id,
    5000,
    'the household picked by building and room',
  );
  await page.fill('#pass-form input[name=name]', VISITOR.name);
  await page.fill('#pass-form input[name=phone]', VISITOR.phone);
  await page.fill('#pass-form input[name=idNumber]', VISITOR.id);
  await page.fill('#pass-form input[name=cardUid]', VISITOR.card);
  await page.click('#pass-form button[type=submit]');
  await page.waitForSelector('#visitor-message:not([hidden])');
  t.match(
    await page.textContent('#visitor-message'),
    /已登记: 赵访客 · 卡号 \*\*\*\*0DE1；身份证 310\*+2014/,
  );
  t.equal(await page.inputValue('#pass-form input[name=idNumber]'), '', 'the form forgets the ID number');
  await page.waitForSelector('#passes .pass-name');
  t.match(await page.textContent('#passes'), /赵访客.*有效/);
  const passId = db.prepare('SELECT id FROM passes').pluck().get() as string;
  const stored = JSON.stringify(db.prepare('SELECT * FROM passes').all());
  t.notOk(stored.includes(VISITOR.id) || stored.includes(VISITOR.phone), 'no raw ID number or phone stored');
  await shot(page, 'visitors');

  // The visitor's card at the north gate (reader protocol v1): let in, shown live.
  await open(page, base, 'live', '#live-status.ok');
  const answer = nextCommand(gate);
  const read = gate.present({ type: 'card', card: { uid: VISITOR.card } });
  const cmd = await answer;
  t.match(cmd, { event: read.id, action: 'unlock' }, 'the visitor is let in');
  await page.waitForSelector('#live-rows tbody tr:has-text("访客通行证")');
  t.match(await page.textContent('#live-rows tbody tr:has-text("访客通行证")'), /放行/);
  await shot(page, 'live-visitor');

  // Revoked in the page (two clicks), the card is refused at the next read.
  await open(page, base, 'visitors', `#passes button.revoke[data-pass="${passId}"]`);
  await page.click(`#passes button.revoke[data-pass="${passId}"]`);
  t.match(await page.textContent(`#passes button.revoke[data-pass="${passId}"]`), /确认撤销/);
  await page.click(`#passes button.revoke[data-pass="${passId}"]`);
  await page.waitForSelector('#visitor-message:has-text("已撤销")');
  await waitForAttr(page, 'main', 'data-loaded', (v) => v === '0');
  const denied = nextCommand(gate);
  gate.present({ type: 'card', card: { uid: VISITOR.card } });
  t.equal((await denied).action, 'deny', 'a revoked pass opens nothing');

  // 月报: this month's numbers, four charts, the CSV and the A4 print.
  await open(page, base, 'reports', 'main[data-page=reports][data-loaded]');
  t.equal(await page.$$eval('.report-chart svg', (els) => els.length), 4, 'four charts');
  const stats = (await page.textContent('#report-stats')) ?? '';
  t.match(stats, /巡查次数1/);
  t.match(stats, /本月立案3/);
  t.match(stats, /移交城管1/);
  t.match(stats, /本月结案2/);
  await shot(page, 'report');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  const csvFile = path.join(RESULTS_DIR, csv.suggestedFilename());
  await csv.saveAs(csvFile);
  const text = readFileSync(csvFile, 'utf8');
  t.ok(text.startsWith('\uFEFFsection,key,label,building,household,value'), 'CSV with a BOM for Excel');
  t.match(text, /cases,opened,本月立案,,,3/);
  t.ok(await page.isVisible('#print'), 'the print button');
  // On paper: the A4 column (210 mm less 12 mm margins ≈ 703 px at 96 dpi).
  await page.setViewportSize({ width: 703, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.isVisible('aside'), 'no menu on paper');
  // The page hears of the print media a moment after emulateMedia returns: poll.
  const chartWidths = () =>
    page.$$eval('.report-chart svg', (els) => els.map((e) => e.getBoundingClientRect().width));
  await until(async () => (await chartWidths()).every((w) => w <= 340), 5000, 'charts at the A4 width');
  t.pass(`charts fit the A4 column: ${await chartWidths()}`);
  await shot(page, 'report-print');
  const pdf = await page.pdf({ path: path.join(RESULTS_DIR, 'report.pdf'), format: 'A4' });
  t.equal(pdf.subarray(0, 4).toString(), '%PDF', 'the report prints to A4');
  t.comment(`report.pdf: ${pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? '?'} A4 page(s)`);
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1366, height: 768 });

  // In English.
  await page.click('#lang');
  await open(page, base, 'cases', '#cases tbody tr');
  t.match(await page.textContent('#case-tabs'), /To verify.*Closed/);
  await shot(page, 'cases-en');
  await page.click('#lang');
  await page.waitForSelector('#who');
  await page.click('#logout');
  await page.waitForURL(`${base}/login`);

  // A viewer: the household file without names, numbers or tip words; no forms, no moves.
  await logIn(page, base, VIEWER);
  await open(page, base, `households/${hh.id}`, '.member-name');
  await page.waitForSelector('#household-ledger .pass-name');
  const html = await page.content();
  const secrets = [
    VISITOR.name,
    VISITOR.phone,
    VISITOR.id,
    VISITOR.card,
    TIP,
    ...hh.residents.flatMap((r) => [r.name, r.idNumber, r.phone, ...r.credentials.card]),
  ];
  t.same(
    secrets.filter((s) => html.includes(s)),
    [],
    'no full name, phone, ID or card number, no tip words',
  );
  t.match(await page.textContent('#household-ledger .pass-name'), /^赵\*+$/u);
  t.equal(await page.locator('#patrol-form').count(), 0, 'no patrol form for viewers');
  t.equal(await page.locator('#tip-form').count(), 0, 'no tip form for viewers');
  await shot(page, 'household-file-viewer-ledger');
  await open(page, base, `cases/${tipCase}`, '#read-only');
  t.equal(await page.locator('#case-actions').count(), 0, 'no ledger moves for viewers');
  t.notOk((await page.content()).includes(TIP), 'the tip words are for operators only');
  await shot(page, 'case-viewer');
  // A suspected sublet as the household detector writes it (its absence window takes
  // weeks to build up in the estate): the absence, the persons, their thumbnails.
  const subletCase = 'cs-e2e-sublet';
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
  const chain = {
    household: hh.id,
    building: hh.building,
    room: hh.room,
    absence: { residents: [hh.residents[0]?.id], lastSeen: day(20), workingDaysAbsent: 14 },
    persons: [
      {
        person: 'unregistered face #7',
        via: '****3862',
        days: 5,
        first: day(9),
        last: day(1),
        entries: [1, 2, 3, 4, 5],
        thumbs: pkg.thumbnails.map((x) => x.ref),
      },
    ],
    lodgers: [
      {
        person: '未登记人员 #9',
        via: '同期入住的常来人员（未使用本户凭证）',
        days: 11,
        first: '2026-05-02',
        last: '2026-05-14',
      },
    ],
    repeatedVisitors: [],
    ruledOut: ['租约起始 2026-03-01，此前不计'],
  };
  db.prepare(
    `INSERT INTO cases(id, kind, source, state, household_id, building_id, subject, alert_id, pattern_ts,
                       detected_ts, last_ts, summary, evidence, created_at, updated_at)
     VALUES (?, 'suspected_sublet', 'detector', 'open', ?, ?, ?, NULL, ?, ?, ?, '承租人 14 天未核验出入', ?, ?, ?)`,
  ).run(
    subletCase,
    hh.id,
    hh.building,
    `household:${hh.id}`,
    Date.now() - 9 * 86_400_000,
    Date.now(),
    Date.now(),
    JSON.stringify(chain),
    Date.now(),
    Date.now(),
  );
  db.prepare(
    "INSERT INTO case_events(case_id, state, prev, actor, at, note, deadline) VALUES (?, 'open', NULL, 'system', ?, NULL, NULL)",
  ).run(subletCase, Date.now());
  await open(page, base, `cases/${subletCase}`, '#evidence-persons img.evidence-thumb');
  t.match(await page.textContent('#evidence-absence'), /工作日未归14/, 'the absence window');
  t.match(
    await page.textContent('#evidence-persons'),
    /涉及人员 \(1\).*未登记人员 #7.*\*\*\*\*3862/,
    'a case written before issue 10 names the face in Chinese',
  );
  t.match(
    await page.textContent('#evidence-lodgers'),
    /同期新来的常住人员 \(1\).*未登记人员 #9.*11/,
    'the lodgers',
  );
  t.match(await page.textContent('#evidence-ruled-out'), /已排除.*租约起始 2026-03-01/, 'what was ruled out');
  t.notMatch(await page.textContent('#evidence-chain'), /unregistered|lodgers/, 'no English, no raw keys');
  const sublet = await page.content();
  t.same(
    secrets.filter((s) => sublet.includes(s)),
    [],
    'still nothing personal',
  );
  await shot(page, 'case-sublet-viewer');

  await open(page, base, 'visitors', '#passes table');
  t.equal(await page.locator('#pass-form').count(), 0, 'viewers do not register visitors');
  await shot(page, 'visitors-viewer');
});
