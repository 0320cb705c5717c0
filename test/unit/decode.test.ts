import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { decodeHex, PROTOCOLS } from '../../cli/decode.js';
import { encodeReply } from '../../drivers/idcard/frame.js';
import { encodeReadData, encodeText } from '../../drivers/idcard/text.js';
import { toHex } from '../../drivers/serial/options.js';
import { photoOf } from '../../sim/serial/idcard-reader.js';
import { loadFixtures, noise } from '../../testkit/drivers/fixtures.js';
import { ZHANG } from '../../testkit/drivers/id-cards.js';

// Issue 3: `estate-gateway decode` — one JSON line per frame, fields as in protocols.md,
// numbers as numbers; errors as {error, reason}; never a crash, whatever the input.

const MAIN = path.join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [MAIN, 'decode', ...args], { encoding: 'utf8', input, timeout: 30_000 });

t.test('frames decode to the fields of protocols.md', async (t) => {
  const rows: Array<[string, string, string, unknown[]]> = [
    [
      'fingerprint',
      'VfyPwd, then an ack "no finger"',
      'EF 01 FF FF FF FF 01 00 07 13 00 00 00 00 00 1B ef01ffffffff070003 02 000C',
      [
        {
          address: 0xffffffff,
          packetId: 1,
          packetType: 'command',
          length: 7,
          instruction: 0x13,
          instructionName: 'VfyPwd',
          password: 0,
        },
        {
          address: 0xffffffff,
          packetId: 7,
          packetType: 'ack',
          length: 3,
          confirmation: 2,
          meaning: 'no finger',
        },
      ],
    ],
    [
      'fingerprint',
      'Search ack: page and score',
      'EF 01 FF FF FF FF 07 00 07 00 00 0C 00 B4 00 CE',
      [{ confirmation: 0, meaning: 'ok', results: '000c00b4', search: { page: 12, score: 180 } }],
    ],
    [
      'idcard',
      'find card, and the "no card" reply',
      'AA AA AA 96 69 00 03 20 01 22 AA AA AA 96 69 00 04 00 00 80 84',
      [
        { frame: 'request', length: 3, command: 0x20, parameter: 1, name: 'find card' },
        { frame: 'reply', length: 4, sw1: 0, sw2: 0, sw3: 0x80, status: 'no card' },
      ],
    ],
    [
      'wiegand',
      'Wiegand 26 facility 1 card 12345 from a hex-cr converter',
      '32 30 32 36 30 37 33 0D',
      [
        {
          format: 'hex-cr',
          digits: '2026073',
          value: 33710195,
          wiegand: { bits: 26, facility: 1, card: 12345, uid: '013039' },
        },
      ],
    ],
    [
      'modbus',
      'write single coil 0 on (protocols.md example)',
      '01 05 00 00 FF 00 8C 3A',
      [{ role: 'request', unit: 1, function: 5, functionName: 'write single coil', coil: 0, value: 'on' }],
    ],
    [
      'modbus',
      'a read-coils reply',
      '01 01 01 01 90 48',
      [
        {
          role: 'reply',
          unit: 1,
          function: 1,
          byteCount: 1,
          coils: [true, false, false, false, false, false, false, false],
        },
      ],
    ],
  ];
  for (const [proto, name, hex, want] of rows) t.match(decodeHex(proto, hex), want, `${proto}: ${name}`);
});

t.test('every valid fixture decodes without an error line', async (t) => {
  const sets: Array<[string, string, string]> = [
    ['fingerprint', 'fingerprint', 'valid.hex'],
    ['idcard', 'idcard', 'valid.hex'],
    ['wiegand', 'wiegand', 'hex-cr.hex'],
    ['wiegand', 'wiegand', 'decimal-crlf.hex'],
    ['wiegand', 'wiegand', 'stx-etx.hex'],
    ['modbus', 'modbus', 'requests.hex'],
    ['modbus', 'modbus', 'replies.hex'],
  ];
  for (const [proto, dir, file] of sets) {
    for (const f of loadFixtures(dir, file)) {
      if (f.expect !== 'valid') continue;
      const lines = decodeHex(proto, toHex(f.bytes, 1 << 20));
      t.equal(lines.length, 1, `${proto} ${f.name}: one line`);
      t.notOk('error' in (lines[0] ?? {}), `${proto} ${f.name}: ${JSON.stringify(lines[0]).slice(0, 120)}`);
    }
  }
});

