import t from 'tap';
import { MAX_EVENT_BYTES } from '../../drivers/mqtt-v1/constants.js';
import { parseEvent, parseStatus } from '../../drivers/mqtt-v1/parse.js';

const NOW = Date.parse('2026-05-01T07:30:13+08:00');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const unit = (dims: number) => {
  const b = Buffer.alloc(dims * 4);
  const v = 1 / Math.sqrt(dims);
  for (let i = 0; i < dims; i++) b.writeFloatLE(v, i * 4);
  return b.toString('base64');
};
const ev = (over: Record<string, unknown> = {}) => ({
  id: 'T7-000123',
  ts: '2026-05-01T07:30:12.345+08:00',
  type: 'face',
  face: { personId: 'P0001', score: 0.93, liveness: true },
  ...over,
});
const parse = (v: unknown) =>
  parseEvent('T7', Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), NOW);

t.test('the example of design.md §5 parses', async (t) => {
  const r = parse(ev({ image: { mime: 'image/jpeg', data: JPEG.toString('base64') } }));
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.read.credential, { type: 'face', personId: 'P0001', score: 0.93, liveness: true });
  t.equal(r.read.ts, Date.parse('2026-05-01T07:30:12.345+08:00'));
  t.equal(r.read.recordId, 'T7-000123');
  t.equal(r.read.offline, false);
  t.same(r.read.image?.data, JPEG);
});

t.test('every credential type', async (t) => {
  const rows: Array<[unknown, unknown]> = [
    [ev({ face: { personId: null, score: 0.1 } }), { type: 'face', personId: null, score: 0.1 }],
    [ev({ type: 'card', face: undefined, card: { uid: '04:a1:b2:c3' } }), { type: 'card', uid: '04A1B2C3' }],
    [
      ev({ type: 'idcard', idcard: { number: '310115198001152014', name: '张伟', validUntil: '长期' } }),
      { type: 'idcard', number: '310115198001152014', name: '张伟', validUntil: null },
    ],
    [
      ev({ type: 'idcard', idcard: { number: '310115198001152014', validUntil: '20300101' } }),
      { type: 'idcard', number: '310115198001152014', validUntil: '2030-01-01' },
    ],
    [
      ev({ type: 'fingerprint', fingerprint: { templateId: 17, score: 80 } }),
      { type: 'fingerprint', templateId: '17', score: 80 },
    ],
    [
      ev({ type: 'fingerprint', fingerprint: { templateId: null } }),
      { type: 'fingerprint', templateId: null },
    ],
    [ev({ type: 'qrcode', qrcode: { token: 'v-abc' } }), { type: 'qrcode', token: 'v-abc' }],
  ];
  for (const [input, want] of rows) {
    const r = parse(input);
    t.ok(r.ok, JSON.stringify(input));
    if (r.ok) t.same(r.read.credential, want);
  }
  const withEmb = parse(ev({ face: { personId: null, score: 0.3, embedding: unit(128) } }));
  t.ok(
    withEmb.ok &&
      withEmb.read.credential.type === 'face' &&
      withEmb.read.credential.embedding?.length === 128,
    'embedding decoded',
  );
  const off = parse(ev({ offline: true }));
  t.ok(off.ok && off.read.offline, 'offline flag');
});

