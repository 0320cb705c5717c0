import t, { type Test } from 'tap';
import type { AlertRecord } from '../../gateway/alerts/alert-manager.js';
import type { DoorView } from '../../gateway/doors/door-model.js';
import { SimRelayBoard } from '../../sim/serial/modbus-relay-board.js';
import { MultiDrop } from '../../sim/serial/multi-drop.js';
import { TcpSerialServer } from '../../sim/serial/tcp-server.js';
import { startGateway } from '../../testkit/gateway.js';
import { faceRead } from '../../testkit/pipeline.js';
import { failOnBadHostFrames } from '../../testkit/serial-devices.js';
import { waitFor, waitForEvent } from '../../testkit/wait.js';

// Issue 13 end to end: a real gateway, its production Modbus driver on a tcp:// line to a
// simulated IO board (door contact on input 0, exit button on 1, fire relay on 2), and the
// door model judging what the board reports: forced, held open and cleared, the exit
// button, the fire all-open with a locked-safe door that stays shut.

const CONTACT = 0;
const EXIT = 1;
const FIRE = 2;

async function rig(t: Test) {
  const board = new SimRelayBoard({ unit: 1 });
  const office = new SimRelayBoard({ unit: 2 }); // the estate office's door: locked-safe
  board.setInput(CONTACT, true); // closed
  office.setInput(CONTACT, true);
  const server = new TcpSerialServer(new MultiDrop(board, office));
  await server.start();
  t.teardown(() => server.stop());
  failOnBadHostFrames(t, board, office);
  const line = { path: server.path, inputPollMs: 20, probeMs: 60_000 };
  const tg = await startGateway(t, {
    doors: [
      { id: 'GATE', name: '大门' },
      {
        id: 'B01-U1',
        name: '1号楼1单元',
        building: 'B01',
        entrance: 'B01-U1',
        lock: 'L-B01',
        contact: true,
        heldOpenSeconds: 1,
        forcedWindowSeconds: 3,
        contactDebounceMs: 40,
      },
      {
        id: 'B02-U1',
        name: '物业办公室',
        building: 'B02',
        lock: 'L-OFFICE',
        contact: true,
        onFire: 'stay_locked',
      },
    ],
    readers: [
      { id: 'T-GATE', door: 'GATE' },
      { id: 'T-B01', door: 'B01-U1' },
      {
        id: 'L-B01',
        door: 'B01-U1',
        driver: 'modbus-relay',
        options: { ...line, unit: 1, coil: 0, contactInput: CONTACT, exitInput: EXIT, fireInput: FIRE },
      },
      {
        id: 'L-OFFICE',
        door: 'B02-U1',
        driver: 'modbus-relay',
        options: { ...line, unit: 2, coil: 0, contactInput: CONTACT },
      },
    ],
    doorControl: { holdRefreshSeconds: 2 },
  });
  const door = (id: string) => tg.gw.doors.state().doors.find((d) => d.id === id) as DoorView;
  const doorIs = (id: string, state: string) =>
    waitForEvent<[DoorView]>(
      tg.gw.live,
      'door',
      (v) => v.id === id && v.state === state,
      5000,
      `${id} ${state}`,
    );
  const alert = (kind: string) =>
    waitForEvent<[AlertRecord, boolean]>(
      tg.gw.live,
      'alert',
      (a, isNew) => a.kind === kind && isNew,
      5000,
      kind,
    );
  const outbox = (type: string) =>
    tg.gw.db.prepare('SELECT body FROM outbox WHERE body LIKE ?').all(`%"type":"${type}"%`) as Array<{
      body: string;
    }>;
  await waitFor(
    () => door('B01-U1').state === 'closed' && door('B02-U1').state === 'closed',
    5000,
    'doors closed',
  );
  return { tg, board, office, door, doorIs, alert, outbox };
}

