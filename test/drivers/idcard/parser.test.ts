import t from 'tap';
import { createIdCardParser } from '../../../drivers/idcard/parser.js';
import { loadFixtures } from '../../../testkit/drivers/fixtures.js';
import { parserLayer, runParser } from '../../../testkit/drivers/parser-harness.js';

const valid = [...loadFixtures('idcard', 'valid.hex'), ...loadFixtures('idcard', 'refused-cards.hex')];
const invalid = loadFixtures('idcard', 'invalid.hex');
const make = () => createIdCardParser({ idleMs: 0 });

t.test('fixtures whole, split, byte by byte, after garbage, joined', (t) =>
  parserLayer(t, make, valid, invalid),
);

t.test('a preamble that starts inside another is found', async (t) => {
  const find = valid[0]!.bytes;
  const r = await runParser(make, [Buffer.from([0xaa, 0xaa]), find]);
  t.same(r.frames, [find]);
  t.equal(r.discarded, 2);
});
