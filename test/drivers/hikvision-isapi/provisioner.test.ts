import sharp from 'sharp';
import t, { type Test } from 'tap';
import type { LibraryEntry } from '../../../core/provisioning.js';
import { createHikvisionDriver } from '../../../drivers/hikvision-isapi/driver.js';
import { type SimHikvisionOptions, SimHikvisionTerminal } from '../../../sim/hikvision/terminal.js';
import { terminalContext } from '../../../testkit/drivers/terminal-context.js';
import { waitFor } from '../../../testkit/wait.js';

// Issue 11: the Hikvision face library through the provisioning seam, against the simulated
// terminal: UserInfo + CardInfo + FaceDataRecord with LibraryEntry values carrying photo
// bytes, deletes, drift by paged searches, and each refusal in the terminal's words.

const PASSWORD = 'Sim-Passw0rd';

/** A JPEG of the given size (noise makes it large when asked). */
async function photo(width: number, height: number, noise = false): Promise<Buffer> {
  const img = noise
    ? sharp(Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 7919) % 251)), {
        raw: { width, height, channels: 3 },
      })
    : sharp({ create: { width, height, channels: 3, background: { r: 200, g: 170, b: 150 } } });
  return img.jpeg({ quality: 100 }).toBuffer();
}

async function setup(t: Test, o: Partial<SimHikvisionOptions> = {}, options: Record<string, unknown> = {}) {
  const sim = new SimHikvisionTerminal({ password: PASSWORD, ...o });
  await sim.start();
  t.teardown(() => sim.stop());
  const tc = terminalContext(
    t,
    [{ id: 'T1', door: 'B01-U1', options: { host: '127.0.0.1', port: sim.port, writeGapMs: 0, ...options } }],
    {
      logins: { T1: { username: 'admin', password: PASSWORD } },
    },
  );
  const driver = createHikvisionDriver(tc.ctx);
  await driver.start();
  t.teardown(() => driver.stop());
  return { sim, p: driver.provisioning, driver, sink: tc.sink };
}

const entry = (over: Partial<LibraryEntry> = {}): LibraryEntry => ({
  key: 'F-R00001',
  name: '张伟',
  validFrom: Date.parse('2026-01-01T00:00:00+08:00'),
  validTo: null,
  cards: ['BCFB08FB'],
  ...over,
});

t.test('enrol a person with face and card, change the cards, delete them', async (t) => {
  const { sim, p } = await setup(t);
  const face = await photo(480, 640);
  t.same(await p.put('T1', entry({ photo: { mime: 'image/jpeg', data: face } })), { ok: true });
  const person = sim.library.persons.get('F-R00001');
  t.equal(person?.name, '张伟', 'the name for the terminal’s screen');
  t.equal(person?.validFrom, '2026-01-01T00:00:00', 'validity in the terminal’s local time');
  t.equal(person?.validTo, '2037-12-31T23:59:59', 'open-ended: the terminal’s "always"');
  t.same([...(person?.cards ?? [])], ['3170568443'], 'the card as the terminal writes it (decimal)');
  t.same(person?.face, face, 'the face as sent');

  t.same(await p.put('T1', entry({ cards: ['04A1B2C3'], photo: { mime: 'image/jpeg', data: face } })), {
    ok: true,
  });
  t.same(
    [...(sim.library.persons.get('F-R00001')?.cards ?? [])],
    [String(0x04a1b2c3)],
    'the old card removed, the new one added',
  );

  t.same(
    await p.put('T1', entry({ key: 'F-R00003', name: '王强', cards: [] })),
    { ok: true },
    'a person without a photo',
  );
  t.same(await p.drift('T1', ['F-R00001']), { orphans: ['F-R00003'], missing: [] });
  t.same(await p.remove('T1', 'F-R00003'), { ok: true });
  t.notOk(sim.library.persons.has('F-R00003'), 'deleted');
  t.same(await p.remove('T1', 'F-R00003'), { ok: true }, 'deleting who is not there is done, not an error');
});

