import t from 'tap';
import {
  boundaryOf,
  encodeMultipart,
  encodePart,
  MultipartParser,
  type PartEvent,
  parseMultipart,
} from '../../../drivers/http/multipart.js';
import { noise } from '../../../testkit/drivers/fixtures.js';

// Issue 11: one multipart parser for Hikvision pushes and alertStream and Dahua's attach
// stream and /notification — fed whole, split at every offset, byte by byte, after garbage;
// tolerant of odd firmware, bounded in memory, never throwing on any bytes.

const jpeg = (n: number) =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    Buffer.alloc(n - 6, 0x11),
    Buffer.from([0xff, 0xd9]),
  ]);
const LIMITS = { maxPartBytes: 4096 };

/** A summary that compares across runs: kind, type, name, body. */
function summary(events: PartEvent[]): string[] {
  return events.map((e) => {
    switch (e.kind) {
      case 'part':
        return `part ${e.part.type || '-'} ${e.part.name ?? '-'} ${e.part.body.toString('hex')}`;
      case 'truncated':
        return `truncated ${e.part.type || '-'} ${e.part.body.length}/${e.expected}`;
      case 'oversize':
        return `oversize ${e.type || '-'} ${e.bytes}`;
      case 'garbage':
        return `garbage ${e.bytes}`;
      case 'bad_head':
        return `bad_head ${e.detail}`;
      default:
        return 'end';
    }
  });
}

function run(
  chunks: Buffer[],
  boundary: string,
  limits = LIMITS,
): { events: PartEvent[]; maxBuffered: number } {
  const p = new MultipartParser(boundary, limits);
  const events: PartEvent[] = [];
  let maxBuffered = 0;
  for (const c of chunks) {
    events.push(...p.push(c));
    maxBuffered = Math.max(maxBuffered, p.buffered);
  }
  events.push(...p.end());
  return { events, maxBuffered };
}

const event = JSON.stringify({ eventType: 'AccessControllerEvent', AccessControllerEvent: { serialNo: 7 } });

/** Valid bodies as each firmware writes them, with what must come out. */
const VALID: Array<{ name: string; boundary: string; bytes: Buffer; want: string[] }> = [
  {
    name: 'Hikvision push: event_log then a picture, closing delimiter',
    boundary: 'MIME_boundary',
    bytes: encodeMultipart(
      [
        {
          headers: {
            'Content-Disposition': 'form-data; name="event_log"',
            'Content-Type': 'application/json',
          },
          body: event,
        },
        {
          headers: {
            'Content-Disposition': 'form-data; name="Picture"; filename="Picture.jpg"',
            'Content-Type': 'image/jpeg',
          },
          body: jpeg(300),
        },
      ],
      'MIME_boundary',
    ),
    want: [
      `part application/json event_log ${Buffer.from(event).toString('hex')}`,
      `part image/jpeg Picture ${jpeg(300).toString('hex')}`,
      'end',
    ],
  },
  {
    name: 'Hikvision push from the firmware that omits the part Content-Type',
    boundary: 'MIME_boundary',
    bytes: encodeMultipart(
      [{ headers: { 'Content-Disposition': 'form-data; name="event_log"' }, body: event }],
      'MIME_boundary',
    ),
    want: [`part - event_log ${Buffer.from(event).toString('hex')}`, 'end'],
  },
  {
    name: 'alertStream: parts with Content-Length and no closing delimiter',
    boundary: 'MIME_boundary',
    bytes: Buffer.concat([
      encodePart(
        { headers: { 'Content-Type': 'application/json; charset="UTF-8"' }, body: event },
        'MIME_boundary',
        true,
      ),
      encodePart(
        {
          headers: {
            'Content-Type': 'image/jpeg',
            'Content-Disposition': 'form-data; name="Picture"; filename="Picture.jpg"',
          },
          body: jpeg(200),
        },
        'MIME_boundary',
        true,
      ),
    ]),
    want: [
      `part application/json - ${Buffer.from(event).toString('hex')}`,
      `part image/jpeg Picture ${jpeg(200).toString('hex')}`,
    ],
  },
  {
    name: 'Dahua attach stream: heartbeat and a key=value event, LF line ends',
    boundary: 'myboundary',
    bytes: Buffer.from(
      '--myboundary\nContent-Type: text/plain\nContent-Length: 9\n\nHeartbeat\n--myboundary\nContent-Type: text/plain\n\nCode=AccessControl;action=Pulse;index=0;data={"UserID":"7"}\n--myboundary\n',
    ),
    want: [
      `part text/plain - ${Buffer.from('Heartbeat').toString('hex')}`,
      `part text/plain - ${Buffer.from('Code=AccessControl;action=Pulse;index=0;data={"UserID":"7"}').toString('hex')}`,
    ],
  },
];

