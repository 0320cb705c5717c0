import t from 'tap';
import { encodeOp, parseAck } from '../../drivers/mqtt-v1/persons-codec.js';

// Issue 11: the v1 `persons` operations and their acks (docs/protocol-v1.md), by table.

t.test('operations as the terminal reads them', async (t) => {
  const up = JSON.parse(
    encodeOp({
      id: 'p-1',
      op: 'upsert',
      entry: {
        key: 'F-R1',
        name: '张伟',
        validFrom: Date.parse('2026-05-01T00:00:00+08:00'),
        validTo: null,
        cards: ['04A1B2C3'],
        photo: { mime: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) },
      },
    }),
  );
  t.same(up, {
    id: 'p-1',
    op: 'upsert',
    personId: 'F-R1',
    name: '张伟',
    validFrom: '2026-05-01T00:00:00+08:00',
    validTo: null,
    temporary: false,
    cards: ['04A1B2C3'],
    photo: { mime: 'image/jpeg', data: '/9j/4A==' },
  });
  t.same(JSON.parse(encodeOp({ id: 'p-2', op: 'delete', personId: 'F-R1' })), {
    id: 'p-2',
    op: 'delete',
    personId: 'F-R1',
  });
  t.same(JSON.parse(encodeOp({ id: 'p-3', op: 'list' })), { id: 'p-3', op: 'list' });
});

t.test('acks: well-formed, refused with a code, and junk', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['{"id":"p-1","ok":true}', { id: 'p-1', ok: true }],
    ['{"id":"p-1","ok":true,"personIds":["a","b"]}', { id: 'p-1', ok: true, personIds: ['a', 'b'] }],
    [
      '{"id":"p-1","ok":false,"code":"face_quality_low","message":"quality 31 < 60"}',
      { id: 'p-1', ok: false, code: 'face_quality_low', message: 'quality 31 < 60' },
    ],
    ['{"id":"p-1","ok":false}', { id: 'p-1', ok: false, code: 'vendor_error', message: 'vendor_error' }],
    ['{"id":"p-1","ok":false,"code":"Bad Code!"}', { id: 'p-1', ok: false, code: 'vendor_error' }],
    ['not json', 'ack is not JSON'],
    ['[1]', 'ack must be an object'],
    ['{"ok":true}', 'ack id must be a string'],
    ['{"id":"p-1","ok":"yes"}', 'ack ok must be true or false'],
    ['{"id":"p-1","ok":true,"personIds":[1]}', 'ack personIds must be a list of strings'],
    ['{"id":"p-1","ok":true,"personIds":"a"}', 'ack personIds must be a list of strings'],
  ];
  for (const [text, want] of cases) t.match(parseAck(Buffer.from(text)), want, text);
  t.match(parseAck(Buffer.alloc(600 * 1024, 0x20)), /bytes >/, 'oversize refused before parsing');
  const long = parseAck(
    Buffer.from(JSON.stringify({ id: 'p', ok: false, code: 'no_face', message: 'x'.repeat(500) })),
  );
  t.equal(typeof long === 'object' && !long.ok ? long.message.length : 0, 200, 'messages are capped');
});
