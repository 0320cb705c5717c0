import t from 'tap';
import { hasCode } from '../../../core/errors.js';
import {
  crc16,
  decodeFrame,
  encodeFrame,
  encodeReadCoils,
  encodeWriteCoil,
  parseCoils,
} from '../../../drivers/modbus-relay/frame.js';
import { toHex } from '../../../drivers/serial/options.js';
import { loadFixtures } from '../../../testkit/drivers/fixtures.js';

for (const [file, role] of [
  ['replies.hex', 'reply'],
  ['requests.hex', 'request'],
] as const) {
  t.test(`${file}: decode to the fields in their comments, re-encode to themselves`, async (t) => {
    for (const fx of loadFixtures('modbus', file)) {
      const f = decodeFrame(fx.bytes, role);
      t.same({ unit: f.unit, fn: f.fn, data: toHex(f.data) }, fx.want, fx.name);
      t.same(encodeFrame(f), fx.bytes, `round trip: ${fx.name}`);
    }
  });
}

t.test('invalid replies throw their coded errors', async (t) => {
  for (const fx of loadFixtures('modbus', 'replies-invalid.hex')) {
    let code = 'none';
    try {
      decodeFrame(fx.bytes, 'reply');
    } catch (err) {
      code = hasCode(err, fx.expect) ? fx.expect : String(err);
    }
    t.equal(code, fx.expect, fx.name);
  }
});

t.test('CRC-16/MODBUS', async (t) => {
  t.equal(crc16(Buffer.from('123456789', 'ascii')), 0x4b37, 'the catalogue check value');
  t.equal(toHex(encodeWriteCoil(1, 0, true)), '01 05 00 00 FF 00 8C 3A');
  t.equal(toHex(encodeReadCoils(1, 0, 8)), '01 01 00 00 00 08 3D CC');
});

t.test('read-coils replies and exceptions', async (t) => {
  t.same(parseCoils(decodeFrame(Buffer.from('0101010591 8B'.replace(' ', ''), 'hex')), 3), [
    true,
    false,
    true,
  ]);
  t.throws(() => parseCoils(decodeFrame(Buffer.from('018502C351', 'hex')), 1), { code: 'MODBUS_EXCEPTION' });
  t.throws(() => parseCoils({ unit: 1, fn: 1, data: Buffer.from([1, 1]) }, 9), { code: 'FRAME_LENGTH' });
});
