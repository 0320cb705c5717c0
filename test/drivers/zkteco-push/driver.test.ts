import t from 'tap';
import type { CredentialRead } from '../../../core/contracts.js';
import { GatewayError } from '../../../core/errors.js';
import { createZktecoDriver, type ZktecoDriver } from '../../../drivers/zkteco-push/driver.js';
import { makeContext } from '../../../testkit/drivers/context.js';

// Issue 11, the ZKTeco push driver on a recording terminal listener: authorised by SN and
// address from the head, the cdata handshake with the gateway's clock in Date, ATTLOG
// answered `OK: <n>` only once on disk, buffered records kept apart, pictures joined to
// their records; commands queued per terminal, handed out as C:<id>: lines and matched
// with devicecmd results; a refused photo takes its user with it; a count that disagrees
// with the record lists the terminal's users, administrators left alone.

const ADDR = '10.0.0.9';
const photo = {
  mime: 'image/jpeg',
  data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(3000, 5)]),
};

function setup() {
  const c = makeContext([
    { id: 'ZK1', door: 'B01-U1', options: { sn: 'ZK1', address: ADDR } },
    { id: 'ZK2', door: 'B02-U1', options: { sn: 'ZK2', address: '10.0.0.10', pin: 'digits' } },
  ]);
  const driver = createZktecoDriver(c.ctx) as ZktecoDriver;
  const req = (method: 'GET' | 'POST', url: string, body?: string | Buffer, remoteAddress = ADDR) =>
    c.ingress.request(method, url, { ...(body === undefined ? {} : { body }), remoteAddress });
  /** Polls as the terminal does until it is given commands (the queue fills on a later turn). */
  const commands = async (sn = 'ZK1'): Promise<string> => {
    for (let i = 0; i < 100; i++) {
      const body = String((await req('GET', `/iclock/getrequest?SN=${sn}`)).body);
      if (body !== 'OK') return body;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error('no command handed out');
  };
  return { ...c, driver, req, commands };
}

t.test('authorised from the head: unknown SN and other addresses refused, counted', async (t) => {
  const { req, sink } = setup();
  t.equal((await req('GET', '/iclock/cdata?SN=NOPE&options=all')).status, 403);
  t.equal((await req('POST', '/iclock/cdata?SN=ZK1&table=ATTLOG', 'x', '10.0.0.66')).status, 403);
  t.equal((await req('GET', '/iclock/getrequest')).status, 403, 'no SN at all');
  t.same(
    sink.rejects.map((r) => [r.readerId, r.reason]),
    [
      ['zkteco:NOPE', 'unknown_reader'],
      ['ZK1', 'unknown_reader'],
      ['zkteco:?', 'unknown_reader'],
    ],
  );
  t.match(sink.rejects[1]?.detail, /from 10\.0\.0\.66, not 10\.0\.0\.9/);
  t.equal(sink.reads.length, 0);
});

t.test('handshake: options and the gateway’s clock; ATTLOG OK: <n> once on disk', async (t) => {
  const { req, sink, clock, driver } = setup();
  const hs = await req('GET', '/iclock/cdata?SN=ZK1&options=all&pushver=2.4.1&language=83');
  t.equal(hs.status, 200);
  t.match(String(hs.body), /^GET OPTION FROM: ZK1\n[\s\S]*TimeZone=8\n[\s\S]*Realtime=1/);
  t.match(String(hs.body), /Delay=5/);
  t.equal(hs.headers?.date, new Date(clock.now()).toUTCString(), 'Date is the gateway clock');
  t.equal(sink.online('ZK1'), true);

  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  const reads: CredentialRead[] = [];
  sink.submit = async (r) => {
    reads.push(r);
    await held;
  };
  // 08:00:00 is the session's start (ManualClock); 07:59:50 is from the terminal's buffer.
  const body =
    'F-R00001\t2026-05-01 08:00:01\t0\t15\t0\nF-R00003\t2026-05-01 07:59:50\t0\t15\t0\nbroken line\n';
  let answered = false;
  const reply = req('POST', '/iclock/cdata?SN=ZK1&table=ATTLOG&Stamp=9999', body).then((r) => {
    answered = true;
    return r;
  });
  await new Promise((r) => setImmediate(r));
  t.notOk(answered, 'no OK before the reads are on disk');
  release();
  const r = await reply;
  t.same([r.status, r.body], [200, 'OK: 3'], 'OK: <n> counts every line, the refused one too');
  t.match(reads, [
    { recordId: 'att-F-R00001-20260501080001-15', offline: false, credential: { personId: 'F-R00001' } },
    { recordId: 'att-F-R00003-20260501075950-15', offline: true },
  ]);
  t.match(sink.rejects, [{ readerId: 'ZK1', reason: 'bad_field' }]);

  sink.submit = async () => {
    throw new GatewayError('STORE', 'disk full');
  };
  const failed = await req(
    'POST',
    '/iclock/cdata?SN=ZK1&table=ATTLOG',
    'F-R00001\t2026-05-01 08:00:02\t0\t15\n',
  );
  t.equal(failed.status, 503, 'not on disk: not OK, the terminal sends it again');

  const big = await req('POST', '/iclock/cdata?SN=ZK1&table=ATTLOG', Buffer.alloc(3 * 1024 * 1024, 0x31));
  t.equal(big.status, 413, 'an oversize upload is refused before it is buffered');
  t.match(driver.stats('ZK1'), { handshakes: 1, records: 2, offlineRecords: 1, badLines: 1 });
});

t.test('ATTPHOTO joins its record', async (t) => {
  const { req, sink } = setup();
  await req('GET', '/iclock/cdata?SN=ZK1&options=all');
  const up = Buffer.concat([
    Buffer.from('PIN=20260501080005-F-R00001.jpg\nSN=ZK1\nsize=3003\nCMD=uploadphoto\n'),
    photo.data,
  ]);
  t.same((await req('POST', '/iclock/cdata?SN=ZK1&table=ATTPHOTO', up)).body, 'OK');
  await req('POST', '/iclock/cdata?SN=ZK1&table=ATTLOG', 'F-R00001\t2026-05-01 08:00:05\t0\t15\n');
  t.same(sink.reads[0]?.image?.data, photo.data);
  await req('POST', '/iclock/cdata?SN=ZK1&table=ATTPHOTO', Buffer.from('junk'));
  t.match(sink.rejects, [{ reason: 'bad_image' }]);
});

t.test('commands: queued, handed out on poll, matched by id; a refused photo removes the user', async (t) => {
  const { req, driver, commands } = setup();
  const p = driver.provisioning;
  await t.rejects(p.put('ZK1', { key: 'F-1', photo }), { code: 'READER_OFFLINE' });
  await req('GET', '/iclock/cdata?SN=ZK1&options=all');
  t.same((await req('GET', '/iclock/getrequest?SN=ZK1')).body, 'OK', 'idle: OK');
  const put = p.put('ZK1', { key: 'F-1', name: '张伟', photo, cards: ['04A1B2C3'] });
  const poll = String((await req('GET', '/iclock/getrequest?SN=ZK1&INFO=Ver%208,0,0,0')).body);
  const lines = poll.split('\n');
  t.equal(lines.length, 2);
  t.match(lines[0], /^C:(\d+):DATA UPDATE USERINFO PIN=F-1\tName=张伟\tPrivilege=0\tCard=77705923$/);
  t.match(lines[1], /^C:(\d+):DATA UPDATE BIOPHOTO PIN=F-1\tType=9\tSize=\d+\tContent=\/9j\/.*\tFormat=0$/);
  const ids = lines.map((l) => l.split(':')[1]);
  t.same((await req('GET', '/iclock/getrequest?SN=ZK1')).body, 'OK', 'a command is handed out once');
  await req(
    'POST',
    '/iclock/devicecmd?SN=ZK1',
    `ID=${ids[0]}&Return=0&CMD=DATA\nID=${ids[1]}&Return=0&CMD=DATA`,
  );
  t.same(await put, { ok: true });

  const refused = p.put('ZK1', { key: 'F-2', photo });
  const two = (await commands()).split('\n').map((l) => l.split(':')[1]);
  await req(
    'POST',
    '/iclock/devicecmd?SN=ZK1',
    `ID=${two[0]}&Return=0&CMD=DATA\nID=${two[1]}&Return=-1&CMD=DATA`,
  );
  const del = await commands();
  t.match(del, /^C:\d+:DATA DELETE USERINFO PIN=F-2$/, 'the user of the refused photo is deleted');
  await req('POST', '/iclock/devicecmd?SN=ZK1', `ID=${del.split(':')[1]}&Return=0&CMD=DATA`);
  t.same(await refused, {
    ok: false,
    code: 'photo_refused',
    vendorCode: '-1',
    message: 'BIOPHOTO Return=-1: the terminal refused the photo',
  });

  const rm = p.remove('ZK1', 'F-1');
  const d = await commands();
  await req(
    'POST',
    '/iclock/devicecmd?SN=ZK1',
    `ID=${d.split(':')[1]}&Return=-1002&CMD=DATA\nID=999&Return=0\nID=zz`,
  );
  t.match(await rm, { ok: false, code: 'bad_person', vendorCode: '-1002' });
  t.match(driver.stats('ZK1'), { resultsUnmatched: 1, badResults: 1 });

  await req('GET', '/iclock/cdata?SN=ZK2&options=all', undefined, '10.0.0.10');
  t.match(await p.put('ZK2', { key: 'F-1', photo }), { ok: false, code: 'bad_key', message: /digits/ });
  driver.command('ZK1', { id: 'c', event: 'e', action: 'unlock' });
  t.match(driver.stats('ZK1'), { answersUnlock: 1 });
});

t.test('drift: the record unless the count disagrees; then the listing, administrators kept', async (t) => {
  const { req, driver, commands } = setup();
  const p = driver.provisioning;
  await req('GET', '/iclock/cdata?SN=ZK1&options=all');
  await req('GET', '/iclock/getrequest?SN=ZK1&INFO=Ver%208,1,0,0');
  t.same(await p.drift('ZK1', ['F-1'], ['F-1']), { orphans: [], missing: [] }, 'count 1 = record 1: trusted');
  await req('GET', '/iclock/getrequest?SN=ZK1&INFO=Ver%208,3,0,0');
  const drift = p.drift('ZK1', ['F-1', 'F-2'], ['F-1']);
  const q = await commands();
  t.match(q, /^C:\d+:DATA QUERY USERINFO$/);
  await req(
    'POST',
    '/iclock/cdata?SN=ZK1&table=OPERLOG',
    'USER PIN=F-1\tPri=0\nUSER PIN=F-9\tPri=0\nUSER PIN=boss\tPri=14\n',
  );
  await req('POST', '/iclock/devicecmd?SN=ZK1', `ID=${q.split(':')[1]}&Return=0&CMD=DATA`);
  t.same(await drift, { orphans: ['F-9'], missing: ['F-2'] }, 'the administrator is never an orphan');
});

t.test('config mistakes', async (t) => {
  const c = makeContext([
    { id: 'A', door: 'x', options: { sn: 'S', address: '10.0.0.1' } },
    { id: 'B', door: 'x', options: { sn: 'S', address: '10.0.0.2' } },
  ]);
  t.throws(() => createZktecoDriver(c.ctx), { code: 'CONFIG_READER', message: /also reader A/ });
  t.match(createZktecoDriver.checkOptions?.({}), [{ field: 'sn' }, { field: 'address' }]);
  t.match(createZktecoDriver.checkOptions?.({ sn: 'S', address: '10.0.0.1', pin: 'hex' }), [
    { field: 'pin' },
  ]);
  t.same(createZktecoDriver.checkOptions?.({ sn: 'S', address: '10.0.0.1', timeZone: '+05:30' }), []);
});
