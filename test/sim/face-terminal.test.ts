import t from 'tap';
import { cosine, decodeEmbedding, encodeEmbedding, personEmbedding } from '../../sim/embedding.js';
import { FaceTerminal } from '../../sim/face-terminal.js';
import { faceImage } from '../../sim/images.js';
import { until } from '../../testkit/gateway.js';
import { startResponder } from './responder.js';
import { TcpProxy } from './tcp-proxy.js';

const FACE = { type: 'face', face: { personId: 'F-H0001-1', score: 0.93, liveness: true } } as const;

t.test('events parse with the production parser; commands come back with their latency', async (t) => {
  const r = await startResponder();
  const term = new FaceTerminal({ url: r.url, readerId: 'T1', clockSkewMs: -1500 });
  t.teardown(async () => {
    await term.stop();
    await r.broker.stop();
  });
  await term.start();
  await until(() => (r.statuses.get('T1')?.length ?? 0) > 0, 5000, 'status');
  const status = r.statuses.get('T1')?.[0];
  t.equal(status?.online, true, 'announces itself online');
  t.equal(status?.firmware, 'sim-1.0');
  t.ok(Math.abs((status?.ts ?? 0) - (Date.now() - 1500)) < 1000, 'status carries the skewed clock');

  const answered = new Promise<[string, number | null]>((resolve) =>
    term.once('command', (cmd, latency) => resolve([cmd.event, latency])),
  );
  const image = await faceImage(3);
  const a = term.present(FACE, { image });
  t.match(a.id, /^T1-\d+$/, 'id is reader-number');
  t.equal(a.buffered, false);
  const [event, latency] = await answered;
  t.equal(event, a.id, 'the command answers the event');
  t.ok(latency !== null && latency >= 0 && latency < 2000, `latency recorded (${latency?.toFixed(2)} ms)`);

  const emb = personEmbedding(1, 'S0001');
  term.present({
    type: 'face',
    face: { personId: null, score: 0.4, liveness: true, embedding: encodeEmbedding(emb) },
  });
  term.present({ type: 'card', card: { uid: '04A1B2C3' } });
  term.present({
    type: 'idcard',
    idcard: { number: '11010519491231002X', name: '张三', validUntil: '2030-01-01' },
  });
  await term.idle();
  await until(() => term.stats().commands === 4, 5000, 'four commands');

  t.same(r.rejects, [], 'no event rejected by parseEvent');
  t.equal(r.reads.length, 4);
  const [face, stranger, card, idcard] = r.reads;
  t.equal(face?.image?.mime, 'image/jpeg', 'the snapshot arrives as a JPEG');
  t.ok(Math.abs((face?.ts ?? 0) - (Date.now() - 1500)) < 2000, 'ts is on the terminal clock');
  t.ok(
    stranger?.credential.type === 'face' &&
      stranger.credential.embedding &&
      cosine(stranger.credential.embedding, emb) > 0.9999,
    'the embedding survives the trip',
  );
  t.same(card?.credential, { type: 'card', uid: '04A1B2C3' });
  t.equal(idcard?.credential.type, 'idcard');
  t.ok(r.reads.every((x) => !x.offline));
  t.same(term.stats().unlock, 2, 'face and card unlocked');
  t.same(term.stats().deny, 2, 'stranger and ID card denied');
  for (const read of r.reads) t.equal(term.commandCount(read.recordId), 1, `${read.recordId} answered once`);
  t.equal(term.latencies().length, 4);
  t.equal(term.stats().duplicateCommands, 0);
});

t.test('a duplicate command is counted, an unknown one too, junk ignored', async (t) => {
  const r = await startResponder();
  const term = new FaceTerminal({ url: r.url, readerId: 'T2' });
  t.teardown(async () => {
    await term.stop();
    await r.broker.stop();
  });
  await term.start();
  const { id } = term.present(FACE);
  await until(() => term.commandCount(id) === 1, 5000, 'first answer');
  const topic = 'acs/v1/readers/T2/commands';
  r.broker.publish(topic, JSON.stringify({ id: 'c-x', event: id, action: 'unlock' }), { qos: 1 });
  r.broker.publish(topic, JSON.stringify({ id: 'c-y', event: 'nobody', action: 'deny' }), { qos: 1 });
  r.broker.publish(topic, 'not json', { qos: 1 });
  await until(() => term.stats().badCommands === 1 && term.stats().commands === 3, 5000, 'commands');
  t.equal(term.commandCount(id), 2);
  t.equal(term.stats().duplicateCommands, 1);
  t.equal(term.stats().unmatchedCommands, 1);
  t.equal(term.latencies().length, 1, 'latency taken from the first answer only');
});

