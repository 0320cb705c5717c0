import t from 'tap';
import { createFingerprintParser } from '../../../drivers/fingerprint/parser.js';
import { loadFixtures } from '../../../testkit/drivers/fixtures.js';
import { parserLayer, runParser } from '../../../testkit/drivers/parser-harness.js';

const valid = loadFixtures('fingerprint', 'valid.hex');
const invalid = loadFixtures('fingerprint', 'invalid.hex');
const make = () => createFingerprintParser({ idleMs: 0 });

t.test('fixtures whole, split, byte by byte, after garbage, joined', (t) =>
  parserLayer(t, make, valid, invalid),
);

t.test('bad sums come out as error items, not exceptions', async (t) => {
  const bad = invalid.find((f) => f.expect === 'FRAME_CHECKSUM')!;
  const r = await runParser(make, [bad.bytes]);
  t.same(
    r.items.filter((i) => i.kind === 'error').map((i) => (i.kind === 'error' ? i.error.code : '')),
    ['FRAME_CHECKSUM'],
  );
});

t.test('a stream that ends inside a packet reports it as truncated', async (t) => {
  const r = await runParser(make, [valid[0]!.bytes.subarray(0, 10)]);
  t.equal(r.frames.length, 0);
  t.ok(r.items.some((i) => i.kind === 'error' && i.error.code === 'FRAME_TRUNCATED'));
  t.equal(r.discarded, 10);
});

t.test('a false header with a long length does not hide the reply behind it', async (t) => {
  const falseStart = Buffer.from([0xef, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00, 0xf0]);
  const ok = valid.find((f) => f.name.startsWith('ack ok'))!.bytes;
  const r = await runParser(make, [falseStart, ok]);
  t.same(r.frames, [ok]);
  t.equal(r.discarded, falseStart.length);
});
