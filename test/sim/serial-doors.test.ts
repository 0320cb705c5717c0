import { once } from 'node:events';
import net from 'node:net';
import t from 'tap';
import { decodeText, encodeText } from '../../drivers/idcard/text.js';
import { parseRoster } from '../../gateway/roster/import.js';
import { generateEstate } from '../../sim/estate.js';
import { SerialRig, templateOf } from '../../sim/serial/rig.js';
import { idCardOf, SerialDoorsSimulation } from '../../sim/serial-doors.js';
import { testConfig } from '../../testkit/config.js';
import { freePort } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait.js';
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

t.test('a door’s people come once the gateway has every line of the door open', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const estate = generateEstate(config, { seed: 4, households: 200, today: TODAY });
  const sim = new SerialDoorsSimulation({
    estate,
    config: withSerial(ports),
    seed: 4,
    firstAfterMs: 0,
    everyMs: 50,
  });
  await sim.start();
  t.teardown(() => sim.stop());
  const presentedSoFar = () => Object.values(sim.presented).reduce((a, b) => a + b, 0);
  let open = false;
  const opened = sim.rig.whenDoorConnected('B1-U2', 60_000).then(() => {
    open = true;
  });
  // Two of the three lines open: the door still waits (the relay's line is not open).
  const sockets: net.Socket[] = [];
  t.teardown(() => {
    for (const s of sockets) s.destroy();
  });
  const connect = async (port: number) => {
    const s = net.connect(port, '127.0.0.1');
    sockets.push(s);
    await once(s, 'connect');
  };
  await connect(ports[0] as number);
  await connect(ports[1] as number);
  await waitFor(() => sim.rig.servers.filter((s) => s.connections > 0).length === 2, {}, 'two lines open');
  // A sim that did not wait would have presented at once (firstAfterMs 0, then every 50 ms):
  // one more round trip to the servers gives a wrongly scheduled timer its turn.
  await connect(ports[0] as number);
  t.notOk(open, 'not connected while the relay line is closed');
  t.equal(presentedSoFar(), 0, 'nobody presented yet');
  await connect(ports[2] as number);
  await opened;
  await waitFor(() => presentedSoFar() > 0, {}, 'a presentation after every line is open');
  t.pass(`presented ${presentedSoFar()}`);
});

t.test('a door with a dead line gets its people after the wait', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const estate = generateEstate(config, { seed: 4, households: 50, today: TODAY });
  const rig = new SerialRig(withSerial(ports), estate.persons);
  await rig.start();
  t.teardown(() => rig.stop());
  const t0 = performance.now();
  await rig.whenDoorConnected('B1-U2', 100);
  t.ok(performance.now() - t0 >= 90, 'resolved by its timeout, nothing connected');
  await rig.whenDoorConnected('NO-SUCH-DOOR', 60_000);
  t.pass('a door with no lines does not wait');
});