t.test('boundaryOf reads quoted and bare boundaries', async (t) => {
  t.equal(boundaryOf('multipart/form-data; boundary=MIME_boundary'), 'MIME_boundary');
  t.equal(boundaryOf('multipart/mixed;boundary="a b"'), 'a b');
  t.equal(boundaryOf('multipart/x-mixed-replace; boundary=myboundary; charset=utf-8'), 'myboundary');
  t.equal(boundaryOf('application/json'), null);
  t.equal(boundaryOf(undefined), null);
});

for (const fx of VALID) {
  t.test(fx.name, async (t) => {
    const whole = summary(parseMultipart(fx.bytes, fx.boundary, LIMITS));
    t.same(whole, fx.want, 'whole');
    let same = true;
    for (let i = 1; i < fx.bytes.length; i++) {
      const r = summary(run([fx.bytes.subarray(0, i), fx.bytes.subarray(i)], fx.boundary).events);
      if (JSON.stringify(r) !== JSON.stringify(fx.want)) {
        same = false;
        t.fail(`split at ${i}: ${JSON.stringify(r)}`);
        break;
      }
    }
    t.ok(same, 'split at every offset');
    const trickle = run(
      [...fx.bytes].map((b) => Buffer.from([b])),
      fx.boundary,
    );
    t.same(summary(trickle.events), fx.want, 'byte by byte');
    const garbage = noise(53, 11).map((b) => (b === 0x2d ? 0x2e : b)); // no '-' so it cannot start a delimiter
    const after = summary(run([Buffer.from(garbage), fx.bytes], fx.boundary).events);
    t.match(after[0], /^garbage \d+$/, 'garbage before the first part is reported');
    t.same(after.slice(1), fx.want, 'and the parts after it are all found');
  });
}