t.test('an ID-card read reply: the text block, masked unless asked', async (t) => {
  const text = encodeText(ZHANG.text);
  const hex = toHex(encodeReply(0x90, encodeReadData(text, photoOf(ZHANG))), 1 << 20);
  const [masked] = decodeHex('idcard', hex);
  t.match(masked, {
    frame: 'reply',
    length: 1288,
    sw3: 0x90,
    card: {
      name: '张*',
      sex: 'male',
      nationCode: '01',
      nation: '汉',
      birth: '1990-**-**',
      number: '310***********1230',
      authority: '上海市公安局黄浦分局',
      validFrom: '2015-01-01',
      validUntil: '2035-01-01',
    },
  });
  t.notOk(JSON.stringify(masked).includes('310101199003071230'), 'no ID number by default');
  const [full] = decodeHex('idcard', hex, { unmasked: true });
  t.match(full, { card: { name: '张三', number: '310101199003071230', birth: '1990-03-07' } });
  const wrong = encodeText({ ...ZHANG.text, number: '310101199003071231' });
  const judged = decodeHex(
    'idcard',
    toHex(encodeReply(0x90, encodeReadData(wrong, photoOf(ZHANG))), 1 << 20),
  );
  t.match(
    judged,
    [{ sw3: 0x90, card: { number: '310***********1231' }, numberProblem: 'check_digit' }],
    'a number the gateway records as invalid_id_number is shown with its problem',
  );
  t.notOk(JSON.stringify(judged).includes('3101011990'), 'and masked like any other');
});

t.test('invalid input: error lines with a reason', async (t) => {
  t.match(decodeHex('fingerprint', 'EF 01 FF FF FF FF 07 00 03 02 00 0D 11 22'), [
    { error: 'FRAME_CHECKSUM', reason: /sum/, bytes: 'EF 01 FF FF FF FF 07 00 03 02 00 0D' },
    { error: 'NO_FRAME', reason: '2 byte(s) that start no frame', bytes: '11 22' },
  ]);
  t.match(decodeHex('idcard', 'AA AA AA 96 69 00 03 20 01'), [{ error: 'FRAME_TRUNCATED' }]);
  t.match(decodeHex('modbus', '01 05 00 00 FF 00 8C 3B'), [{ error: 'FRAME_CHECKSUM' }]);
  t.match(decodeHex('wiegand', '30 31 32'), [{ error: 'FRAME_TRUNCATED' }]);
  t.same(decodeHex('wiegand', 'xyz'), [{ error: 'BAD_HEX', reason: 'not an even run of hex digits' }]);
  t.same(decodeHex('modbus', ''), [{ error: 'EMPTY', reason: 'no bytes to decode' }]);
});

t.test('the command: JSON lines, exit 0 when all valid, 1 otherwise, 2 on usage', async (t) => {
  const ok = cli(['fingerprint', 'EF', '01', 'FF', 'FF', 'FF', 'FF', '07', '00', '03', '02', '00', '0C']);
  t.equal(ok.status, 0);
  t.same(JSON.parse(ok.stdout), {
    address: 4294967295,
    packetId: 7,
    packetType: 'ack',
    length: 3,
    confirmation: 2,
    meaning: 'no finger',
  });
  const bad = cli(['modbus', '01 05 00 00 FF 00 8C 3B']);
  t.equal(bad.status, 1);
  t.match(JSON.parse(bad.stdout), { error: 'FRAME_CHECKSUM', reason: String });
  const piped = cli(['idcard'], 'AA AA AA 96 69 00 04 00 00 80 84\n');
  t.equal(piped.status, 0, 'hex from stdin');
  t.match(JSON.parse(piped.stdout), { status: 'no card' });
  t.equal(cli(['morse', '00']).status, 2);
  t.equal(cli(['wiegand', '30', '0D', '--format', 'ebcdic']).status, 2);
});

t.test('never crashes: random and mutated hex for every protocol', async (t) => {
  const seeds = [
    ...loadFixtures('fingerprint', 'valid.hex'),
    ...loadFixtures('idcard', 'valid.hex'),
    ...loadFixtures('modbus', 'replies.hex'),
    ...loadFixtures('wiegand', 'stx-etx.hex'),
  ].map((f) => f.bytes);
  let lines = 0;
  for (let i = 0; i < 1500; i++) {
    const r = noise(8, i + 1);
    const base = seeds[(r[0] ?? 0) % seeds.length] as Buffer;
    const junk = noise((r[1] ?? 0) % 40, i + 7);
    // Random bytes, a fixture with a flipped byte, or a fixture cut short, with noise around.
    const mutated = Buffer.from(base);
    const at = (r[2] ?? 0) % mutated.length;
    mutated[at] = (mutated[at] ?? 0) ^ (1 << ((r[3] ?? 0) % 8));
    const body = [junk, mutated, base.subarray(0, (r[4] ?? 0) % base.length)][i % 3] as Buffer;
    const bytes = Buffer.concat([noise((r[5] ?? 0) % 5, i), body, junk.subarray(0, (r[6] ?? 0) % 8)]);
    for (const proto of PROTOCOLS) {
      const out = decodeHex(proto, bytes.toString('hex'));
      lines += out.length;
      for (const l of out)
        if (!(typeof l === 'object' && l !== null && ('error' in l ? typeof l.reason === 'string' : true)))
          t.fail(`bad line ${JSON.stringify(l)}`);
    }
  }
  t.ok(lines > 1500 * 4, `${lines} lines, no exception`);
  for (const seed of [3, 5, 8]) {
    const res = cli(['idcard', noise(300, seed).toString('hex')]);
    t.equal(res.status, 1, 'random bytes are not frames: exit 1, no crash');
    t.equal(res.stderr, '');
    for (const line of res.stdout.trim().split('\n')) t.ok(JSON.parse(line).error, 'every line is JSON');
  }
});
