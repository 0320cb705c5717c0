import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  bioPhoto,
  cardNumber,
  fieldText,
  parseInfo,
  parseResults,
  userInfo,
} from '../../../drivers/zkteco-push/commands.js';
import {
  cardUid,
  parseAttlog,
  parseAttPhoto,
  parseLocal,
  parseRtlog,
  parseUsers,
} from '../../../drivers/zkteco-push/records.js';

// Issue 11, ZKTeco push by table: ATTLOG lines as firmware writes them (tabs, the key=value
// form some documents print, extra fields), truncated and wrongly typed lines, rtlog with
// card numbers and door events, OPERLOG user listings, ATTPHOTO uploads (oversize too),
// devicecmd results in both formats, and the commands the gateway queues.

const Z = 8 * 3600_000;
const at = (s: string) => Date.parse(`${s.replace(' ', 'T')}+08:00`);
const fixture = (f: string) =>
  readFileSync(new URL(`../../fixtures/zkteco-push/${f}`, import.meta.url), 'utf8');

t.test('ATTLOG: well-formed, odd firmware, truncated and wrong lines', async (t) => {
  const ok = parseAttlog(fixture('attlog.txt'), Z);
  t.equal(ok.lines, 2);
  t.same(ok.problems, []);
  t.same(ok.records, [
    {
      kind: 'read',
      recordId: 'att-F-R00001-20260501073012-15',
      ts: at('2026-05-01 07:30:12'),
      credential: { type: 'face', personId: 'F-R00001', score: 1 },
    },
    {
      kind: 'read',
      recordId: 'att-F-R00003-20260501073040-15',
      ts: at('2026-05-01 07:30:40'),
      credential: { type: 'face', personId: 'F-R00003', score: 1 },
    },
  ]);
  const cases: Array<[string, RegExp | Record<string, unknown>]> = [
    ['1001\t2026-05-01 07:30:12\t0\t1\t0', { credential: { type: 'fingerprint', templateId: '1001' } }],
    ['1001\t2026-05-01 07:30:12\t0\t15', { credential: { type: 'face', personId: '1001' } }],
    [
      'PIN=1001    DateTime=2026-05-01 07:30:12    Verified=15    Status=0',
      { credential: { type: 'face', personId: '1001' } },
    ],
    ['1001\t2026-05-01 07:30:12\t0\t15\t0\t0\t0\t255\textra', { recordId: 'att-1001-20260501073012-15' }],
    ['1001\t2026-05-01 07:30:12\r', /verify mode must be a number/],
    ['1001', /PIN and time needed/],
    ['1001\t2026-05-01 07:3', /time must be/],
    ['1001\t2026-02-30 07:30:12\t0\t15', /time must be/],
    ['1001\tyesterday\t0\t15', /time must be/],
    ['\t2026-05-01 07:30:12\t0\t15', /PIN is not one/],
    ['a b\t2026-05-01 07:30:12\t0\t15', /PIN is not one/],
    ['1001\t2026-05-01 07:30:12\t0\tface', /verify mode must be a number/],
    ['1001\t2026-05-01 07:30:12\t0\t4', /card verify without a card number/],
    ['1001\t2026-05-01 07:30:12\t0\t0', /password verify/],
    ['1001\t2026-05-01 07:30:12\t0\t25', /verify mode 25/],
    [`1001\t2026-05-01 07:30:12\t0\t15\t${'x'.repeat(2000)}`, /characters/],
  ];
  for (const [line, want] of cases) {
    const u = parseAttlog(line, Z);
    t.equal(u.lines, 1, `${JSON.stringify(line.slice(0, 40))}: one line counted`);
    if (want instanceof RegExp) t.match(u.problems[0]?.detail, want, JSON.stringify(line.slice(0, 40)));
    else t.match(u.records[0], want, JSON.stringify(line.slice(0, 40)));
  }
  const mixed = parseAttlog(
    '1001\t2026-05-01 07:30:12\t0\t15\n\n\ngarbage\n1002\t2026-05-01 07:30:13\t0\t15\n',
    Z,
  );
  t.same(
    [mixed.lines, mixed.records.length, mixed.problems.length],
    [3, 2, 1],
    'blank lines are no lines; a bad one does not stop the rest',
  );
  t.equal(
    parseLocal('2026-05-01 07:30:12', 7 * 3600_000),
    at('2026-05-01 07:30:12') + 3600_000,
    'the terminal’s zone applies',
  );
});

