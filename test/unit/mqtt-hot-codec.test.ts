import mqttPacket, { type Packet } from 'mqtt-packet';
import t from 'tap';
import {
  decodePuback,
  decodePublish,
  encodePuback,
  encodePublish,
  MqttFramer,
} from '../../gateway/mqtt/hot-codec.js';

// The hand codec of the hot path (issue 15) must write the bytes mqtt-packet writes and
// read what mqtt-packet reads; mqtt-packet is the reference for every case here.

const generate = (p: Packet, v: 4 | 5) => mqttPacket.generate(p, { protocolVersion: v });

function parseAll(bytes: Buffer, v: 4 | 5): Packet[] {
  const out: Packet[] = [];
  const parser = mqttPacket.parser({ protocolVersion: v });
  parser.on('packet', (p: Packet) => out.push(p));
  parser.on('error', (e: Error) => {
    throw e;
  });
  parser.parse(bytes);
  return out;
}

const topics = ['acs/v1/L1/cmd', '门/读卡器/1', 'x'.repeat(300)];
const payloads = [Buffer.alloc(0), Buffer.from('{"a":1}'), Buffer.alloc(200, 7), Buffer.alloc(20_000, 9)];

t.test('PUBLISH: the same bytes as mqtt-packet, and mqtt-packet reads ours back', async (t) => {
  for (const v of [4, 5] as const)
    for (const topic of topics)
      for (const payload of payloads)
        for (const qos of [0, 1, 2] as const)
          for (const retain of [false, true])
            for (const dup of [false, true]) {
              const messageId = qos > 0 ? 513 : undefined;
              const ours = encodePublish(topic, payload, qos, retain, dup, messageId, v);
              const ref = generate({ cmd: 'publish', topic, payload, qos, retain, dup, messageId }, v);
              if (!ours.equals(ref)) {
                t.fail(
                  `v${v} qos ${qos} retain ${retain} dup ${dup} topic ${topic.length} payload ${payload.length}`,
                );
                return;
              }
              const [back] = parseAll(ours, v) as [mqttPacket.IPublishPacket];
              t.equal(back.topic, topic);
              t.ok(Buffer.from(back.payload).equals(payload));
            }
});

t.test('PUBLISH decoded like mqtt-packet decodes it', async (t) => {
  for (const v of [4, 5] as const)
    for (const qos of [0, 1, 2] as const)
      for (const retain of [false, true]) {
        const payload = Buffer.from('{"event":"credential"}');
        const frame = generate(
          { cmd: 'publish', topic: 'acs/v1/L7/event', payload, qos, retain, dup: qos > 0, messageId: 65535 },
          v,
        );
        const ref = parseAll(frame, v)[0] as mqttPacket.IPublishPacket;
        const bodyAt = 1 + ((frame[1] as number) >= 128 ? 2 : 1);
        const ours = decodePublish(frame, bodyAt, v);
        t.ok(ours, `v${v} qos ${qos}`);
        t.equal(ours?.topic, ref.topic);
        t.ok(ours?.payload.equals(Buffer.from(ref.payload)));
        t.equal(ours?.qos, ref.qos);
        t.equal(ours?.retain, ref.retain);
        t.equal(ours?.dup, ref.dup);
        t.equal(ours?.messageId, qos > 0 ? ref.messageId : undefined);
      }
});

t.test('a PUBLISH with MQTT 5 properties is left to mqtt-packet', async (t) => {
  const frame = generate(
    {
      cmd: 'publish',
      topic: 'a/b',
      payload: Buffer.from('x'),
      qos: 1,
      retain: false,
      dup: false,
      messageId: 3,
      properties: { subscriptionIdentifier: 7 },
    },
    5,
  );
  t.equal(decodePublish(frame, 2, 5), null);
});

