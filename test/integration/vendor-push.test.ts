import t, { type Test } from 'tap';
import { build } from '../../gateway/build.js';
import type { Gateway } from '../../gateway/gateway.js';
import { silentLogger } from '../../gateway/log.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { SimDahuaTerminal } from '../../sim/dahua/terminal.js';
import { SimHikvisionTerminal } from '../../sim/hikvision/terminal.js';
import { loaded } from '../../testkit/config.js';
import { fakeJpeg } from '../../testkit/drivers/capture-fixtures.js';
import { TEST_ROSTER, writeTestSecrets } from '../../testkit/gateway.js';
import { freePort } from '../../testkit/ports.js';
import { tmpDir } from '../../testkit/tmp.js';
import { waitFor } from '../../testkit/wait.js';

// Issue 11, the push half end to end: both terminals post to the gateway's own terminal
// listener (the Hikvision HTTP host, Dahua's /notification), as installers set them up when
// the gateway cannot hold a stream. A live push is answered by opening the door; garbage
// posted to the listener is answered 200 and loses nothing; pushes the terminals buffered
// while the gateway was down arrive after its restart and are recorded, never answered.

const PASSWORD = 'Sim-Passw0rd';
const FACE = fakeJpeg(900);

interface Row {
  record_id: string;
  offline: number;
  stale: number;
  outcome: string;
  answer: string | null;
}

async function gateway(t: Test, dir: string, port: number, hik: number, dahua: number): Promise<Gateway> {
  const gw = build(
    loaded(dir, {
      readers: [
        {
          id: 'T-HIK',
          door: 'B01-U1',
          driver: 'hikvision-isapi',
          options: { host: '127.0.0.1', port: hik, events: 'push', probeSeconds: 1 },
        },
        {
          id: 'T-DAHUA',
          door: 'B01-U1',
          driver: 'dahua',
          options: { host: '127.0.0.1', port: dahua, events: 'push', probeSeconds: 1 },
        },
      ],
      terminals: { http: { host: '127.0.0.1', port } },
      // A buffered push arrives seconds late: older than this, it is history. Wide enough
      // that a live push on a loaded CI box is still live; the outage below is longer.
      checks: { staleAfterMs: 4000 },
    }),
    { log: silentLogger() },
  );
  t.teardown(() => gw.stop());
  await gw.open();
  saveRoster(gw.db, TEST_ROSTER, 'merge', Date.now(), 'test-1');
  await gw.start();
  return gw;
}

const rows = (gw: Gateway, reader: string): Row[] =>
  gw.db
    .prepare(
      `SELECT j.record_id, j.offline, j.stale, d.outcome, d.answer
       FROM journal j JOIN decisions d USING (seq) WHERE j.reader_id = ? ORDER BY j.seq`,
    )
    .all(reader) as Row[];

