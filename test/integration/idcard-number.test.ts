import t from 'tap';
import { FaceTerminal } from '../../sim/face-terminal.js';
import { SimIdCardReader } from '../../sim/serial/idcard-reader.js';
import { SimRelayBoard } from '../../sim/serial/modbus-relay-board.js';
import { ZHANG } from '../../testkit/drivers/id-cards.js';
import { startGateway, until } from '../../testkit/gateway.js';
import { tcpDevice } from '../../testkit/serial-devices.js';
import { nth } from '../../testkit/wait.js';

// Issue 8: drivers report what they read, the pipeline judges it. An ID card whose number
// fails GB 11643 used to be refused inside the serial driver (bad_field, no journal row),
// while the same number over MQTT was recorded as invalid_id_number. Now both are recorded
// and denied alike.

/** ZHANG's number with the wrong check digit (…1230 is right). */
const BAD_NUMBER = '310101199003071231';

t.test(
  'an ID card with a bad check digit at a serial reader is journaled as invalid_id_number',
  async (t) => {
    const idReader = new SimIdCardReader();
    const board = new SimRelayBoard();
    const ic = await tcpDevice(t, idReader);
    const relay = await tcpDevice(t, board);
    const { gw, brokerUrl, logs } = await startGateway(t, {
      doors: [{ id: 'B01-U1', name: '1号楼1单元', building: 'B01', unlockMs: 500, lock: 'L1' }],
      readers: [
        { id: 'IC1', door: 'B01-U1', driver: 'idcard', options: { path: ic.path, pollMs: 40 } },
        // Probed every 100 ms: the probes are the later events that show the lock stayed shut.
        { id: 'L1', door: 'B01-U1', driver: 'modbus-relay', options: { path: relay.path, probeMs: 100 } },
        { id: 'T-B01', door: 'B01-U1' },
      ],
    });
    const entries = () =>
      gw.db
        .prepare(
          `SELECT j.reader_id AS reader, j.type, d.outcome, d.reasons, d.answer
         FROM journal j JOIN decisions d USING (seq) ORDER BY j.seq`,
        )
        .all() as Array<{ reader: string; type: string; outcome: string; reasons: string; answer: string }>;
    await until(() => gw.devices.list().find((d) => d.id === 'IC1')?.online === true, 10_000, 'IC1 online');

    idReader.place({ text: { ...ZHANG.text, number: BAD_NUMBER } });
    await until(() => entries().length === 1, 8000, 'the card journaled');
    t.match(entries()[0], {
      reader: 'IC1',
      type: 'idcard',
      outcome: 'denied',
      reasons: 'invalid_id_number',
      answer: 'deny',
    });
    t.equal(idReader.reads, 1, 'read once');
    // An unlock goes out on L1's line right after the commit: the second frame the board
    // sees from now on was sent after it (the first may have been on its way already).
    await board.expect(
      nth(2, () => true),
      5000,
      'two relay frames after the commit',
    );
    t.equal(board.history.length, 0, 'the lock never switched');
    t.equal(
      gw.devices.list().find((d) => d.id === 'IC1')?.counters['rejected_bad_field'] ?? 0,
      0,
      'not refused by the driver',
    );

    // The same number from a terminal over MQTT: the same judgement.
    const terminal = new FaceTerminal({ url: brokerUrl, readerId: 'T-B01' });
    await terminal.start();
    t.teardown(() => terminal.stop());
    const read = terminal.present({ type: 'idcard', idcard: { number: BAD_NUMBER, name: ZHANG.text.name } });
    t.match(await terminal.expect((c) => c.event === read.id, 5000, 'the answer'), { action: 'deny' });
    t.match(entries()[1], {
      reader: 'T-B01',
      type: 'idcard',
      outcome: 'denied',
      reasons: 'invalid_id_number',
    });
    t.notOk(JSON.stringify(logs).includes(BAD_NUMBER), 'the number is not in the logs');
  },
);
