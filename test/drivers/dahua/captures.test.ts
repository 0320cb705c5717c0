import t from 'tap';
import { describeDahuaCapture } from '../../../drivers/dahua/describe.js';
import { loadCaptures } from '../../../testkit/drivers/capture-fixtures.js';

// Issue 11, the Dahua driver by table over captures (test/fixtures/dahua/): attach and snap
// streams, pushes, a recordFinder reply; well-formed, truncated, odd firmware (numbers as
// strings, `TIme`, multi-line data), wrong types, an oversize picture — through the driver's
// own parser, picture cutting and tables, as `estate-gateway decode dahua` shows them.

const captures = loadCaptures('dahua');

t.ok(captures.length >= 8, `${captures.length} captures`);
for (const c of captures) {
  t.test(`${c.name}: ${c.about}`, async (t) => {
    const lines = describeDahuaCapture(c.bytes, { contentType: c.contentType });
    t.equal(lines.length, c.expect.length, `${lines.length} line(s): ${JSON.stringify(lines)}`);
    for (const [i, want] of c.expect.entries()) t.match(lines[i], want as object, `line ${i + 1}`);
  });
}