t.test('forced, then held open after a granted entry and cleared on close', async (t) => {
  const { tg, board, door, doorIs, alert, outbox } = await rig(t);

  const forced = alert('door_forced');
  const shownForced = doorIs('B01-U1', 'forced');
  board.setInput(CONTACT, false); // nobody unlocked: someone pulled the door open
  const [a] = await forced;
  await shownForced;
  t.match(a, { doorId: 'B01-U1', severity: 'critical', subject: 'door:B01-U1' });
  t.match(a.evidence.chain, { door: '1号楼1单元', doorId: 'B01-U1' });
  t.equal(outbox('estate.alert.door_forced').length, 1, 'the alarm goes upstream');
  board.setInput(CONTACT, true);
  await doorIs('B01-U1', 'closed');

  // A resident is let in: the read's unlock pulses the lock, the door opens and stays open.
  const pulsed = board.expect((f) => f.fn === 5 && f.data.readUInt16BE(2) === 0xff00, 5000, 'the unlock');
  await tg.gw.pipeline.submit(faceRead('T-B01', 'F-R00001'));
  await pulsed;
  const held = alert('door_held_open');
  board.setInput(CONTACT, false);
  await doorIs('B01-U1', 'open');
  t.notOk(door('B01-U1').forced, 'an opening after the unlock is not forced');
  const [h] = await held;
  t.match(h.evidence.chain, { doorId: 'B01-U1', heldOpenSeconds: 1 });
  t.equal(door('B01-U1').state, 'held');
  board.setInput(CONTACT, true);
  await doorIs('B01-U1', 'closed');
  await waitFor(() => outbox('estate.door.held_open_cleared').length === 1, 5000, 'the clearing upstream');
  t.match(JSON.parse(outbox('estate.door.held_open_cleared')[0]?.body ?? '{}'), {
    data: { doorId: 'B01-U1', alertId: h.id },
  });
  t.equal(outbox('estate.alert.door_forced').length, 1, 'no second forced alarm');
});

t.test('the exit button opens the lock and authorises the opening', async (t) => {
  const { tg, board, doorIs } = await rig(t);
  const pulsed = board.expect((f) => f.fn === 5 && f.data.readUInt16BE(2) === 0xff00, 5000, 'the unlock');
  board.setInput(EXIT, true);
  await pulsed;
  board.setInput(EXIT, false);
  board.setInput(CONTACT, false);
  await doorIs('B01-U1', 'open');
  board.setInput(CONTACT, true);
  await doorIs('B01-U1', 'closed');
  const forced = tg.gw.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'door_forced'").pluck().get();
  t.equal(forced, 0);
});

t.test('fire all-open from the fire relay: doors open, the locked-safe one stays shut', async (t) => {
  const { tg, board, office, door, doorIs, alert, outbox } = await rig(t);
  const fire = alert('fire_all_open');
  const shown = doorIs('B01-U1', 'fire');
  board.setInput(FIRE, true);
  const [a] = await fire;
  await shown;
  t.match(a.evidence.chain, { source: 'input', inputs: ['L-B01'], lockedSafe: ['B02-U1'] });
  await waitFor(() => board.coils[0] === true, 5000, 'the lock held open');
  t.equal(tg.gw.doors.fire.active, true);
  t.equal(door('B02-U1').state, 'closed', 'the office is not released');
  t.equal(office.history.filter((h) => h.on).length, 0, 'and its lock never switched on');
  // Someone runs out through the open door: neither forced nor, while the fire lasts, held.
  board.setInput(CONTACT, false);
  await waitFor(() => door('B01-U1').contact === 'open', 5000, 'the contact open');
  t.equal(door('B01-U1').state, 'fire');
  const audit = tg.gw.db
    .prepare("SELECT actor, action FROM audit WHERE action LIKE 'fire.%' ORDER BY seq")
    .all();
  t.same(audit, [{ actor: 'device:L-B01', action: 'fire.input_on' }]);

  // The API refuses to end it while the input is on.
  const refused = await tg.api('/api/fire', {
    as: 'admin',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ active: false, reason: '演练结束' }),
  });
  t.equal(refused.status, 409);

  board.setInput(CONTACT, true);
  board.setInput(FIRE, false);
  await waitFor(() => outbox('estate.door.fire_cleared').length === 1, 5000, 'fire_cleared upstream');
  await waitFor(() => door('B01-U1').state === 'closed', 5000, 'back to normal');
  await waitFor(() => board.coils[0] === false, 10_000, 'the lock relocked within a refresh period');
  t.equal(tg.gw.doors.fire.active, false);
});
