import t from 'tap';
import type { CredentialRead } from '../../../core/contracts.js';
import { GatewayError } from '../../../core/errors.js';
import type { LibraryEntry } from '../../../core/provisioning.js';
import { createMqttFaceDriver, type MqttFaceDriver } from '../../../drivers/mqtt-face/driver.js';
import { makeContext } from '../../../testkit/drivers/context.js';
import { FakeBus } from '../../../testkit/fake-bus.js';

// Issue 11, the mqtt-face driver without a broker: Online answered Online-Ack, a record
// PushAck'ed only once the sink has it on disk, records from the buffer kept apart, a
// terminal speaking only for itself, Unlock for a granted live read; its provisioner
// batches EditPersonsNew with picURI served to the terminal alone, paces EditPerson,
// batches DeletePersons and maps the vendor's codes per person.

const TOPIC = 'mqtt/face/SN-MF1';
const photo = (n: number) => ({
  mime: 'image/jpeg',
  data: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(2000, n)]),
});
const entry = (key: string, n = 1): LibraryEntry => ({ key, name: `人${n}`, photo: photo(n), cards: [] });

function setup(options: Record<string, unknown> = {}) {
  const bus = new FakeBus();
  const c = makeContext([
    { id: 'MF1', door: 'B01-U1', options: { facesluiceId: 'SN-MF1', ...options } },
    { id: 'MF2', door: 'B01-U1', options: { facesluiceId: 'SN-MF2' } },
  ]);
  c.ctx.bus = bus;
  const driver = createMqttFaceDriver(c.ctx) as MqttFaceDriver;
  return { ...c, bus, driver };
}

const online = {
  operator: 'Online',
  messageId: 'on-7',
  info: { facesluiceId: 'SN-MF1', time: '2026-05-01 07:00:00' },
};
const rec = (id: string, time: string, extra: Record<string, unknown> = {}) => ({
  operator: 'RecPush',
  messageId: `m-${id}`,
  info: {
    customId: 'F-R00001',
    RecordID: id,
    VerifyStatus: '1',
    similarity1: '93.5',
    time,
    facesluiceId: 'SN-MF1',
    ...extra,
  },
});

t.test('Online → Online-Ack and ready; a record PushAck’ed only once on disk', async (t) => {
  const { bus, driver, sink } = setup();
  const ready: string[] = [];
  driver.provisioning.onReady((id) => ready.push(id));
  await bus.deliver('mqtt/face/basic', online, { username: 'MF1' });
  t.same(bus.sent(TOPIC), [
    { messageId: 'on-7', operator: 'Online-Ack', info: { facesluiceId: 'SN-MF1', result: 'ok' } },
  ]);
  t.equal(sink.online('MF1'), true);
  t.same(ready, ['MF1']);

  // The sink holds the read: no PushAck until it resolves.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  const reads: CredentialRead[] = [];
  sink.submit = async (r) => {
    reads.push(r);
    await held;
  };
  const delivered = bus.deliver(`${TOPIC}/Rec`, rec('345', '2026-05-01 07:30:12'));
  await new Promise((r) => setImmediate(r));
  t.equal(bus.sent(TOPIC).length, 1, 'no PushAck while the read is not on disk');
  release();
  await delivered;
  t.same(bus.sent(TOPIC)[1], {
    operator: 'PushAck',
    messageId: 'm-345',
    info: { facesluiceId: 'SN-MF1', PushAckType: 2, SnapOrRecordID: '345' },
  });
  t.match(reads[0], {
    readerId: 'MF1',
    recordId: 'rec-345',
    ts: Date.parse('2026-05-01T07:30:12+08:00'),
    offline: false,
    credential: { type: 'face', personId: 'F-R00001', score: 0.935 },
  });

  // Stamped before its session began: from its buffer, recorded and never answered.
  sink.submit = async (r) => void reads.push(r);
  await bus.deliver(`${TOPIC}/Rec`, rec('344', '2026-05-01 06:59:00'));
  t.equal(reads[1]?.offline, true, 'before the Online: offline');
  await bus.deliver(`${TOPIC}/Rec`, rec('346', '2026-05-01 07:31:00', { Sendintime: '0' }));
  t.equal(reads[2]?.offline, true, 'Sendintime 0: offline');
  await bus.deliver(`${TOPIC}/Snap`, {
    operator: 'StrSnapPush',
    info: { SnapID: '9', time: '2026-05-01 07:32:00' },
  });
  t.match(reads[3], { recordId: 'snap-9', credential: { personId: null } });
  t.match(bus.sent(TOPIC).at(-1), { operator: 'PushAck', info: { PushAckType: 1, SnapOrRecordID: '9' } });
  t.match(driver.stats('MF1'), { records: 2, offlineRecords: 2, pushAcks: 4, onlineAcks: 1 });
});

t.test('a store failure: no PushAck, so the terminal pushes it again', async (t) => {
  const { bus, sink } = setup();
  await bus.deliver('mqtt/face/basic', online);
  sink.submit = async () => {
    throw new GatewayError('STORE', 'disk full');
  };
  await bus.deliver(`${TOPIC}/Rec`, rec('1', '2026-05-01 07:30:12')).catch(() => undefined);
  t.notOk(bus.sent(TOPIC).some((m) => m.operator === 'PushAck'));
});

