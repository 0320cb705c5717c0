import t from 'tap';
import { hashIdNumber } from '../../core/id-number.js';
import { CMD_FIND } from '../../drivers/idcard/constants.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { FaceTerminal } from '../../sim/face-terminal.js';
import { SimIdCardReader, samCommand } from '../../sim/serial/idcard-reader.js';
import { SimRelayBoard } from '../../sim/serial/modbus-relay-board.js';
import { ZHANG } from '../../testkit/drivers/id-cards.js';
import { startGateway, TEST_ROSTER, until } from '../../testkit/gateway.js';
import { PtyDevice } from '../../testkit/serial-devices.js';
import { tmpDir } from '../../testkit/tmp.js';
import { nth } from '../../testkit/wait.js';

// Issue 3, 人证比对 end to end: a face terminal over MQTT and a serial ID-card reader at
// one door that requires both (idcard+biometric), with a Modbus relay as its lock.

t.test('ID card on the serial reader + face on the MQTT terminal at one door', async (t) => {
  const { dir, cleanup } = tmpDir('pc-');
  t.teardown(cleanup);
  const idReader = new SimIdCardReader();
  const board = new SimRelayBoard();
  const ic = await PtyDevice.open(t, idReader, dir, 'ic');
  const relay = await PtyDevice.open(t, board, dir, 'relay');
  const { gw, brokerUrl } = await startGateway(
    t,
    {
      doors: [
        {
          id: 'B01-U1',
          name: '1号楼1单元',
          building: 'B01',
          factors: 'idcard+biometric',
          unlockMs: 500,
          lock: 'L1',
        },
      ],
      readers: [
        { id: 'T-B01', door: 'B01-U1' },
        { id: 'IC1', door: 'B01-U1', driver: 'idcard', options: { path: ic.path, pollMs: 40 } },
        { id: 'L1', door: 'B01-U1', driver: 'modbus-relay', options: { path: relay.path } },
      ],
    },
    null,
  );
  saveRoster(
    gw.db,
    {
      ...TEST_ROSTER,
      credentials: [
        ...TEST_ROSTER.credentials,
        { kind: 'idcard', key: hashIdNumber(gw.secrets.idHashKey, ZHANG.text.number), residentId: 'R00001' },
      ],
    },
    'merge',
    Date.now(),
    'pc-1',
  );
  gw.reloadRoster();

  const terminal = new FaceTerminal({ url: brokerUrl, readerId: 'T-B01' });
  await terminal.start();
  t.teardown(() => terminal.stop());
  const face = (personId: string | null) =>
    terminal.present({ type: 'face', face: { personId, score: 0.95, liveness: true } });
  const entries = () =>
    gw.db
      .prepare(
        'SELECT j.reader_id AS reader, j.type, d.outcome, d.reasons FROM journal j JOIN decisions d USING (seq) ORDER BY j.seq',
      )
      .all();
  await until(
    () => gw.devices.list().find((d) => d.id === 'IC1')?.online === true,
    10_000,
    'ID-card reader online',
  );

  // The card alone is recorded and refused; the matching face within the window opens.
  idReader.place(ZHANG);
  await until(() => entries().length === 1, 8000, 'card recorded');
  t.match(entries()[0], { reader: 'IC1', type: 'idcard', outcome: 'denied', reasons: 'biometric_required' });
  const first = face('F-R00001');
  t.match(await terminal.expect((c) => c.event === first.id, 5000, 'the answer to the face'), {
    action: 'unlock',
    message: '欢迎回家',
  });
  await until(() => board.history.length >= 2, 5000, 'relay pulsed');
  t.match(board.history[0], { coil: 0, on: true });

  // A new presentation: the card again, but someone else's face.
  idReader.remove();
  // Two finds answered "no card" (the driver's removeAfterPolls) end the presentation.
  await idReader.expect(nth(2, samCommand(CMD_FIND)), 5000, 'the card missed');
  idReader.place(ZHANG);
  await until(() => entries().length === 3, 8000, 'second card recorded');
  const other = face('F-R00003');
  t.match(await terminal.expect((c) => c.event === other.id, 5000, 'the answer to the other face'), {
    action: 'deny',
    message: '人证不符',
  });
  t.match(entries()[3], {
    reader: 'T-B01',
    type: 'face',
    outcome: 'denied',
    reasons: /person_card_mismatch/,
  });
  const alert = gw.db
    .prepare("SELECT id, resident_id AS resident FROM alerts WHERE kind = 'person_card_mismatch'")
    .get() as { id: string; resident: string };
  t.equal(alert.resident, 'R00001', 'the card holder is named');
  const linked = gw.db
    .prepare(
      'SELECT j.type FROM alert_entries a JOIN journal j USING (seq) WHERE a.alert_id = ? ORDER BY j.seq',
    )
    .pluck()
    .all(alert.id);
  t.same(linked, ['idcard', 'face'], 'both reads are the alert’s evidence');
  t.equal(board.history.filter((h) => h.on).length, 1, 'the mismatch did not open the door');
  t.equal(terminal.stats().badCommands, 0, 'every command the terminal got was a door command');
});
