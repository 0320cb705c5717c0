import t from 'tap';
import { systemClock } from '../../core/clock.js';
import { UserStore } from '../../gateway/accounts/users.js';
import { SimFaceLibrary } from '../../sim/face-library.js';
import { FaceTerminal } from '../../sim/face-terminal.js';
import { launchChromium, logIn, newPage, openPage, shot } from '../../testkit/browser.js';
import { saveRosterWithPhotos } from '../../testkit/face-library.js';
import { startGateway, TEST_ROSTER } from '../../testkit/gateway.js';

// Issue 11, what the operator sees: a face terminal refuses one resident's photo; the
// household file says "人脸未被终端接受: 人脸质量过低" with the terminal and its own words,
// so someone can retake the photo, and the devices page shows the terminal's library as
// partly synced with one person refused. In Chromium, as the operator sees it.

const ADMIN = { user: 'e2e-admin', password: 'e2e-admin-password' };

t.test('face refusals on the household file and the devices page', async (t) => {
  const g = await startGateway(
    t,
    { readers: [{ id: 'T-B01', door: 'B01-U1', options: { persons: true } }] },
    null,
  );
  const library = new SimFaceLibrary();
  library.refuse('F-R00004', 'face_quality_low');
  const term = new FaceTerminal({ url: g.brokerUrl, readerId: 'T-B01', library });
  t.teardown(() => term.stop());
  await term.start();
  const lina = TEST_ROSTER.residents[1] as (typeof TEST_ROSTER.residents)[number];
  await saveRosterWithPhotos(g.gw.db, {
    residents: [...TEST_ROSTER.residents, { ...lina, id: 'R00004', status: 'active' }],
    credentials: [...TEST_ROSTER.credentials, { kind: 'face', key: 'F-R00004', residentId: 'R00004' }],
  });
  g.gw.reloadRoster();
  await library.held('F-R00001');
  await g.gw.libraries?.settled('T-B01');

  await new UserStore(g.gw.db, systemClock).add(ADMIN.user, 'admin', ADMIN.password);
  const browser = await launchChromium(t);
  const page = await newPage(t, browser);
  await logIn(page, g.httpUrl, ADMIN);

  await openPage(page, g.httpUrl, 'households/H1', '#face-refusals');
  const row = (await page.textContent('#face-refusals tbody tr'))?.replace(/\s+/g, ' ') ?? '';
  t.match(row, /T-B01/, `the terminal is named: ${row}`);
  t.match(await page.textContent('#face-refusals .face-refusal'), '人脸未被终端接受: 人脸质量过低');
  t.match(row, /face quality too low/, 'with the terminal’s own words');
  t.notMatch(await page.textContent('main'), /face_quality_low/, 'no raw code on the page');
  await shot(page, 'household-face-refusal');

  await openPage(page, g.httpUrl, 'devices');
  const badge = await page.waitForSelector('main tr:has-text("T-B01") >> text=人脸库部分同步');
  t.match(await badge.textContent(), /人脸库部分同步 \+1 −0 · 1 人被拒/, 'partly synced, one refused');
  await shot(page, 'devices-face-sync');
});
