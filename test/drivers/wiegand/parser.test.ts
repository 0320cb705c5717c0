import t from 'tap';
import { LINE_FORMATS } from '../../../drivers/wiegand/constants.js';
import { createWiegandParser } from '../../../drivers/wiegand/parser.js';
import { loadFixtures } from '../../../testkit/drivers/fixtures.js';
import { parserLayer, runParser } from '../../../testkit/drivers/parser-harness.js';

// Line noise on a converter: control bytes and junk, ended by a CR as the line is
// (for stx-etx, junk with no STX in it).
const GARBAGE: Record<string, Buffer> = {
  'hex-cr': Buffer.from('\x00\xff\x13 noise!\x7f\x1b[0m\r', 'latin1'),
  'decimal-crlf': Buffer.from('\x00\xff\x13 noise!\x7f\r\n', 'latin1'),
  'stx-etx': Buffer.from('\x00\xff\x13 noise\x03!\x7f\r\n', 'latin1'),
};

for (const format of LINE_FORMATS) {
  const valid = loadFixtures('wiegand', `${format}.hex`);
  const invalid = loadFixtures('wiegand', `${format}-invalid.hex`);
  const make = () => createWiegandParser(format, { idleMs: 0 });
  t.test(`${format}: fixtures whole, split, byte by byte, after garbage, joined`, (t) =>
    parserLayer(t, make, valid, invalid, { garbage: GARBAGE[format] }),
  );
}

t.test('an unterminated line at end of stream is reported, not lost', async (t) => {
  const r = await runParser(() => createWiegandParser('hex-cr', { idleMs: 0 }), [Buffer.from('0123')]);
  t.equal(r.frames.length, 0);
  t.ok(r.items.some((i) => i.kind === 'error' && i.error.code === 'FRAME_TRUNCATED'));
  t.equal(r.discarded, 4);
});

t.test('hex-cr tolerates CR LF line ends', async (t) => {
  const r = await runParser(
    () => createWiegandParser('hex-cr', { idleMs: 0 }),
    [Buffer.from('2026073\r\n2026073\r')],
  );
  t.equal(r.frames.length, 2);
  t.equal(r.discarded, 0, 'the LF belongs to the line');
});

t.test('an endless line is cut at the cap and the next good line is found', async (t) => {
  const r = await runParser(
    () => createWiegandParser('decimal-crlf', { idleMs: 0 }),
    [Buffer.from('9'.repeat(200)), Buffer.from('\r\n33710195\r\n')],
  );
  t.same(
    r.items.filter((i) => i.kind === 'frame').map((i) => (i.kind === 'frame' ? i.frame.value : 0)),
    [33710195],
  );
  t.ok(r.items.some((i) => i.kind === 'error' && i.error.code === 'FRAME_LENGTH'));
});