t.test('odd and bad input', async (t) => {
  const B = 'MIME_boundary';
  const partOf = (
    body: Buffer | string,
    headers: Record<string, string> = { 'Content-Type': 'image/jpeg' },
  ) => encodePart({ headers, body }, B, true);

  const over = run([partOf(jpeg(5000)), partOf(event, { 'Content-Type': 'application/json' })], B);
  t.same(
    summary(over.events),
    ['oversize image/jpeg 5000', `part application/json - ${Buffer.from(event).toString('hex')}`],
    'a counted part over the cap is skipped, the next one found',
  );
  t.ok(over.maxBuffered < 200, `skipped without buffering it (${over.maxBuffered} bytes held at most)`);

  const big = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Type: image/jpeg\r\n\r\n`),
    jpeg(20_000),
    Buffer.from(`\r\n--${B}--\r\n`),
  ]);
  const chunks = Array.from({ length: Math.ceil(big.length / 512) }, (_, i) =>
    big.subarray(i * 512, (i + 1) * 512),
  );
  const overDelim = run(chunks, B);
  t.match(
    summary(overDelim.events),
    [/^oversize image\/jpeg \d+$/, 'end'],
    'a part without length over the cap is skipped to its delimiter',
  );
  t.ok(
    overDelim.maxBuffered <= LIMITS.maxPartBytes + 1024,
    `bounded while skipping (${overDelim.maxBuffered})`,
  );

  const cut = partOf(jpeg(1000)).subarray(0, 300);
  t.match(
    summary(run([cut], B).events),
    [/^truncated image\/jpeg \d+\/1000$/],
    'the input ends inside a part: truncated, not a part',
  );

  const shortLength = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Type: application/json\r\nContent-Length: 3000\r\n\r\n${event}\r\n`),
    partOf(event, { 'Content-Type': 'application/json' }),
  ]);
  t.match(
    summary(run([shortLength], B).events),
    [
      /^truncated application\/json \d+\/3000$/,
      `part application/json - ${Buffer.from(event).toString('hex')}`,
    ],
    'a Content-Length longer than the part: cut at the next delimiter, the next part kept',
  );

  const lyingOversize = Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Type: image/jpeg\r\nContent-Length: 9000\r\n\r\n`),
    jpeg(100),
    Buffer.from('\r\n'),
    partOf(event, { 'Content-Type': 'application/json' }),
  ]);
  t.same(
    summary(run([lyingOversize], B).events),
    ['oversize image/jpeg 100', `part application/json - ${Buffer.from(event).toString('hex')}`],
    'a Content-Length over the cap that is a lie: skipped to the delimiter, the next part kept',
  );

  const badHead = Buffer.concat([
    Buffer.from(`--${B}\r\nthis is no header\r\n\r\nxx\r\n`),
    partOf(jpeg(100)),
  ]);
  t.match(
    summary(run([badHead], B).events),
    [/^bad_head/, 'garbage 2', /^part image\/jpeg/],
    'a head that is no headers is dropped (its body is garbage), the next part found',
  );

  const longHead = Buffer.concat([
    Buffer.from(`--${B}\r\nX-Junk: ${'a'.repeat(10_000)}`),
    Buffer.from('\r\n\r\nxx\r\n'),
    partOf(jpeg(100)),
  ]);
  const lh = run([longHead], B);
  t.match(summary(lh.events)[0], /^bad_head part head longer/, 'an endless head is dropped');
  t.match(summary(lh.events).at(-1), /^part image\/jpeg/, 'and the parser finds the next part');
  t.ok(lh.maxBuffered < 12_000, 'without keeping the endless head');

  const lookalike = Buffer.from(`--${B}X\r\n--${B}\r\nContent-Type: text/plain\r\n\r\nok\r\n--${B}--`);
  t.same(
    summary(run([lookalike], B).events),
    [`garbage ${B.length + 3}`, `part text/plain - ${Buffer.from('ok').toString('hex')}`, 'end'],
    'text that starts like a delimiter is not one',
  );

  t.same(summary(run([Buffer.alloc(0)], B).events), [], 'nothing in, nothing out');
});

t.test('mutated input never throws and stays bounded', async (t) => {
  const base = Buffer.concat(VALID.slice(0, 3).map((v) => v.bytes));
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let events = 0;
  let maxBuffered = 0;
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(base);
    for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++)
      b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const cut = b.subarray(0, Math.floor(rnd() * b.length));
    const chunks: Buffer[] = [];
    for (let at = 0; at < cut.length; ) {
      const n = 1 + Math.floor(rnd() * 700);
      chunks.push(cut.subarray(at, at + n));
      at += n;
    }
    const r = run(chunks, 'MIME_boundary', { maxPartBytes: 1000 });
    events += r.events.length;
    maxBuffered = Math.max(maxBuffered, r.maxBuffered);
  }
  t.ok(events > 0, `${events} events from 2,000 mutated bodies`);
  t.ok(maxBuffered < 1000 + 8192 + 700, `never held more than a part, a head and a chunk (${maxBuffered})`);
});
