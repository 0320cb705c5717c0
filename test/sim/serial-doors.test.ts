import t from 'tap';
import { decodeText, encodeText } from '../../drivers/idcard/text.js';
import { parseRoster } from '../../gateway/roster/import.js';
import { generateEstate } from '../../sim/estate.js';
import { SerialRig, templateOf } from '../../sim/serial/rig.js';
import { idCardOf } from '../../sim/serial-doors.js';
import { testConfig } from '../../testkit/config.js';
import { freePort } from '../../testkit/ports.js';
import { simTestConfig } from './layout.js';

// Issue 3: the simulated estate knows its serial doors — fingerprint pages in the roster
// for the residents behind them, ID cards the gateway accepts, devices for tcp:// paths.

const KEY = 'ab'.repeat(32);
const TODAY = '2026-05-01';

/** A layout with a serial door (B1-U2) and a hardware fingerprint reader (B2). */
const withSerial = (ports = [17901, 17902, 17903]) =>
  testConfig({
    doors: [...simTestConfig().doors.map((d) => (d.id === 'B1-U2' ? { ...d, lock: 'L1' } : d))],
    readers: [
      ...simTestConfig().readers,
      { id: 'FP1', door: 'B1-U2', driver: 'fingerprint', options: { path: `tcp://127.0.0.1:${ports[0]}` } },
      { id: 'IC1', door: 'B1-U2', driver: 'idcard', options: { path: `tcp://127.0.0.1:${ports[1]}` } },
      {
        id: 'L1',
        door: 'B1-U2',
        driver: 'modbus-relay',
        options: { path: `tcp://127.0.0.1:${ports[2]}`, coil: 3 },
      },
      { id: 'FP-HW', door: 'B2', driver: 'fingerprint', options: { path: '/dev/ttyUSB0' } },
    ],
  });
const config = withSerial();

t.test('residents behind a fingerprint door get pages; the roster imports them', async (t) => {
  const estate = generateEstate(config, { seed: 4, households: 200, today: TODAY });
  const withFp = estate.persons.filter((p) => p.fingerprintId);
  t.ok(withFp.length > 0);
  t.ok(
    withFp.every((p) => p.homeDoors.includes('B1-U2') || p.homeDoors.includes('B2')),
    'only residents of doors with a fingerprint reader',
  );
  t.equal(new Set(withFp.map((p) => p.fingerprintId)).size, withFp.length, 'one page each');
  t.match(estate.roster.version, /-fp\d+$/, 'the roster version changes with fingerprints');
  const res = parseRoster(JSON.stringify(estate.roster), 'json', KEY);
  t.same(res.errors, []);
  t.equal(res.snapshot?.credentials.filter((c) => c.kind === 'fingerprint').length, withFp.length);
  const plain = generateEstate(simTestConfig(), { seed: 4, households: 200, today: TODAY });
  t.notOk(
    plain.persons.some((p) => p.fingerprintId),
    'no fingerprint doors, no pages (and the estate is otherwise the same)',
  );
  t.same(
    plain.persons.map((p) => p.idNumber),
    estate.persons.map((p) => p.idNumber),
  );
});

t.test('a person’s ID card decodes as the gateway would read it', async (t) => {
  const estate = generateEstate(config, { seed: 4, households: 50, today: TODAY });
  for (const p of estate.persons) {
    const card = idCardOf(p);
    if (!card) continue;
    const back = decodeText(encodeText(card.text));
    if (back.number !== p.idNumber || back.name !== p.name) t.fail(`${p.id}: card does not round-trip`);
  }
  t.pass(`${estate.persons.length} cards decode`);
});

t.test('the rig serves tcp:// readers only, with the roster’s templates', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const estate = generateEstate(config, { seed: 4, households: 200, today: TODAY });
  const rig = new SerialRig(withSerial(ports), estate.persons);
  t.same([...rig.doors.keys()], ['B1-U2'], 'the /dev/ttyUSB0 reader is hardware, left alone');
  t.equal(rig.servers.length, 3);
  const door = rig.doors.get('B1-U2');
  const module = door?.fingerprint[0]?.module;
  const p = estate.persons.find((x) => x.fingerprintId);
  t.ok(
    p && module?.library.get(Number(p.fingerprintId))?.equals(templateOf(p.id)),
    'the module holds the page',
  );
  t.equal(door?.relays[0]?.coil, 3);
  await rig.start();
  t.teardown(() => rig.stop());
  t.same(
    rig.servers.map((s) => s.path),
    ports.map((p) => `tcp://127.0.0.1:${p}`),
  );
  t.equal(rig.pulses('B1-U2'), 0);
});