t.test('publishRaw sends bytes as they are', async (t) => {
  const r = await startResponder();
  const term = new FaceTerminal({ url: r.url, readerId: 'T3' });
  t.teardown(async () => {
    await term.stop();
    await r.broker.stop();
  });
  await term.start();
  await term.publishRaw('this is not json');
  await term.publishRaw(
    JSON.stringify({ ts: '2026-05-01T07:30:12.345+08:00', type: 'card', card: { uid: '04' } }),
  );
  t.same(
    r.rejects.map((x) => x.reason),
    ['not_json', 'missing_id'],
  );
  t.equal(term.stats().commands, 0);
});

t.test(
  'offline: reads are buffered while the broker is unreachable, replayed with offline:true',
  async (t) => {
    const r = await startResponder();
    const proxy = new TcpProxy(r.broker.port);
    const port = await proxy.up();
    const term = new FaceTerminal({
      url: `mqtt://127.0.0.1:${port}`,
      readerId: 'T4',
      reconnectPeriodMs: 100,
    });
    t.teardown(async () => {
      await term.stop();
      await proxy.down();
      await r.broker.stop();
    });
    await term.start();
    const live = term.present(FACE);
    await until(() => term.commandCount(live.id) === 1, 5000, 'live answer');

    const gone = new Promise<void>((resolve) => term.once('disconnect', () => resolve()));
    await proxy.down();
    await gone;
    t.equal(term.connected, false);
    // The broker noticed the dead socket and published the will.
    await until(() => r.statuses.get('T4')?.at(-1)?.online === false, 5000, 'will');

    const before = Date.now();
    const buffered = [
      term.present(FACE),
      term.present({ type: 'card', card: { uid: 'DEADBEEF' } }),
      term.present(FACE),
    ];
    t.ok(
      buffered.every((b) => b.buffered),
      'buffered while offline',
    );
    t.equal(term.bufferedCount, 3);

    await proxy.up();
    await until(() => r.reads.length === 4, 10_000, 'replay');
    await term.idle();
    const replayed = r.reads.slice(1);
    t.same(
      replayed.map((x) => x.recordId),
      buffered.map((b) => b.id),
      'replayed in order, same ids',
    );
    t.ok(
      replayed.every((x) => x.offline),
      'marked offline:true',
    );
    t.ok(
      replayed.every((x) => x.ts >= before - 100 && x.ts < before + 1000),
      'stamped when presented, not when sent',
    );
    t.equal(r.statuses.get('T4')?.at(-1)?.online, true, 'back online');
    // A live read after the replays: the responder answers in order, so once its command
    // is here, any command for a replay would have come before it.
    const after = term.present(FACE);
    await term.expect((c) => c.event === after.id, 5000, 'the answer to a live read after the replay');
    t.ok(
      buffered.every((b) => term.commandCount(b.id) === 0),
      'replays get no door command',
    );
    t.equal(term.stats().replayed, 3);
    t.equal(term.bufferedCount, 0);
    t.same(r.rejects, []);
  },
);

t.test('kill() fires the will; stop() says goodbye', async (t) => {
  const r = await startResponder();
  const a = new FaceTerminal({ url: r.url, readerId: 'TA' });
  const b = new FaceTerminal({ url: r.url, readerId: 'TB' });
  t.teardown(async () => {
    await a.stop();
    await b.stop();
    await r.broker.stop();
  });
  await a.start();
  await b.start();
  await a.kill();
  await b.stop();
  await until(() => r.statuses.get('TA')?.at(-1)?.online === false, 5000, 'will of TA');
  await until(() => r.statuses.get('TB')?.at(-1)?.online === false, 5000, 'goodbye of TB');
  t.equal(r.statuses.get('TA')?.at(-1)?.ts, undefined, 'TA: the will, fixed at connect, has no time');
  t.type(r.statuses.get('TB')?.at(-1)?.ts, 'number', 'TB: a goodbye stamped on leaving');
});

t.test('embedding helpers', async (t) => {
  const v = personEmbedding(7, 'R1');
  t.equal(v.length, 128);
  t.ok(Math.abs(cosine(v, v) - 1) < 1e-6);
  t.same([...decodeEmbedding(encodeEmbedding(v))], [...v], 'base64 round trip');
  t.equal(Buffer.from(encodeEmbedding(v), 'base64').readFloatLE(4), v[1], 'little-endian float32');
  t.ok(Math.abs(cosine(v, personEmbedding(7, 'R2'))) < 0.5, 'two people differ');
});