t.test('PUBACK: the bytes mqtt-packet writes (reason code 0 omitted in MQTT 5), decoded back', async (t) => {
  for (const id of [1, 255, 256, 65535]) {
    t.ok(encodePuback(id).equals(generate({ cmd: 'puback', messageId: id }, 4)));
    t.ok(encodePuback(id).equals(generate({ cmd: 'puback', messageId: id, reasonCode: 0 }, 5)));
    t.equal(decodePuback(encodePuback(id), 2), id);
  }
  const withReason = generate({ cmd: 'puback', messageId: 9, reasonCode: 0x10 }, 5);
  t.equal(decodePuback(withReason, 2), null, 'a PUBACK with a reason code is left to mqtt-packet');
});

t.test('the framer cuts a stream into whole packets, however it is split', async (t) => {
  const packets = [
    generate(
      { cmd: 'publish', topic: 't/1', payload: Buffer.alloc(300, 1), qos: 1, messageId: 1 } as Packet,
      4,
    ),
    generate({ cmd: 'puback', messageId: 2 }, 4),
    generate({ cmd: 'pingresp' }, 4),
    generate({ cmd: 'publish', topic: 't/2', payload: Buffer.alloc(20_000, 2), qos: 0 } as Packet, 4),
  ];
  const stream = Buffer.concat(packets);
  for (const step of [1, 2, 3, 7, 129, 5000, stream.length]) {
    const got: Buffer[] = [];
    const f = new MqttFramer(
      (frame) => got.push(Buffer.from(frame)),
      (e) => t.fail(e.message),
    );
    for (let i = 0; i < stream.length; i += step) f.push(stream.subarray(i, i + step));
    t.same(
      got.map((b) => b.toString('hex')),
      packets.map((b) => b.toString('hex')),
      `chunks of ${step}`,
    );
  }
});

t.test('a framer told to stop returns the bytes it left, and goes on from them', async (t) => {
  const packets = Array.from({ length: 10 }, (_, k) =>
    generate(
      { cmd: 'publish', topic: 't/1', payload: Buffer.alloc(50, k), qos: 1, messageId: k + 1 } as Packet,
      4,
    ),
  );
  const stream = Buffer.concat(packets);
  for (const step of [7, 64, stream.length]) {
    const got: Buffer[] = [];
    const f = new MqttFramer(
      (frame) => got.push(Buffer.from(frame)),
      (e) => t.fail(e.message),
    );
    // A window of three packets: each push frames at most three more, the rest comes back.
    let room = 0;
    const more = () => room-- > 0;
    let rounds = 0;
    for (let i = 0; i < stream.length; i += step) {
      let rest: Buffer | null = stream.subarray(i, i + step);
      while (rest !== null) {
        room = 3;
        const before = got.length;
        rest = f.push(rest, more);
        t.ok(got.length - before <= 3, 'never more than the window');
        rounds++;
      }
    }
    t.same(
      got.map((b) => b.toString('hex')),
      packets.map((b) => b.toString('hex')),
      `every packet once, in order (chunks of ${step})`,
    );
    if (step === stream.length) t.equal(rounds, 4, 'ten packets, three at a time: four pushes');
  }
});

t.test('a remaining length of more than four bytes is malformed, and framing stops', async (t) => {
  const errors: string[] = [];
  const frames: Buffer[] = [];
  const f = new MqttFramer(
    (frame) => frames.push(frame),
    (e) => errors.push(e.message),
  );
  f.push(Buffer.from([0x30, 0xff, 0xff]));
  f.push(Buffer.from([0xff, 0xff, 0x01, 0x00]));
  f.push(generate({ cmd: 'pingresp' }, 4));
  t.same(errors, ['Invalid variable byte integer']);
  t.equal(frames.length, 0);
});

t.test('a string payload (a door command) is written as its UTF-8 bytes', async (t) => {
  const json = JSON.stringify({ action: 'unlock', note: '南门', durationMs: 3000 });
  for (const v of [4, 5] as const) {
    const ours = encodePublish('acs/v1/readers/L1/commands', json, 1, false, false, 77, v);
    const ref = generate(
      {
        cmd: 'publish',
        topic: 'acs/v1/readers/L1/commands',
        payload: Buffer.from(json),
        qos: 1,
        messageId: 77,
      } as Packet,
      v,
    );
    t.ok(ours.equals(ref), `v${v}`);
  }
});
