import t from 'tap';
import { hasCode } from '../../../core/errors.js';
import * as cmd from '../../../drivers/fingerprint/commands.js';
import { decodePacket, encodeDataPackets, encodePacket } from '../../../drivers/fingerprint/frame.js';
import { toHex } from '../../../drivers/serial/options.js';
import { loadFixtures } from '../../../testkit/drivers/fixtures.js';

const valid = loadFixtures('fingerprint', 'valid.hex');
const invalid = loadFixtures('fingerprint', 'invalid.hex');

t.test('every valid fixture decodes to the fields in its comment and re-encodes to itself', async (t) => {
  t.ok(valid.length >= 15);
  for (const fx of valid) {
    const p = decodePacket(fx.bytes);
    const got: Record<string, unknown> = { pid: p.pid, address: p.address, payload: toHex(p.payload, 999) };
    for (const [k, v] of Object.entries(fx.want ?? {})) t.same(got[k], v, `${fx.name}: ${k}`);
    t.same(encodePacket(p), fx.bytes, `round trip: ${fx.name}`);
  }
});

t.test('every invalid fixture throws its coded error', async (t) => {
  for (const fx of invalid) {
    t.throws(() => decodePacket(fx.bytes), fx.name);
    try {
      decodePacket(fx.bytes);
    } catch (err) {
      t.ok(hasCode(err, fx.expect), `${fx.name} → ${fx.expect}`);
    }
  }
});

t.test('command builders produce the protocols.md examples', async (t) => {
  const A = 0xffffffff;
  t.equal(toHex(cmd.vfyPwd(A, 0)), 'EF 01 FF FF FF FF 01 00 07 13 00 00 00 00 00 1B');
  t.equal(toHex(cmd.genImg(A)), 'EF 01 FF FF FF FF 01 00 03 01 00 05');
  t.equal(toHex(cmd.search(A, 1, 0, 300)), 'EF 01 FF FF FF FF 01 00 08 04 01 00 00 01 2C 00 3B');
});

t.test('ack readers', async (t) => {
  const sys = cmd.parseSysPara(decodePacket(valid.find((f) => f.name.startsWith('ReadSysPara ack'))!.bytes));
  t.same(sys, {
    status: 0,
    systemId: 9,
    capacity: 300,
    securityLevel: 3,
    address: 0xffffffff,
    packetSizeCode: 2,
    baudCode: 6,
  });
  const found = decodePacket(valid.find((f) => f.name.startsWith('Search ack found'))!.bytes);
  t.same(cmd.parseSearch(found), { page: 5, score: 180 });
  const index = Buffer.alloc(33);
  index[1] = 0b0000_0101; // pages 0 and 2
  index[2] = 0b1000_0000; // page 15
  t.same(cmd.parseIndexTable({ address: 0, pid: 7, payload: index }, 1), [256, 258, 271]);
  t.throws(() => cmd.parseSearch({ address: 0, pid: 7, payload: Buffer.from([0, 1]) }), {
    code: 'FRAME_LENGTH',
  });
});

t.test('templates split into data packets, the last one marked 0x08', async (t) => {
  const tpl = Buffer.alloc(512, 0xab);
  const packets = encodeDataPackets(0xffffffff, tpl, 128).map(decodePacket);
  t.same(
    packets.map((p) => p.pid),
    [2, 2, 2, 8],
  );
  t.same(Buffer.concat(packets.map((p) => p.payload)), tpl);
  t.same(
    encodeDataPackets(0xffffffff, Buffer.alloc(100), 128).map((b) => decodePacket(b).pid),
    [8],
  );
});
