import t from 'tap';
import { hashIdNumber } from '../../core/id-number.js';
import { INS_GEN_IMG } from '../../drivers/fingerprint/constants.js';
import { CMD_FIND } from '../../drivers/idcard/constants.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { fingerprintCommand, SimFingerprintModule } from '../../sim/serial/fingerprint-module.js';
import { SimIdCardReader, samCommand } from '../../sim/serial/idcard-reader.js';
import { SimRelayBoard } from '../../sim/serial/modbus-relay-board.js';
import { SimWiegandConverter } from '../../sim/serial/wiegand-converter.js';
import { EXPIRED, ZHANG } from '../../testkit/drivers/id-cards.js';
import { startGateway, TEST_ROSTER, until } from '../../testkit/gateway.js';
import { PtyDevice, tcpDevice } from '../../testkit/serial-devices.js';
import { tmpDir } from '../../testkit/tmp.js';
import { nth } from '../../testkit/wait.js';

// Issue 3, the whole gateway against simulators speaking the real bytes: fingerprint
// module, ID-card reader and relay board on socat pty pairs (the real serialport binding),
// a Wiegand converter behind a TCP port (ser2net). Reads become journal rows with
// decisions, the door's relay is pulsed on unlock, garbage is counted while the gateway
// keeps serving, an unplugged reader is reported offline (device_offline after the grace
// period) and online again once plugged back in.

const FINGER = Buffer.alloc(512, 0x5a);
/** "No card" answers in a row that end a presentation (the idcard driver's default). */
const REMOVE_AFTER_POLLS = 2;
const STRANGER_FINGER = Buffer.alloc(512, 0x33);