t.test('rtlog: card numbers, strangers, door events', async (t) => {
  const u = parseRtlog(fixture('rtlog.txt'), Z);
  t.same(u.problems, []);
  t.match(u.records, [
    { kind: 'read', recordId: 'rt-101', credential: { type: 'face', personId: 'F-R00001' } },
    { kind: 'read', recordId: 'rt-102', credential: { type: 'card', uid: '04B1B2C3' } },
    { kind: 'door', recordId: 'rt-103', signal: 'exit_button', input: 1 },
  ]);
  t.equal(cardUid('78754499'), '04B1B2C3');
  t.equal(cardUid('0'), null);
  t.match(parseRtlog('time=2026-05-01 07:31:00\tpin=1\tverifytype=15', Z).problems, [
    { reason: 'missing_id' },
  ]);
  t.match(parseRtlog('pin=1\tindex=3', Z).problems, [{ reason: 'bad_field' }]);
  t.match(parseRtlog('time=2026-05-01 07:31:00\tevent=102\teventaddr=2', Z).records, [
    { kind: 'door', signal: 'forced_open', input: 2 },
  ]);
});

t.test('OPERLOG users: normal users and administrators apart', async (t) => {
  t.same(
    parseUsers(
      'USER PIN=F-1\tName=张伟\tPri=0\tPasswd=\tCard=\nUSER PIN=admin\tName=admin\tPri=14\nOPLOG 4\t0\t2026-05-01 07:00:00\nUSER Name=x\n',
    ),
    { pins: ['F-1'], admins: ['admin'], other: 2 },
  );
});

t.test('ATTPHOTO: name carries time and PIN; junk and oversize refused', async (t) => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3000, 1)]);
  const up = (name: string, body = jpeg) =>
    Buffer.concat([Buffer.from(`PIN=${name}\nSN=ZK1\nsize=${body.length}\nCMD=uploadphoto\n`), body]);
  t.same(parseAttPhoto(up('20260501073012-F-R00001.jpg'), Z), {
    pin: 'F-R00001',
    ts: at('2026-05-01 07:30:12'),
    jpeg,
  });
  t.match(parseAttPhoto(up('photo.jpg'), Z), /must name the picture/);
  t.match(parseAttPhoto(up('20261301073012-1.jpg'), Z), /no real time/);
  t.match(parseAttPhoto(Buffer.from('PIN=1\nCMD=uploadphoto\n'), Z), /no JPEG/);
  t.match(
    parseAttPhoto(up('20260501073012-1.jpg', Buffer.concat([jpeg, Buffer.alloc(1024 * 1024)])), Z),
    /larger than/,
  );
  t.match(parseAttPhoto(Buffer.concat([Buffer.alloc(2000, 0x41), jpeg]), Z), /header longer/);
});

t.test('devicecmd results and INFO, both formats, junk dropped and counted', async (t) => {
  t.same(parseResults('ID=101&Return=0&CMD=DATA\nID=102&Return=-1&CMD=DATA\r\n'), {
    results: [
      { id: 101, ret: 0, cmd: 'DATA' },
      { id: 102, ret: -1, cmd: 'DATA' },
    ],
    bad: 0,
  });
  t.same(parseResults('ID=32\nReturn=0\nCMD=Shell\nContent=Tue Mar 24'), {
    results: [{ id: 32, ret: 0, cmd: 'Shell' }],
    bad: 0,
  });
  t.same(parseResults('ID=x&Return=0\nID=5&Return=abc\nhello'), { results: [], bad: 2 });
  t.same(parseInfo('Ver 8.0.4.2-20201010,12,1,5,192.168.1.201,10,7,12,11,111'), {
    firmware: 'Ver 8.0.4.2-20201010',
    users: 12,
  });
  t.same(parseInfo('X,many'), { firmware: 'X' });
  t.same(parseInfo(null), {});
});

t.test('commands as the terminal reads them', async (t) => {
  t.equal(
    userInfo('F-1', '张\t伟\n', ['04A1B2C3', 'AB']),
    'DATA UPDATE USERINFO PIN=F-1\tName=张 伟\tPrivilege=0\tCard=77705923',
  );
  t.equal(
    userInfo('F-1', undefined, ['0102030405060708']),
    'DATA UPDATE USERINFO PIN=F-1\tName=\tPrivilege=0\tCard=',
    'a card past 32 bits is left off',
  );
  t.equal(fieldText('x'.repeat(40)).length, 24);
  t.equal(cardNumber('FFFFFFFF'), '4294967295');
  t.equal(
    bioPhoto('F-1', Buffer.from([0xff, 0xd8, 0xff])),
    'DATA UPDATE BIOPHOTO PIN=F-1\tType=9\tSize=4\tContent=/9j/\tFormat=0',
  );
});
