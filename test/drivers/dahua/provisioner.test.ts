import sharp from 'sharp';
import t, { type Test } from 'tap';
import { isCode } from '../../../core/codes.js';
import type { LibraryEntry } from '../../../core/provisioning.js';
import { FAIL_CODES } from '../../../drivers/dahua/constants.js';
import { createDahuaDriver } from '../../../drivers/dahua/driver.js';
import { SUB_STATUS_REFUSALS } from '../../../drivers/hikvision-isapi/constants.js';
import { SimDahuaTerminal } from '../../../sim/dahua/terminal.js';
import { terminalContext } from '../../../testkit/drivers/terminal-context.js';

// Issue 11: the Dahua face library through the provisioning seam, against the simulated
// terminal: AccessUser + AccessCard + AccessFace insertMulti (updateMulti when enrolled),
// removeMulti, drift by doFind pages, and FailCodes per entry (288686087 …).

const PASSWORD = 'Sim-Passw0rd';

async function photo(width: number, height: number, noise = false): Promise<Buffer> {
  const img = noise
    ? sharp(Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 7919) % 251)), {
        raw: { width, height, channels: 3 },
      })
    : sharp({ create: { width, height, channels: 3, background: { r: 200, g: 170, b: 150 } } });
  return img.jpeg({ quality: 100 }).toBuffer();
}

async function setup(t: Test, options: Record<string, unknown> = {}) {
  const sim = new SimDahuaTerminal({ password: PASSWORD });
  await sim.start();
  t.teardown(() => sim.stop());
  const tc = terminalContext(
    t,
    [{ id: 'D1', door: 'B01-U1', options: { host: '127.0.0.1', port: sim.port, writeGapMs: 0, ...options } }],
    {
      logins: { D1: { username: 'admin', password: PASSWORD } },
    },
  );
  const driver = createDahuaDriver(tc.ctx);
  await driver.start();
  t.teardown(() => driver.stop());
  return { sim, p: driver.provisioning };
}

const entry = (over: Partial<LibraryEntry> = {}): LibraryEntry => ({
  key: 'F-R00001',
  name: '张伟',
  validFrom: null,
  validTo: Date.parse('2027-06-30T23:59:59+08:00'),
  cards: ['04A1B2C3'],
  ...over,
});

t.test('every vendor refusal maps to a labelled code of the table', async (t) => {
  for (const code of [...Object.values(FAIL_CODES), ...Object.values(SUB_STATUS_REFUSALS), 'refused'])
    t.ok(isCode('libraryRefusal', code), `${code} is a libraryRefusal code with zh/en labels`);
});

t.test('enrol, replace the face, change cards, delete', async (t) => {
  const { sim, p } = await setup(t);
  const a = await photo(480, 640);
  t.same(await p.put('D1', entry({ photo: { mime: 'image/jpeg', data: a } })), { ok: true });
  const person = sim.library.persons.get('F-R00001');
  t.equal(person?.validTo, '2027-06-30 23:59:59', 'validity in local time, as Dahua writes it');
  t.equal(person?.validFrom, '2000-01-01 00:00:00');
  t.same([...(person?.cards ?? [])], ['04A1B2C3']);
  t.same(person?.face, a);
  const b = await photo(500, 640);
  t.same(
    await p.put('D1', entry({ cards: ['0A0B0C0D'], photo: { mime: 'image/jpeg', data: b } })),
    { ok: true },
    'insertMulti refused as enrolled, updateMulti done',
  );
  t.same(sim.library.persons.get('F-R00001')?.face, b, 'the face replaced');
  t.same(
    [...(sim.library.persons.get('F-R00001')?.cards ?? [])],
    ['0A0B0C0D'],
    'the old card gone, the new one there',
  );
  t.same(await p.remove('D1', 'F-R00001'), { ok: true });
  t.notOk(sim.library.persons.has('F-R00001'));
});

t.test('FailCodes come back per entry', async (t) => {
  const { sim, p } = await setup(t);
  sim.library.preload([{ id: 'OTHER', cards: ['04A1B2C3'] }]);
  const cases: Array<[string, LibraryEntry, string, RegExp]> = [
    [
      'no face in the photo',
      entry({ key: 'P1', cards: [], photo: { mime: 'image/jpeg', data: await photo(40, 50) } }),
      'no_face_detected',
      /^288686087/,
    ],
    [
      'a blurred photo',
      entry({ key: 'P2', cards: [], photo: { mime: 'image/jpeg', data: await photo(100, 150) } }),
      'face_blurred',
      /^286064922/,
    ],
    [
      'a photo over 512 KiB',
      entry({ key: 'P3', cards: [], photo: { mime: 'image/jpeg', data: await photo(1100, 1100, true) } }),
      'photo_too_large',
      /^286064923/,
    ],
    ['a card someone else holds', entry({ key: 'P4' }), 'card_in_use', /^286064926/],
  ];
  for (const [what, e, code, words] of cases) {
    const out = await p.put('D1', e);
    t.match(out, { ok: false, code, message: words }, what);
  }
});

t.test('drift pages through doFind', async (t) => {
  const { sim, p } = await setup(t);
  sim.library.preload(Array.from({ length: 230 }, (_, i) => ({ id: `U${i}` })));
  const d = await p.drift('D1', [...Array.from({ length: 228 }, (_, i) => `U${i}`), 'NEW']);
  t.same(d.orphans.sort(), ['U228', 'U229']);
  t.same(d.missing, ['NEW']);
});
