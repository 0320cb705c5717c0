import t from 'tap';
import { describeHikCapture } from '../../../drivers/hikvision-isapi/describe.js';
import { loadCaptures } from '../../../testkit/drivers/capture-fixtures.js';

// Issue 11, the driver by table over captures (test/fixtures/hikvision/): well-formed,
// truncated, odd firmware, wrong types, oversize pictures — each through the driver's own
// parser, picture pairing and code table, as `estate-gateway decode hikvision-isapi` shows it.

const captures = loadCaptures('hikvision');

t.ok(captures.length >= 10, `${captures.length} captures`);
for (const c of captures) {
  t.test(`${c.name}: ${c.about}`, async (t) => {
    const lines = describeHikCapture(c.bytes, { contentType: c.contentType });
    t.equal(lines.length, c.expect.length, `${lines.length} line(s): ${JSON.stringify(lines)}`);
    for (const [i, want] of c.expect.entries()) t.match(lines[i], want as object, `line ${i + 1}`);
  });
}

t.test('a capture split anywhere decodes the same: the stream parser keeps no state by chunk', async (t) => {
  const c = captures.find((x) => x.name === 'stream-mixed.txt');
  if (!c) throw new Error('stream-mixed.txt missing');
  const whole = JSON.stringify(describeHikCapture(c.bytes, { contentType: c.contentType }));
  t.equal(
    JSON.stringify(describeHikCapture(Buffer.from(c.bytes), {})),
    whole,
    'boundary guessed from the first delimiter',
  );
});

t.test('names and card numbers stay out unless asked for', async (t) => {
  const c = captures.find((x) => x.name === 'push-face-pass.txt');
  if (!c) throw new Error('push-face-pass.txt missing');
  t.notMatch(
    JSON.stringify(describeHikCapture(c.bytes, { contentType: c.contentType })),
    /"name"/,
    'the name in event_log is never shown',
  );
  const card = captures.find((x) => x.name === 'push-no-part-type.txt');
  if (!card) throw new Error('push-no-part-type.txt missing');
  t.match(describeHikCapture(card.bytes, { contentType: card.contentType, unmasked: true })[0], {
    uid: 'BCFB08FB',
  });
});
