import path from 'node:path';
import t from 'tap';
import { saveRoster } from '../../gateway/roster/repository.js';
import { openDb } from '../../gateway/store/db.js';
import { SimFaceLibrary } from '../../sim/face-library.js';
import { FaceTerminal } from '../../sim/face-terminal.js';
import { saveRosterWithPhotos } from '../../testkit/face-library.js';
import { startGateway, TEST_ROSTER, until } from '../../testkit/gateway.js';

// Issue 11, reader protocol v1 `persons`: a terminal that opted in (options.persons) gets
// the roster's persons of its door with their photos, answers each on persons/ack, and
// says in its words what it refuses; the household file shows it; a move-out committed
// by another process (as `roster import` does) leaves the terminal within a minute; bad
// acks are counted and change nothing; readers that did not opt in get nothing.

const WITH_LINA = {
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

t.test('v1 persons: enrolment, refusal in the household file, move-out within a minute', async (t) => {
  const { gw, dir, brokerUrl, api, logs } = await startGateway(
    t,
    {
      readers: [
        { id: 'T-B01', door: 'B01-U1', options: { persons: true } },
        { id: 'T-B02', door: 'B02-U1' },
      ],
    },
    null,
  );
  const library = new SimFaceLibrary();
  library.refuse('F-R00004', 'face_quality_low');
  const term = new FaceTerminal({ url: brokerUrl, readerId: 'T-B01', library });
  const plain = new SimFaceLibrary();
  const other = new FaceTerminal({ url: brokerUrl, readerId: 'T-B02', library: plain });
  t.teardown(async () => {
    await term.stop();
    await other.stop();
  });
  await term.start();
  await other.start();
  await saveRosterWithPhotos(gw.db, WITH_LINA);
  gw.reloadRoster();
  await library.held('F-R00001');
  await gw.libraries?.settled('T-B01');
  t.same(library.ids(), ['F-R00001'], 'its door’s active residents, the refused one not');
  t.match(library.get('F-R00001'), { name: '张伟', cards: ['04A1B2C3'], temporary: false });
  t.equal(plain.size, 0, 'a reader that did not opt in gets no operation');
  t.equal(other.persons.lists + other.persons.upserts, 0);

  const readers = (await (await api('/api/readers')).json()) as {
    items: Array<{ id: string; faceSync?: { outcome: string; enrolled: number; refused: number } | null }>;
  };
  t.match(readers.items.find((r) => r.id === 'T-B01')?.faceSync, {
    outcome: 'partial',
    enrolled: 1,
    refused: 1,
  });
  t.notOk('faceSync' in (readers.items.find((r) => r.id === 'T-B02') ?? {}), 'no library, no sync state');

  const file = (await (await api('/api/households/H1')).json()) as {
    faceRefusals: Array<Record<string, unknown>>;
  };
  t.match(file.faceRefusals, [
    {
      readerId: 'T-B01',
      doorId: 'B01-U1',
      personKey: 'F-R00004',
      residentId: 'R00004',
      code: 'face_quality_low',
      label: '人脸质量过低',
      message: 'face quality too low',
    },
  ]);

  // Junk on the ack topic: counted with the reader, nothing else happens.
  const before = (await (await api('/metrics')).text()).match(
    /estate_gateway_rejected_total\{reason="bad_field"\} (\d+)/,
  )?.[1];
  await term.publishRawTo('acs/v1/readers/T-B01/persons/ack', 'not json');
  await until(async () => {
    const m = (await (await api('/metrics')).text()).match(
      /estate_gateway_rejected_total\{reason="bad_field"\} (\d+)/,
    )?.[1];
    return Number(m ?? 0) > Number(before ?? 0);
  });

  // The leaseholder moves out: another process commits the roster, the daemon notices.
  const t0 = Date.now();
  const other2 = openDb(path.join(dir, 'gateway.db'));
  saveRoster(
    other2,
    {
      ...TEST_ROSTER,
      ...WITH_LINA,
      residents: WITH_LINA.residents.map((r) => (r.id === 'R00001' ? { ...r, status: 'moved_out' } : r)),
    },
    'merge',
    Date.now(),
    'moved-out',
  );
  other2.close();
  await library.gone('F-R00001', 60_000);
  const ms = Date.now() - t0;
  t.ok(ms < 60_000, `deleted from the terminal ${ms} ms after the roster change`);
  t.comment(`move-out → deleted: ${ms} ms`);
  t.same(library.ids(), []);
  t.notOk(
    logs.some((l) => JSON.stringify(l).includes('/9j/') || JSON.stringify(l).includes('张伟')),
    'no photo and no name in the logs',
  );
});

t.test('a terminal that cannot list: drift from the gateway’s record', async (t) => {
  const { gw, brokerUrl } = await startGateway(
    t,
    { readers: [{ id: 'T-B01', door: 'B01-U1', options: { persons: true } }] },
    null,
  );
  const library = new SimFaceLibrary();
  const term = new FaceTerminal({ url: brokerUrl, readerId: 'T-B01', library, lists: false });
  t.teardown(() => term.stop());
  await term.start();
  await saveRosterWithPhotos(gw.db);
  gw.reloadRoster();
  await library.held('F-R00001');
  await gw.libraries?.settled('T-B01');
  t.equal(term.persons.lists, 1, 'asked once; the answer was not_supported');
  await gw.libraries?.trigger('T-B01', 'roster');
  t.equal(term.persons.lists, 1, 'not asked again');
  t.equal(term.persons.upserts, 1, 'nothing written twice');
});
