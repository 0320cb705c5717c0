import t from 'tap';
import { createModbusParser } from '../../../drivers/modbus-relay/parser.js';
import { loadFixtures } from '../../../testkit/drivers/fixtures.js';
import { parserLayer, runParser } from '../../../testkit/drivers/parser-harness.js';

const replies = loadFixtures('modbus', 'replies.hex');
const invalid = loadFixtures('modbus', 'replies-invalid.hex');

t.test('replies whole, split, byte by byte, after garbage, joined', (t) =>
  parserLayer(t, () => createModbusParser({ idleMs: 0 }), replies, invalid),
);

t.test('requests, as the simulated board reads them', (t) =>
  parserLayer(
    t,
    () => createModbusParser({ idleMs: 0, role: 'request' }),
    loadFixtures('modbus', 'requests.hex'),
    [],
  ),
);

t.test('with the bus units known, frames of other units are skipped', async (t) => {
  const r = await runParser(
    () => createModbusParser({ idleMs: 0, units: new Set([17]) }),
    replies.map((f) => f.bytes),
  );
  t.same(
    r.items.flatMap((i) => (i.kind === 'frame' ? [i.frame.unit] : [])),
    [17],
  );
});