t.test('a terminal speaks for itself only; junk is counted and changes nothing', async (t) => {
  const { bus, sink } = setup();
  await bus.deliver(`${TOPIC}/Rec`, rec('1', '2026-05-01 07:30:12'), { username: 'MF2' });
  await bus.deliver('mqtt/face/basic', { ...online, info: { ...online.info } }, { username: 'MF2' });
  await bus.deliver(`${TOPIC}/Rec`, rec('2', '2026-05-01 07:30:12', { facesluiceId: 'SN-MF2' }));
  await bus.deliver('mqtt/face/basic', { operator: 'Online', info: { facesluiceId: 'SN-NOBODY' } });
  await bus.deliver(`${TOPIC}/Rec`, 'not json');
  await bus.deliver('mqtt/face/heartbeat', '{"operator":"HeartBeat","info":{"facesluiceId":"SN-MF1"');
  await bus.deliver(`${TOPIC}/Rec`, rec('3', '2026-05-01 07:30:12', { pic: 'data:image/jpeg;base64,AAAA' }));
  t.same(
    sink.rejects.map((r) => [r.readerId, r.reason]),
    [
      ['MF1', 'bad_field'],
      ['MF1', 'bad_field'],
      ['MF1', 'bad_field'],
      ['mqtt-face:SN-NOBODY', 'unknown_reader'],
      ['MF1', 'not_json'],
      ['MF1', 'not_json'],
      ['MF1', 'bad_image'],
    ],
  );
  t.match(sink.rejects[0]?.detail, /published by MF2, not by MF1/);
  t.same(
    sink.reads.map((r) => [r.recordId, r.image]),
    [['rec-3', undefined]],
    'a bad picture drops only the picture',
  );
  t.equal(bus.errors.length, 0, 'nothing thrown into the broker');
});

t.test('Unlock for a granted live read; no deny in this protocol', async (t) => {
  const { bus, driver } = setup();
  driver.command('MF1', { id: 'c-1', event: 'rec-1', action: 'unlock', message: '欢迎回家' });
  driver.command('MF1', { id: 'c-2', event: 'rec-2', action: 'deny', message: '未登记' });
  const sent = bus.sent(TOPIC);
  t.match(sent, [
    { operator: 'Unlock', info: { facesluiceId: 'SN-MF1', openDoor: '1', Showinfo: '欢迎回家' } },
  ]);
  t.equal(sent.length, 1);
  t.match(bus.published[0]?.opts, { qos: 0, maxAgeMs: 10_000, shard: 'MF1' });
});

t.test('EditPersonsNew in a batch, picURI served to the terminal alone, per-person codes', async (t) => {
  const { bus, driver, ingress } = setup({
    photoUrl: 'http://10.0.0.2:8090',
    address: '10.0.0.50',
    batch: 10,
  });
  const p = driver.provisioning;
  t.equal(p.window, 10);
  await bus.deliver('mqtt/face/basic', online);
  const outs = Promise.all([
    p.put('MF1', entry('F-1', 1)),
    p.put('MF1', entry('F-2', 2)),
    p.put('MF1', entry('F-3', 3)),
  ]);
  const msg = await bus.next(TOPIC, 1);
  t.match(msg, { operator: 'EditPersonsNew', DataBegin: 'BeginFlag', DataEnd: 'EndFlag', PersonNum: '3' });
  const info = msg.info as Array<{ customId: string; name: string; picURI: string; tempValid: number }>;
  t.same(
    info.map((x) => x.customId),
    ['F-1', 'F-2', 'F-3'],
  );
  t.equal(info[0]?.tempValid, 0);
  const uri = new URL(info[0]?.picURI ?? '');
  t.equal(uri.origin, 'http://10.0.0.2:8090');
  const fetched = await ingress.request('GET', uri.pathname, { remoteAddress: '10.0.0.50' });
  t.equal(fetched.status, 200);
  t.same(fetched.body, photo(1).data, 'the photo, served from memory');
  t.equal(
    (await ingress.request('GET', uri.pathname, { remoteAddress: '10.0.0.51' })).status,
    404,
    'not to anyone else',
  );
  t.equal(
    (await ingress.request('GET', '/mqtt-face/photos/../../secrets.yaml', { remoteAddress: '10.0.0.50' }))
      .status,
    404,
  );
  await bus.deliver(`${TOPIC}/Ack`, {
    operator: 'AddPersons-Ack',
    messageId: msg.messageId,
    code: '200',
    info: {
      AddErrNum: '2',
      AddSucNum: '1',
      AddErrInfo: [
        { customId: 'F-2', errcode: '464' },
        { customId: 'F-3', errcode: 478 },
      ],
    },
  });
  t.same(await outs, [
    { ok: true },
    { ok: false, code: 'face_quality_low', vendorCode: '464', message: '464 face feature extraction failed' },
    {
      ok: false,
      code: 'face_too_similar',
      vendorCode: '478',
      message: '478 too similar to an enrolled face',
    },
  ]);
  // A batch refused whole (busy): each person gets the code, so the next run retries.
  const from = bus.published.length;
  const again = p.put('MF1', entry('F-4', 4));
  const m2 = await bus.next(TOPIC, from);
  await bus.deliver(`${TOPIC}/Ack`, {
    operator: 'AddPersons-Ack',
    messageId: m2.messageId,
    code: '410',
    info: {},
  });
  t.match(await again, { ok: false, code: 'terminal_busy', vendorCode: '410' });
});

