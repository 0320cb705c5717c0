import t from 'tap';
import { hasCode } from '../../../core/errors.js';
import { LINE_FORMATS } from '../../../drivers/wiegand/constants.js';
import { decodeWiegand, encodeWiegand, fromFacilityCard } from '../../../drivers/wiegand/frame.js';
import { decodeLine, encodeLine } from '../../../drivers/wiegand/line.js';
import { loadFixtures } from '../../../testkit/drivers/fixtures.js';

for (const format of LINE_FORMATS) {
  t.test(`${format}: fixtures decode to their values, Wiegand fields and parity verdicts`, async (t) => {
    const fixtures = loadFixtures('wiegand', `${format}.hex`);
    t.ok(fixtures.length >= 3);
    for (const fx of fixtures) {
      const line = decodeLine(format, fx.bytes);
      const want = fx.want ?? {};
      t.equal(line.value, want['value'], `${fx.name}: value`);
      if (want['digits'] !== undefined) t.equal(line.digits, want['digits']);
      const bits = want['bits'];
      if (bits === 26 || bits === 34) {
        if (fx.expect === 'FRAME_PARITY') {
          t.throws(() => decodeWiegand(line.value, bits), { code: 'FRAME_PARITY' }, fx.name);
          continue;
        }
        const w = decodeWiegand(line.value, bits);
        for (const k of ['facility', 'card', 'uid'] as const) t.same(w[k], want[k], `${fx.name}: ${k}`);
      } else if (want['uid'] !== undefined) {
        t.equal(line.value.toString(16).toUpperCase().padStart(8, '0'), want['uid'], `${fx.name}: raw uid`);
      }
    }
  });

  t.test(`${format}: invalid lines throw their coded errors`, async (t) => {
    for (const fx of loadFixtures('wiegand', `${format}-invalid.hex`)) {
      let code = 'none';
      try {
        decodeLine(format, fx.bytes);
      } catch (err) {
        code = hasCode(err, fx.expect) ? fx.expect : String(err);
      }
      t.equal(code, fx.expect, fx.name);
    }
  });
}

t.test('Wiegand 26/34 parity, exhaustively on single-bit errors', async (t) => {
  for (const bits of [26, 34] as const) {
    const data = bits === 26 ? fromFacilityCard(123, 45678, 26) : 0xdeadbeef;
    const frame = encodeWiegand(data, bits);
    t.equal(decodeWiegand(frame, bits).data, data);
    let caught = 0;
    for (let b = 0; b < bits; b++) {
      const flipped = Math.floor(frame / 2 ** b) % 2 ? frame - 2 ** b : frame + 2 ** b;
      try {
        decodeWiegand(flipped, bits);
      } catch (err) {
        if (hasCode(err, 'FRAME_PARITY')) caught++;
      }
    }
    t.equal(caught, bits, `every single flipped bit of a ${bits}-bit frame fails a parity`);
  }
  t.same(decodeWiegand(encodeWiegand(0xdeadbeef, 34), 34), {
    bits: 34,
    facility: 0xdead,
    card: 0xbeef,
    data: 0xdeadbeef,
    uid: 'DEADBEEF',
  });
  t.throws(() => decodeWiegand(2 ** 26, 26), { code: 'FRAME_LENGTH' });
  t.throws(() => encodeWiegand(2 ** 24, 26), { code: 'FRAME_LENGTH' });
  t.throws(() => fromFacilityCard(256, 1, 26), { code: 'FRAME_LENGTH' });
});

t.test('line encoders round-trip', async (t) => {
  for (const format of LINE_FORMATS) {
    for (const v of [0, 1, 0x3ffffff, 0x12345678, 2 ** 34 - 1])
      t.equal(decodeLine(format, encodeLine(format, v, 9)).value, v);
  }
});