t.test('serial readers through the whole gateway', async (t) => {
  const { dir, cleanup } = tmpDir('serial-');
  t.teardown(cleanup);
  const module = new SimFingerprintModule({ capacity: 200 });
  module.library.set(12, FINGER);
  const idReader = new SimIdCardReader();
  const board = new SimRelayBoard();
  const converter = new SimWiegandConverter({ format: 'hex-cr', payload: 34 });
  const fp = await PtyDevice.open(t, module, dir, 'fp');
  const ic = await PtyDevice.open(t, idReader, dir, 'ic');
  const relay = await PtyDevice.open(t, board, dir, 'relay');
  const wiegand = await tcpDevice(t, converter);

  const { gw, logs } = await startGateway(
    t,
    {
      doors: [
        { id: 'B01-U1', name: '1号楼1单元', building: 'B01', entrance: 'B01-U1', unlockMs: 500, lock: 'L1' },
      ],
      readers: [
        { id: 'FP1', door: 'B01-U1', driver: 'fingerprint', options: { path: fp.path, pollMs: 40 } },
        { id: 'IC1', door: 'B01-U1', driver: 'idcard', options: { path: ic.path, pollMs: 40 } },
        {
          id: 'W1',
          door: 'B01-U1',
          driver: 'wiegand',
          options: { path: wiegand.path, payload: 'wiegand34' },
        },
        { id: 'L1', door: 'B01-U1', driver: 'modbus-relay', options: { path: relay.path, probeMs: 500 } },
      ],
      alerts: { deviceOfflineGraceSeconds: 5 },
    },
    null,
  );
  saveRoster(
    gw.db,
    {
      ...TEST_ROSTER,
      credentials: [
        ...TEST_ROSTER.credentials,
        { kind: 'fingerprint', key: '12', residentId: 'R00001' },
        { kind: 'idcard', key: hashIdNumber(gw.secrets.idHashKey, ZHANG.text.number), residentId: 'R00001' },
      ],
    },
    'merge',
    Date.now(),
    'serial-1',
  );
  gw.reloadRoster();

  const device = (id: string) => gw.devices.list().find((d) => d.id === id);
  const entries = () =>
    gw.db
      .prepare(
        `SELECT j.reader_id AS reader, j.type, d.outcome, d.reasons, d.resident_id AS resident
         FROM journal j JOIN decisions d USING (seq) ORDER BY j.seq`,
      )
      .all() as Array<{
      reader: string;
      type: string;
      outcome: string;
      reasons: string;
      resident: string | null;
    }>;
  const pulses = () => board.history.filter((h) => h.coil === 0 && h.on).length;

  await until(
    () => ['FP1', 'IC1', 'W1', 'L1'].every((id) => device(id)?.online === true),
    15_000,
    'readers online',
  );

  module.placeFinger(STRANGER_FINGER);
  await until(() => entries().length === 1, 5000, 'unknown finger recorded');
  t.match(entries()[0], {
    reader: 'FP1',
    type: 'fingerprint',
    outcome: 'denied',
    reasons: 'unknown_fingerprint',
  });
  t.equal(pulses(), 0, 'a deny leaves the lock shut');
  module.liftFinger();
  // The module answers the next GenImg "no finger": the driver then reads the next finger.
  await module.expect(fingerprintCommand(INS_GEN_IMG), 5000, 'a GenImg after the lift');

  module.placeFinger(FINGER);
  await until(() => entries().length === 2, 5000, 'finger recorded');
  t.match(entries()[1], { reader: 'FP1', outcome: 'granted', reasons: 'ok', resident: 'R00001' });
  await until(() => board.history.length >= 2, 5000, 'relay pulsed');
  const [on, off] = board.history;
  t.match(on, { coil: 0, on: true });
  t.match(off, { coil: 0, on: false });
  t.ok(
    (off?.at ?? 0) - (on?.at ?? 0) >= 450,
    `pulse held ${(off?.at ?? 0) - (on?.at ?? 0)} ms for unlockMs 500`,
  );
  module.liftFinger();

  idReader.place(ZHANG);
  await until(() => entries().length === 3, 8000, 'ID card recorded');
  t.match(entries()[2], { reader: 'IC1', type: 'idcard', outcome: 'granted', resident: 'R00001' });
  await until(() => pulses() === 2, 5000, 'relay pulsed for the ID card');
  // Three more polls find the card still there: none of them reads it again.
  await idReader.expect(nth(3, samCommand(CMD_FIND)), 5000, 'three finds of the resting card');
  t.equal(idReader.reads, 1, 'one read per card presentation, however often it is polled');
  t.equal(entries().length, 3, 'and one journal row');
  idReader.remove();
  await idReader.expect(nth(REMOVE_AFTER_POLLS, samCommand(CMD_FIND)), 5000, 'the card missed');
  await until(() => board.coils[0] === false, 5000, 'pulse over');

  wiegand.inject(converter.swipe(0x04a1b2c3));
  await until(() => entries().length === 4, 5000, 'card swipe recorded');
  t.match(entries()[3], { reader: 'W1', type: 'card', outcome: 'granted', resident: 'R00001' });
  await until(() => pulses() === 3, 5000, 'relay pulsed for the card');
  t.equal(
    gw.db.prepare("SELECT count(*) FROM alerts WHERE kind = 'person_card_mismatch'").pluck().get(),
    0,
    'the card holder’s own finger: no person–card mismatch',
  );

  // Garbage on the fingerprint line: noise, and a packet with a bad sum.
  fp.inject(Buffer.from('00 13 37 ff ef 01 ff ff ff ff 07 00 03 00 00 0b 42 42'.replace(/ /g, ''), 'hex'));
  await until(() => (device('FP1')?.counters['rejected_bad_frame'] ?? 0) >= 1, 5000, 'bad frame counted');
  t.ok((device('FP1')?.counters['line.discardedBytes'] ?? 0) > 0, 'discarded bytes counted');
  module.placeFinger(FINGER);
  await until(() => entries().length === 5, 5000, 'still serving after garbage');
  t.match(entries()[4], { reader: 'FP1', outcome: 'granted' });
  module.liftFinger();

  // Unplugged: offline at once, device_offline after the grace period; back when replugged.
  await fp.unplug();
  await until(() => device('FP1')?.online === false, 5000, 'reported offline');
  const offlineAlert = () =>
    gw.db
      .prepare("SELECT count(*) FROM alerts WHERE kind = 'device_offline' AND reader_id = 'FP1'")
      .pluck()
      .get();
  await until(() => offlineAlert() === 1, 15_000, 'device_offline raised');
  await fp.replug();
  await until(() => device('FP1')?.online === true, 20_000, 'online again after replug');
  t.ok((device('FP1')?.counters['line.opens'] ?? 0) >= 2, 'the line was reopened');
  module.placeFinger(FINGER);
  await until(() => entries().length === 6, 5000, 'reads again after replug');

  // The driver passes the card's validity on: an expired card is refused by the pipeline.
  idReader.place(EXPIRED);
  await until(() => entries().length === 7, 8000, 'expired card recorded');
  t.match(entries()[6], { reader: 'IC1', outcome: 'denied', reasons: 'idcard_expired', resident: 'R00001' });

  const text = JSON.stringify(logs);
  t.notOk(text.includes(ZHANG.text.number), 'no ID number in the logs');
  t.notOk(text.includes('04A1B2C3'), 'no card UID in the logs');
});