t.test('bad input gives a reason, never an exception', async (t) => {
  const rows: Array<[string, unknown, string]> = [
    ['not JSON', 'hello{', 'not_json'],
    ['binary garbage', Buffer.from([0, 159, 146, 150, 255]), 'not_json'],
    ['JSON array', '[1,2]', 'bad_field'],
    ['JSON null', 'null', 'bad_field'],
    ['missing id', ev({ id: undefined }), 'missing_id'],
    ['empty id', ev({ id: '' }), 'missing_id'],
    ['numeric id', ev({ id: 42 }), 'bad_field'],
    ['huge id', ev({ id: 'x'.repeat(200) }), 'bad_field'],
    ['ts without zone', ev({ ts: '2026-05-01T07:30:12' }), 'bad_field'],
    ['ts as number', ev({ ts: NOW }), 'bad_field'],
    ['ts not a date', ev({ ts: '2026-13-45T99:00:00Z' }), 'bad_field'],
    ['unknown type', ev({ type: 'iris' }), 'bad_field'],
    ['type without its object', ev({ type: 'card' }), 'bad_field'],
    ['score as string', ev({ face: { personId: 'P1', score: '0.93' } }), 'bad_field'],
    ['score > 1', ev({ face: { personId: 'P1', score: 93 } }), 'bad_field'],
    ['card uid not hex', ev({ type: 'card', card: { uid: 'hello' } }), 'bad_field'],
    ['embedding too short', ev({ face: { personId: null, score: 0.1, embedding: unit(16) } }), 'bad_field'],
    [
      'embedding not unit',
      ev({ face: { personId: null, score: 0.1, embedding: Buffer.alloc(512).toString('base64') } }),
      'bad_field',
    ],
    ['image not base64', ev({ image: { mime: 'image/jpeg', data: '!!!not base64***' } }), 'bad_image'],
    ['image wrong mime', ev({ image: { mime: 'image/gif', data: JPEG.toString('base64') } }), 'bad_image'],
    [
      'image bytes are not a JPEG',
      ev({ image: { mime: 'image/jpeg', data: Buffer.from('hello world!').toString('base64') } }),
      'bad_image',
    ],
    ['offline not boolean', ev({ offline: 'yes' }), 'bad_field'],
    ['too large', Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20), 'too_large'],
  ];
  for (const [name, input, reason] of rows) {
    const r = parse(input);
    t.equal(r.ok ? 'ok' : r.reason, reason, name);
    if (!r.ok) t.type(r.detail, 'string');
  }
});

t.test('status payloads', async (t) => {
  t.same(parseStatus(Buffer.from('{"online":true,"ts":"2026-05-01T07:30:12+08:00","firmware":"1.2"}')), {
    online: true,
    ts: Date.parse('2026-05-01T07:30:12+08:00'),
    firmware: '1.2',
  });
  t.same(parseStatus(Buffer.from('{"online":false}')), { online: false });
  t.ok('error' in parseStatus(Buffer.from('{"online":"yes"}')));
  t.ok('error' in parseStatus(Buffer.from('garbage')));
});

// Issue 12 item 5: Date.parse rolls 2026-02-30 over into 2 March; the gateway recorded
// 1,140 such events. A time that does not exist is refused as bad_field, never moved.
t.test('impossible calendar times are refused as bad_field, real ones kept', async (t) => {
  const refused = [
    '2026-02-30T00:00:00Z',
    '2026-02-29T08:00:00+08:00', // 2026 is no leap year
    '2100-02-29T00:00:00Z', // nor is 2100
    '2026-04-31T12:00:00+08:00',
    '2026-00-10T12:00:00Z',
    '2026-01-00T12:00:00Z',
    '2026-01-01T24:00:00Z', // Date.parse makes this the next day
    '2026-01-01T23:60:00Z',
    '2026-01-01T23:59:60Z',
    '2026-01-01T12:00:00+08:60',
  ];
  for (const ts of refused) {
    const r = parse(ev({ ts }));
    t.equal(r.ok ? 'ok' : r.reason, 'bad_field', ts);
    if (!r.ok) t.match(r.detail, /ts must be an ISO 8601 time with a zone that exists/);
  }
  const kept: Array<[string, string]> = [
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29T08:00:00+08:00', '2000-02-29T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999999Z', '2026-12-31T23:59:59.999Z'],
    ['2026-05-01T07:30:12+0800', '2026-04-30T23:30:12.000Z'],
  ];
  for (const [ts, iso] of kept) {
    const r = parse(ev({ ts }));
    t.equal(r.ok && new Date(r.read.ts).toISOString(), iso, ts);
  }
  for (const validUntil of ['2026-02-30', '20260230', '2030-0101', '2030-13-01']) {
    const r = parse(ev({ type: 'idcard', idcard: { number: '310115198001152014', validUntil } }));
    t.equal(r.ok ? 'ok' : r.reason, 'bad_field', `validUntil ${validUntil}`);
  }
  t.ok('error' in parseStatus(Buffer.from('{"online":true,"ts":"2026-02-30T00:00:00Z"}')), 'status ts too');
});
