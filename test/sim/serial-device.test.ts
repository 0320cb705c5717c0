import t, { type Test } from 'tap';
import * as FP from '../../drivers/fingerprint/commands.js';
import { DEFAULT_ADDRESS, INS_GEN_IMG, INS_READ_SYS_PARA } from '../../drivers/fingerprint/constants.js';
import { encodeCommand } from '../../drivers/fingerprint/frame.js';
import { CMD_FIND } from '../../drivers/idcard/constants.js';
import { encodeRequest } from '../../drivers/idcard/frame.js';
import { encodeFrame } from '../../drivers/modbus-relay/frame.js';
import { fingerprintCommand, SimFingerprintModule } from '../../sim/serial/fingerprint-module.js';
import { SimIdCardReader, samCommand } from '../../sim/serial/idcard-reader.js';
import { SimRelayBoard } from '../../sim/serial/modbus-relay-board.js';
import { MultiDrop } from '../../sim/serial/multi-drop.js';
import { SimWiegandConverter } from '../../sim/serial/wiegand-converter.js';
import { failOnBadHostFrames } from '../../testkit/serial-devices.js';

// Issue 8: a simulated device counts the host frames it cannot take instead of ignoring
// them, and lets a test wait for what it saw (expect) instead of for a time.

const A = DEFAULT_ADDRESS;

/** A copy of a frame with its last (check) byte flipped. */
function flipLast(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  out.writeUInt8(out.readUInt8(out.length - 1) ^ 0xff, out.length - 1);
  return out;
}

t.test('a garbled host frame is counted, good frames around it are answered', async (t) => {
  const module = new SimFingerprintModule();
  const good = FP.genImg(A);
  const garbled = flipLast(FP.readSysPara(A)); // the packet sum no longer adds up
  const reply = module.handle(Buffer.concat([good, garbled, good]));
  t.equal(module.received.length, 2, 'the two good GenImg packets are frames');
  t.ok(reply.length > 0, 'and answered');
  t.equal(module.badHostFrames, 1, 'the packet with the bad sum is one bad host frame');
  t.match(module.lastBadHostFrame, /^ef01/, 'its bytes are kept for the failure message');

  module.handle(Buffer.from('0013', 'hex'));
  module.handle(good);
  t.equal(module.badHostFrames, 2, 'bytes that start no frame are one more');
});

t.test('a well-framed request too short for its command is counted', async (t) => {
  const module = new SimFingerprintModule();
  // DeleteChar needs page and count: without them the module cannot answer.
  const short = encodeCommand(A, 0x0c);
  t.equal(module.handle(short).length, 0, 'no answer, as a real module');
  t.equal(module.badHostFrames, 1);
});

t.test('a Wiegand converter has no host protocol: any host write is bad', async (t) => {
  const converter = new SimWiegandConverter();
  converter.handle(Buffer.alloc(0));
  t.equal(converter.badHostFrames, 0);
  converter.handle(Buffer.from('hello'));
  t.equal(converter.badHostFrames, 1);
});

t.test('boards on one line count a bad frame once', async (t) => {
  const bus = new MultiDrop(new SimRelayBoard({ unit: 1 }), new SimRelayBoard({ unit: 2 }));
  const frame = encodeFrame({ unit: 2, fn: 0x05, data: Buffer.from([0, 1, 0xff, 0]) });
  t.ok(bus.handle(frame).length > 0, 'unit 2 answers');
  bus.handle(flipLast(frame));
  t.equal(bus.badHostFrames, 1);
});

t.test('a test fails at teardown when a device saw a bad host frame', async (t) => {
  const teardowns: Array<() => void> = [];
  const fake = { teardown: (f: () => void) => teardowns.push(f) } as unknown as Test;
  const clean = new SimIdCardReader();
  const dirty = new SimIdCardReader();
  failOnBadHostFrames(fake, clean, dirty);
  clean.handle(encodeRequest(CMD_FIND));
  dirty.handle(Buffer.from('aaaaaa96690003', 'hex')); // a preamble whose frame never came…
  dirty.handle(encodeRequest(CMD_FIND)); // …and a good frame that shows it was garbage
  t.equal(teardowns.length, 1);
  t.throws(() => teardowns[0]?.(), /SimIdCardReader saw 1 bad host frame\(s\)/);
});

t.test('expect: resolves on the next matching host frame, after the device answered it', async (t) => {
  const module = new SimFingerprintModule();
  const finger = Buffer.alloc(512, 7);
  const seen = module.expect(fingerprintCommand(INS_GEN_IMG));
  module.handle(FP.readSysPara(A));
  module.placeFinger(finger);
  const reply = module.handle(FP.genImg(A));
  const frame = await seen;
  t.equal(frame.payload[0], INS_GEN_IMG, 'the GenImg, not the ReadSysPara before it');
  t.equal(reply.at(-3), 0, 'answered with a finger on the sensor');

  const reader = new SimIdCardReader();
  const twoFinds = (() => {
    let n = 0;
    return reader.expect((f) => samCommand(CMD_FIND)(f) && ++n === 2, 1000, 'two finds');
  })();
  reader.handle(encodeRequest(CMD_FIND));
  reader.handle(encodeRequest(CMD_FIND));
  await t.resolves(twoFinds);
});

t.test('expect: rejects after its timeout, naming what it waited for', async (t) => {
  const module = new SimFingerprintModule();
  const never = module.expect(fingerprintCommand(INS_READ_SYS_PARA), 30, 'ReadSysPara');
  module.handle(FP.genImg(A));
  await t.rejects(never, /SimFingerprintModule: ReadSysPara \(30 ms\)/);
});