t.test('DeletePersons in batches; a person already gone is success', async (t) => {
  const { bus, driver } = setup();
  await bus.deliver('mqtt/face/basic', online);
  const p = driver.provisioning;
  const outs = Promise.all(['F-1', 'F-2', 'F-3'].map((k) => p.remove('MF1', k)));
  const msg = await bus.next(TOPIC, 1);
  t.match(msg, { operator: 'DeletePersons', info: { customId: ['F-1', 'F-2', 'F-3'] } });
  await bus.deliver(`${TOPIC}/Ack`, {
    operator: 'DeletePersons-Ack',
    messageId: msg.messageId,
    code: '200',
    info: {
      DelErrInfo: [
        { customId: 'F-2', errcode: '461' },
        { customId: 'F-3', errcode: '410' },
      ],
    },
  });
  t.same(await outs, [
    { ok: true },
    { ok: true },
    { ok: false, code: 'terminal_busy', vendorCode: '410', message: '410 busy' },
  ]);
});

t.test('EditPerson without a photo URL: one at a time, at least 1 s apart', async (t) => {
  const { bus, driver } = setup();
  await bus.deliver('mqtt/face/basic', online);
  const p = driver.provisioning;
  t.equal(p.window, 1);
  const answer = async (from: number) => {
    const m = await bus.next(TOPIC, from);
    t.match(m, {
      operator: 'EditPerson',
      info: { facesluiceId: 'SN-MF1', pic: /^data:image\/jpeg;base64,\/9j/ },
    });
    await bus.deliver(`${TOPIC}/Ack`, { operator: 'EditPerson-Ack', messageId: m.messageId, code: '200' });
  };
  const first = p.put('MF1', entry('F-1'));
  await answer(1);
  t.same(await first, { ok: true });
  const second = p.put('MF1', entry('F-2'));
  await answer(2);
  t.same(await second, { ok: true });
  const [a, b] = bus.published.filter((x) => x.payload.includes('EditPerson'));
  t.ok((b?.at ?? 0) - (a?.at ?? 0) >= 990, `paced: ${(b?.at ?? 0) - (a?.at ?? 0)} ms apart`);
});

t.test('offline, timeouts and config mistakes', async (t) => {
  const { bus, driver } = setup({ ackTimeoutMs: 1000 });
  const p = driver.provisioning;
  await t.rejects(
    p.put('MF1', entry('F-1')),
    { code: 'READER_OFFLINE' },
    'nothing is sent to an offline terminal',
  );
  await bus.deliver('mqtt/face/basic', online);
  await t.rejects(p.put('MF1', entry('F-1')), { code: 'TIMEOUT' }, 'an unanswered message ends the run');
  const pending = p.put('MF1', entry('F-2'));
  await bus.deliver('mqtt/face/basic', { operator: 'Offline', info: { facesluiceId: 'SN-MF1' } });
  await t.rejects(pending, { code: 'READER_OFFLINE' }, 'the will fails what waits');
  t.match(await p.put('MF1', { ...entry('x'.repeat(49)) }), { ok: false, code: 'bad_key' });
  t.match(await p.put('MF1', { key: 'F-9' }), { ok: false, code: 'no_photo' });

  const c = makeContext([
    { id: 'A', door: 'B01-U1', options: { facesluiceId: 'SAME' } },
    { id: 'B', door: 'B01-U1', options: { facesluiceId: 'SAME' } },
  ]);
  c.ctx.bus = new FakeBus();
  t.throws(() => createMqttFaceDriver(c.ctx), { code: 'CONFIG_READER', message: /also reader A/ });
  t.match(createMqttFaceDriver.checkOptions?.({ photoUrl: 'http://10.0.0.2:8090' }), [{ field: 'address' }]);
  t.match(createMqttFaceDriver.checkOptions?.({ timeZone: '8' }), [{ field: 'timeZone' }]);
  t.match(createMqttFaceDriver.checkOptions?.({ facesluiceid: 'x' }), [
    { field: 'facesluiceid', message: /unknown option/ },
  ]);
  t.same(createMqttFaceDriver.checkOptions?.({ facesluiceId: 'SN-1', timeZone: '+07:00' }), []);
  t.same(createMqttFaceDriver.mqttTopics?.({ id: 'MF1', door: 'x', options: { facesluiceId: 'SN-MF1' } }), {
    publish: ['mqtt/face/SN-MF1/+', 'mqtt/face/basic', 'mqtt/face/heartbeat'],
    subscribe: ['mqtt/face/SN-MF1'],
  });
});