t.test(
  'pushes to the gateway’s listener: live answered, garbage survived, the buffer after a restart never answered',
  async (t) => {
    const { dir, cleanup } = tmpDir('vendor-push-');
    t.teardown(cleanup);
    writeTestSecrets(dir, {
      terminals: { 'T-HIK': { username: 'admin', password: PASSWORD }, 'T-DAHUA': { password: PASSWORD } },
    });
    const port = await freePort();
    const hik = new SimHikvisionTerminal({
      password: PASSWORD,
      pushRetryMs: 200,
      // The firmware marks what waited for the gateway as history (currentEvent:false);
      // a live push waits far less, even on a loaded box.
      pushHistoryAfterMs: 2500,
    });
    const dahua = new SimDahuaTerminal({ password: PASSWORD, pushRetryMs: 200 });
    for (const s of [hik, dahua]) {
      s.library.preload([
        { id: 'F-R00001', face: FACE },
        { id: 'F-R00002', face: FACE },
      ]);
      await s.start();
      t.teardown(() => s.stop());
    }
    hik.pushTo(`http://127.0.0.1:${port}/hikvision/T-HIK`);
    dahua.pushTo(`http://127.0.0.1:${port}/notification/T-DAHUA`);

    let gw = await gateway(t, dir, port, hik.port, dahua.port);

    // Live pushes, answered: each terminal's door opens.
    const hikOpen = hik.expectRemoteOpen(10_000);
    hik.presentFace('F-R00001', FACE);
    t.equal(await hikOpen, 1, 'Hikvision: the gateway opened door 1');
    const dahuaOpen = dahua.expectOpenDoor(10_000);
    dahua.presentFace('F-R00001', [FACE]);
    t.equal(await dahuaOpen, 1, 'Dahua: the gateway opened channel 1');
    await waitFor(() => rows(gw, 'T-HIK').length === 1 && rows(gw, 'T-DAHUA').length === 1, 5000);
    t.match(rows(gw, 'T-HIK')[0], { outcome: 'granted', answer: 'unlock', offline: 0 });
    t.match(rows(gw, 'T-DAHUA')[0], { outcome: 'granted', answer: 'unlock', offline: 0 });

    // Garbage on the listener: answered 200 at once (a terminal retries a refused push in a
    // storm), counted, and the next real push still recorded.
    for (const [p, type] of [
      ['/hikvision/T-HIK', 'multipart/form-data; boundary=MIME_boundary'],
      ['/notification/T-DAHUA', 'multipart/mixed; boundary=myboundary'],
    ] as const) {
      const r = await fetch(`http://127.0.0.1:${port}${p}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: '--junk\r\n\r\n{not json',
      });
      t.equal(r.status, 200, `${p}: garbage answered 200`);
    }
    const rejected = (id: string): number =>
      Object.entries(gw.devices.list().find((d) => d.id === id)?.counters ?? {})
        .filter(([k]) => k.startsWith('rejected_'))
        .reduce((n, [, v]) => n + v, 0);
    await waitFor(
      () => rejected('T-HIK') > 0 && rejected('T-DAHUA') > 0,
      5000,
      'garbage counted per terminal',
    );
    hik.presentCard('99');
    dahua.presentCard('0A0B0C0D');
    await waitFor(
      () => rows(gw, 'T-HIK').length === 2 && rows(gw, 'T-DAHUA').length === 2,
      5000,
      'next pushes',
    );

    // The gateway goes down; people keep coming; the terminals keep their pushes and retry.
    await gw.stop();
    const opens = { hik: hik.remoteOpens, dahua: dahua.opens };
    hik.presentFace('F-R00001', FACE);
    hik.presentCard('98');
    // (Dahua's record identity is the second and who did what: another person, not the same face again.)
    dahua.presentFace('F-R00002', [FACE]);
    dahua.presentCard('0A0B0C0E');
    // Retried 200 ms after each refusal: thirty failures are at least six seconds, past
    // staleAfterMs and the firmware's history mark however slow the box is.
    await waitFor(
      () => hik.pushFailures >= 30 && dahua.pushFailures >= 30,
      30_000,
      'pushes refused while the gateway is down',
    );

    gw = await gateway(t, dir, port, hik.port, dahua.port);
    await waitFor(
      () => rows(gw, 'T-HIK').length === 4 && rows(gw, 'T-DAHUA').length === 4,
      15_000,
      'the buffered pushes after the restart',
    );
    const late = [...rows(gw, 'T-HIK').slice(2), ...rows(gw, 'T-DAHUA').slice(2)];
    t.ok(
      late.every((r) => r.answer === null && (r.offline === 1 || r.stale === 1)),
      'recorded and checked, never answered',
    );
    t.ok(
      rows(gw, 'T-HIK')
        .slice(2)
        .every((r) => r.offline === 1),
      'Hikvision: currentEvent:false is history',
    );
    t.same({ hik: hik.remoteOpens, dahua: dahua.opens }, opens, 'no door opened for history');
  },
);