t.test('refusals come back per entry in the terminal’s words', async (t) => {
  const { sim, p } = await setup(t, { faceCapacity: 2 });
  sim.library.preload([{ id: 'OTHER', cards: ['3170568443'] }]);
  const cases: Array<[string, LibraryEntry, string, RegExp]> = [
    [
      'a photo with no face to find',
      entry({ key: 'P1', cards: [], photo: { mime: 'image/jpeg', data: await photo(40, 40) } }),
      'no_face_detected',
      /^noFaceDetected/,
    ],
    [
      'a small, poor photo',
      entry({ key: 'P2', cards: [], photo: { mime: 'image/jpeg', data: await photo(120, 150) } }),
      'face_quality_too_low',
      /^faceQualityTooLow/,
    ],
    [
      'a photo over the size limit',
      entry({ key: 'P3', cards: [], photo: { mime: 'image/jpeg', data: await photo(700, 700, true) } }),
      'photo_too_large',
      /^picSizeOutRange/,
    ],
    [
      'bytes that are no picture',
      entry({ key: 'P4', cards: [], photo: { mime: 'image/jpeg', data: Buffer.from('not a jpeg') } }),
      'bad_parameters',
      /^badParameters/,
    ],
    ['a card someone else holds', entry({ key: 'P5' }), 'card_in_use', /^cardNoAlreadyExist/],
    ['a key that is no employeeNo', entry({ key: 'has space' }), 'bad_parameters', /employeeNo/],
  ];
  for (const [what, e, code, words] of cases) {
    const out = await p.put('T1', e);
    t.equal(out.ok, false, what);
    if (!out.ok) {
      t.equal(out.code, code, `${what}: ${code}`);
      t.match(out.message, words, `${what}: "${out.message}"`);
    }
  }
  t.ok(
    sim.library.persons.has('P1'),
    'a refused face leaves the person enrolled (cards still open the door)',
  );
  const fill = await photo(300, 400);
  t.same(await p.put('T1', entry({ key: 'F1', cards: [], photo: { mime: 'image/jpeg', data: fill } })), {
    ok: true,
  });
  t.same(await p.put('T1', entry({ key: 'F2', cards: [], photo: { mime: 'image/jpeg', data: fill } })), {
    ok: true,
  });
  const full = await p.put('T1', entry({ key: 'F3', cards: [], photo: { mime: 'image/jpeg', data: fill } }));
  t.match(full, { ok: false, code: 'face_library_full', message: /^faceLibFull/ });
});

t.test('drift reads every page of 30', async (t) => {
  const { sim, p } = await setup(t);
  sim.library.preload(Array.from({ length: 70 }, (_, i) => ({ id: `F-${String(i).padStart(3, '0')}` })));
  const expected = [...Array.from({ length: 65 }, (_, i) => `F-${String(i).padStart(3, '0')}`), 'F-NEW'];
  const d = await p.drift('T1', expected);
  t.same(d.orphans.sort(), ['F-065', 'F-066', 'F-067', 'F-068', 'F-069']);
  t.same(d.missing, ['F-NEW']);
});

t.test('older firmware without SetUp: Record/Modify and FaceDataRecord, a face replaced', async (t) => {
  const { sim, p } = await setup(t, { noSetUp: true });
  const a = await photo(300, 400);
  const b = await photo(320, 400);
  t.same(await p.put('T1', entry({ cards: [], photo: { mime: 'image/jpeg', data: a } })), { ok: true });
  t.same(await p.put('T1', entry({ name: '张伟伟', cards: [], photo: { mime: 'image/jpeg', data: b } })), {
    ok: true,
  });
  t.equal(sim.library.persons.get('F-R00001')?.name, '张伟伟', 'modified');
  t.same(sim.library.persons.get('F-R00001')?.face, b, 'the new face replaced the old');
});

t.test('writes to one terminal are paced; a terminal gone ends the run', async (t) => {
  const { sim, p, sink } = await setup(t, {}, { writeGapMs: 150 });
  const started = Date.now();
  // UserInfo, CardInfo and the face: three writes, two gaps.
  t.same(await p.put('T1', entry({ photo: { mime: 'image/jpeg', data: await photo(300, 400) } })), {
    ok: true,
  });
  t.ok(Date.now() - started >= 300, `three writes took ${Date.now() - started} ms`);
  const ready: string[] = [];
  p.onReady((id) => ready.push(id));
  await waitFor(() => ready.includes('T1'), 5000, 'ready once online');
  await sim.stop();
  await t.rejects(p.put('T1', entry()), { code: 'READER_OFFLINE' }, 'no reply is no outcome: the run ends');
  t.equal(sink.rejects.length, 0);
});
