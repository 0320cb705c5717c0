import t from 'tap';
import { systemClock } from '../../core/clock.js';
import { UserStore } from '../../gateway/accounts/users.js';
import { SimRelayBoard } from '../../sim/serial/modbus-relay-board.js';
import { TcpSerialServer } from '../../sim/serial/tcp-server.js';
import { launchChromium, logIn, newPage, openPage, shot, waitForAttr } from '../../testkit/browser.js';
import { startGateway } from '../../testkit/gateway.js';
import { failOnBadHostFrames } from '../../testkit/serial-devices.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 13 in Chromium: the devices page shows each door's state live over the event
// stream. An operator unlocks a door remotely (with a reason), the door opens on the
// simulated IO board and stays open: the page shows it held open, then closed again. An
// admin's fire all-open puts the banner on every page until it is ended.

const ADMIN = { user: 'door-admin', password: 'door-admin-password' };

t.test('a held-open door appears and clears on the devices page', async (t) => {
  const board = new SimRelayBoard({ unit: 1 });
  board.setInput(0, true); // closed
  const server = new TcpSerialServer(board);
  await server.start();
  t.teardown(() => server.stop());
  failOnBadHostFrames(t, board);
  const g = await startGateway(t, {
    doors: [
      { id: 'GATE', name: '大门' },
      {
        id: 'B01-U1',
        name: '1号楼1单元',
        building: 'B01',
        lock: 'L-B01',
        contact: true,
        heldOpenSeconds: 2,
        contactDebounceMs: 50,
      },
      { id: 'B02-U1', name: '2号楼1单元', building: 'B02' },
    ],
    readers: [
      { id: 'T-GATE', door: 'GATE' },
      { id: 'T-B01', door: 'B01-U1' },
      {
        id: 'L-B01',
        door: 'B01-U1',
        driver: 'modbus-relay',
        options: { path: server.path, unit: 1, coil: 0, contactInput: 0, inputPollMs: 20 },
      },
    ],
  });
  await new UserStore(g.gw.db, systemClock).add(ADMIN.user, 'admin', ADMIN.password);
  const base = g.httpUrl;
  const browser = await launchChromium(t);
  const page = await newPage(t, browser);
  await logIn(page, base, ADMIN);
  await openPage(page, base, 'devices', '#doors[data-live=on]');
  const state = (door: string) => `.door-state[data-door="${door}"]`;
  await waitForAttr(page, state('B01-U1'), 'data-state', (v) => v === 'closed');
  t.equal(await page.getAttribute(state('B02-U1'), 'data-state'), 'no_contact');

  // Remote unlock from the page: a reason is required; the lock pulses on the board.
  const pulsed = board.expect((f) => f.fn === 5 && f.data.readUInt16BE(2) === 0xff00, 10_000, 'the unlock');
  await page.click('[data-unlock="B01-U1"]');
  await page.fill('#unlock-form input[name=reason]', '快递员送大件，电话核实');
  await page.click('#unlock-form button[type=submit]');
  await pulsed;
  await page.waitForSelector('#door-message.notice');
  t.match(await page.textContent('#door-message'), /已开门/);
  const audit = g.gw.db.prepare("SELECT actor, detail FROM audit WHERE action = 'door.unlock'").all();
  t.match(audit, [{ actor: ADMIN.user, detail: /快递员送大件/ }], 'audited with the reason');

  // The door opens and is left open: held open appears live, and clears when it closes.
  board.setInput(0, false);
  await waitForAttr(page, state('B01-U1'), 'data-state', (v) => v === 'open');
  await waitForAttr(page, state('B01-U1'), 'data-state', (v) => v === 'held', 10_000);
  t.match(await page.textContent(state('B01-U1')), /长时间未关/);
  await shot(page, 'devices-door-held');
  board.setInput(0, true);
  await waitForAttr(page, state('B01-U1'), 'data-state', (v) => v === 'closed', 10_000);
  t.pass('held open cleared on close');
  t.equal(g.gw.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'door_held_open'").pluck().get(), 1);
  t.equal(g.gw.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'door_forced'").pluck().get(), 0);

  // The fire all-open, declared by the admin: the banner is on every page until it ends.
  await page.click('#fire-toggle');
  await page.fill('#fire-form input[name=reason]', '消防演练');
  await page.click('#fire-form button[type=submit]');
  await waitForAttr(page, '#fire-banner', 'data-active', (v) => v === 'true');
  t.match(await page.textContent('#fire-banner'), /消防联动/);
  await waitForAttr(page, state('B01-U1'), 'data-state', (v) => v === 'fire');
  await openPage(page, base, 'alerts');
  t.equal(await page.isVisible('#fire-banner'), true, 'on the alerts page too');
  await shot(page, 'fire-banner');
  await openPage(page, base, 'devices', '#doors[data-live=on]');
  await page.click('#fire-toggle');
  await page.fill('#fire-form input[name=reason]', '演练结束');
  await page.click('#fire-form button[type=submit]');
  await waitForAttr(page, '#fire-banner', 'data-active', (v) => v === 'false');
  await waitFor(() => g.gw.doors.fire.active === false, 5000, 'the all-open ended');
});
