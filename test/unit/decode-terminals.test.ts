import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { decodeTerminal, maskLine } from '../../cli/decode-terminals.js';
import { loadJsonFixtures } from '../../testkit/drivers/json-fixtures.js';

// Issue 11: `estate-gateway decode zkteco-push|mqtt-face` reads a captured payload through
// the driver's own parser and prints the normalised reads as JSON lines, masked by default;
// whatever the payload, never a crash, and exit code 1 when anything was refused.

const MAIN = path.join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const FIX = path.join(import.meta.dirname, '..', 'fixtures');
const cli = (args: string[], input?: string | Buffer) =>
  spawnSync(process.execPath, [MAIN, 'decode', ...args], { encoding: 'utf8', input, timeout: 30_000 });

t.test('zkteco-push: a cdata body, each line as the gateway reads it', async (t) => {
  const r = cli(['zkteco-push', '--table', 'rtlog', path.join(FIX, 'zkteco-push', 'rtlog.txt')]);
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.same(lines, [
    {
      recordId: 'rt-101',
      ts: '2026-04-30T23:30:12.000Z',
      type: 'face',
      face: { personId: 'F-R00001', score: 1 },
    },
    { recordId: 'rt-102', ts: '2026-04-30T23:31:00.000Z', type: 'card', card: { uid: '****B2C3' } },
    { recordId: 'rt-103', ts: '2026-04-30T23:31:05.000Z', door: 'exit_button', input: 1 },
    { lines: 3, answer: 'OK: 3' },
  ]);
  const unmasked = cli([
    'zkteco-push',
    '--table',
    'rtlog',
    '--unmasked',
    path.join(FIX, 'zkteco-push', 'rtlog.txt'),
  ]);
  t.match(unmasked.stdout, /"uid":"04B1B2C3"/);
  const bad = cli(['zkteco-push', '--table', 'ATTLOG', '-'], 'F-1\t2026-05-01 07:00:00\t0\t15\nbroken\n');
  t.equal(bad.status, 1, 'a refused line: exit 1');
  t.match(bad.stdout, /"error":"bad_field","reason":"ATTLOG line 2/);
  const noTable = cli(['zkteco-push', path.join(FIX, 'zkteco-push', 'rtlog.txt')]);
  t.equal(noTable.status, 2);
  t.match(noTable.stderr, /--table/);
});

t.test('mqtt-face: every fixture decodes or is refused as the driver would', async (t) => {
  for (const f of loadJsonFixtures('mqtt-face', 'uplinks.jsonl')) {
    const out = decodeTerminal('mqtt-face', f.payload, { topic: f.topic });
    if (f.expect === 'valid')
      t.notOk(
        out.some((l) => 'error' in l),
        f.name,
      );
    else t.match(out, [{ error: f.expect }], f.name);
  }
  const pic = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5000, 3)]).toString('base64');
  const payload = JSON.stringify({
    operator: 'RecPush',
    info: {
      customId: 'F-1',
      RecordID: '7',
      similarity1: '92.5',
      time: '2026-05-01 07:30:12',
      pic: `data:image/jpeg;base64,${pic}`,
    },
  });
  const r = cli(['mqtt-face', '--topic', 'mqtt/face/SN1/Rec', '--time-zone', '+07:00'], payload);
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout), {
    recordId: 'rec-7',
    ts: '2026-05-01T00:30:12.000Z',
    offline: false,
    type: 'face',
    face: { personId: 'F-1', score: 0.925 },
    image: { mime: 'image/jpeg', bytes: 5003 },
    answer: 'PushAck',
  });
  t.notMatch(r.stdout, /\/9j\//, 'never the picture itself');
  const junk = cli(['mqtt-face', '--topic', 'mqtt/face/SN1/Rec'], Buffer.from([0xff, 0x00, 0x7b]));
  t.equal(junk.status, 1);
  t.match(JSON.parse(junk.stdout), { error: 'not_json' });
});

t.test('masking: card numbers, ID numbers, QR tokens', async (t) => {
  t.same(maskLine({ type: 'card', card: { uid: '04A1B2C3' } }), { type: 'card', card: { uid: '****B2C3' } });
  t.same(maskLine({ type: 'idcard', idcard: { number: '310115198001152014' } }), {
    type: 'idcard',
    idcard: { number: '310***********2014' },
  });
  t.same(maskLine({ type: 'qrcode', qrcode: { token: 'v-8c1f' } }), {
    type: 'qrcode',
    qrcode: { token: '******' },
  });
});
