import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { build } from '../../gateway/build.js';
import type { Gateway } from '../../gateway/gateway.js';
import { createLogger } from '../../gateway/log.js';
import { saveRoster } from '../../gateway/roster/repository.js';
import { openDb } from '../../gateway/store/db.js';
import { ZktecoTerminal } from '../../sim/zkteco-terminal.js';
import { loaded } from '../../testkit/config.js';
import { saveRosterWithPhotos } from '../../testkit/face-library.js';
import { startGateway, TEST_ROSTER, until, writeTestSecrets } from '../../testkit/gateway.js';
import { freePort } from '../../testkit/ports.js';
import { tmpDir } from '../../testkit/tmp.js';

// Issue 11, ZKTeco push end to end: the simulated iclock client on the gateway's terminal
// listener, through the production driver. Enrolment by queued commands with the
// terminal's refusal in the household file; a live read answered `OK: 1` and recorded
// (the terminal opens its own door); junk and an oversize upload survived; the
// installer's admin account untouched when the library is listed; a move-out deleted
// within a minute; records buffered while the gateway was down caught up, recorded, not
// answered.

const WITH_R4 = {
  residents: [
    ...TEST_ROSTER.residents,
    {
      ...(TEST_ROSTER.residents[1] as (typeof TEST_ROSTER.residents)[number]),
      id: 'R00004',
      status: 'active' as const,
    },
  ],
  credentials: [...TEST_ROSTER.credentials, { kind: 'face' as const, key: 'F-R00004', residentId: 'R00004' }],
};

const journal = (gw: Gateway) =>
  gw.db
    .prepare(
      `SELECT j.record_id, j.offline, j.type, d.outcome, d.answer, d.reasons FROM journal j JOIN decisions d USING (seq) ORDER BY j.seq`,
    )
    .all() as Array<{
    record_id: string;
    offline: number;
    type: string;
    outcome: string;
    answer: string | null;
    reasons: string;
  }>;

t.test('zkteco-push: enrolment with refusals, live read, junk, admin kept, move-out', async (t) => {
  const port = await freePort();
  const { gw, dir, api } = await startGateway(
    t,
    {
      terminals: { http: { host: '127.0.0.1', port } },
      readers: [
        {
          id: 'ZK1',
          door: 'B01-U1',
          driver: 'zkteco-push',
          options: { sn: 'ZKS0001', address: '127.0.0.1', pollSeconds: 1 },
        },
      ],
    },
    null,
  );
  const zk = new ZktecoTerminal({
    baseUrl: `http://127.0.0.1:${port}`,
    sn: 'ZKS0001',
    pollMs: 150,
    retryMs: 200,
    admins: ['admin'],
  });
  t.teardown(() => zk.stop());
  zk.library.refuse('F-R00004', 'face_quality_low');
  await zk.start();
  await saveRosterWithPhotos(gw.db, WITH_R4);
  gw.reloadRoster();
  await zk.library.held('F-R00001');
  await gw.libraries?.settled('ZK1');
  t.same(zk.library.ids(), ['F-R00001']);
  t.same(zk.users(), ['F-R00001', 'admin'], 'the refused photo’s user was deleted; the admin stays');
  const file = (await (await api('/api/households/H1')).json()) as {
    faceRefusals: Array<Record<string, unknown>>;
  };
  t.match(file.faceRefusals, [
    {
      readerId: 'ZK1',
      personKey: 'F-R00004',
      code: 'photo_refused',
      label: '终端拒收照片',
      vendorCode: '-1',
    },
  ]);

  // A count that disagrees (the admin) makes the next run list the users: the admin is kept.
  await gw.libraries?.trigger('ZK1', 'roster');
  t.same(zk.users(), ['F-R00001', 'admin']);

  // A live read: OK: 1, recorded, checked; the terminal opened its own door.
  zk.present('F-R00001');
  await zk.drained();
  t.match(journal(gw).at(-1), { type: 'face', offline: 0, outcome: 'granted', answer: 'unlock' });

  const junk = await zk.postRaw('ATTLOG', 'garbage\nF-R00001\t2026-13-01 00:00:00\t0\t15\n');
  t.same(junk, { status: 200, text: 'OK: 2' }, 'junk lines are taken (not resent forever) and counted');
  t.equal((await zk.postRaw('ATTLOG', Buffer.alloc(3 * 1024 * 1024, 0x31))).status, 413);
  await until(async () => /reason="bad_field"\} [2-9]/.test(await (await api('/metrics')).text()));
  zk.present('F-R00001', 15, { ts: zk.now() + 1000 });
  await zk.drained();
  t.equal(journal(gw).filter((r) => r.outcome === 'granted').length, 2, 'the gateway kept serving');

  const t0 = Date.now();
  const other = openDb(path.join(dir, 'gateway.db'));
  saveRoster(
    other,
    {
      ...TEST_ROSTER,
      ...WITH_R4,
      residents: WITH_R4.residents.map((r) => (r.id === 'R00001' ? { ...r, status: 'moved_out' } : r)),
    },
    'merge',
    Date.now(),
    'moved',
  );
  other.close();
  await zk.library.gone('F-R00001', 60_000);
  t.comment(`move-out → deleted from the terminal: ${Date.now() - t0} ms`);
  t.same(zk.users(), ['admin']);
});

t.test(
  'zkteco-push: records buffered while the gateway was down catch up, recorded, not answered',
  async (t) => {
    const { dir, cleanup } = tmpDir('zk-');
    t.teardown(cleanup);
    writeTestSecrets(dir);
    const port = await freePort();
    const over = {
      terminals: { http: { host: '127.0.0.1', port } },
      readers: [
        {
          id: 'ZK1',
          door: 'B01-U1',
          driver: 'zkteco-push',
          options: { sn: 'ZKS0001', address: '127.0.0.1', pollSeconds: 1 },
        },
      ],
    };
    const quiet = createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const boot = async () => {
      const gw = build(loaded(dir, over), { log: quiet });
      await gw.open();
      if (!gw.db.prepare('SELECT 1 FROM residents').get())
        saveRoster(gw.db, TEST_ROSTER, 'merge', Date.now(), 'r-1');
      await gw.start();
      return gw;
    };
    let gw = await boot();
    t.teardown(() => gw.stop());
    const zk = new ZktecoTerminal({
      baseUrl: `http://127.0.0.1:${port}`,
      sn: 'ZKS0001',
      pollMs: 100,
      retryMs: 100,
    });
    t.teardown(() => zk.stop());
    await zk.start();
    zk.present('F-R00001');
    await zk.drained();

    await gw.stop();
    // Seen while the gateway was down: the upload fails, the line stays in the terminal.
    const seen = zk.present('F-R00001', 15, { ts: zk.now() - 5000 });
    await until(() => zk.stats.failedUploads > 0);
    t.equal(zk.unsent, 1);
    gw = await boot();
    await zk.drained(20_000);
    const rows = journal(gw);
    t.equal(rows.length, 2, 'the first read and the caught-up one, nothing twice');
    t.match(rows.at(-1), {
      record_id: `att-F-R00001-${seen.replace(/\D/g, '')}-15`,
      offline: 1,
      answer: null,
      reasons: /offline/,
    });
  },
);
