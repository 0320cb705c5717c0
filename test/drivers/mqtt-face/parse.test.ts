import t from 'tap';
import { MAX_PAYLOAD_BYTES, MAX_PICTURE_BYTES } from '../../../drivers/mqtt-face/constants.js';
import { num, parseTime, parseUplink } from '../../../drivers/mqtt-face/parse.js';
import { loadJsonFixtures } from '../../../testkit/drivers/json-fixtures.js';

// Issue 11, mqtt-face by table over fixtures: well-formed messages, odd firmware variants
// (persionName, numbers as numbers, ratios, epoch times, Sendintime), truncated and
// wrongly typed ones, and oversize pictures; a local time is read in the terminal's zone.

const ZONE = 8 * 3600_000;
const o = { zoneOffsetMs: ZONE, maxPictureBytes: MAX_PICTURE_BYTES };
const kindOf = (topic: string) => topic.slice(topic.lastIndexOf('/') + 1);

t.test('fixtures', async (t) => {
  const fixtures = loadJsonFixtures('mqtt-face', 'uplinks.jsonl');
  t.ok(fixtures.length >= 25, `${fixtures.length} fixtures`);
  for (const f of fixtures) {
    const m = parseUplink(kindOf(f.topic), f.payload, o);
    if (f.expect === 'valid') {
      t.notOk('reason' in m, `${f.name}: parsed (${'reason' in m ? m.detail : ''})`);
      if (f.want) t.match(m, f.want, `${f.name}: fields`);
    } else {
      t.match(m, { reason: f.expect }, `${f.name}: refused as ${f.expect}`);
      if ('reason' in m) t.ok(m.detail.length > 0, `${f.name}: says why (${m.detail})`);
    }
  }
});

t.test('pictures: kept when sound, dropped (record kept) when not, message too large refused', async (t) => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]);
  const rec = (pic: unknown) =>
    Buffer.from(
      JSON.stringify({
        operator: 'RecPush',
        info: { customId: 'F-1', RecordID: '1', similarity1: '90', time: '2026-05-01 07:30:12', pic },
      }),
    );
  const good = parseUplink('Rec', rec(`data:image/jpeg;base64,${jpeg.toString('base64')}`), o);
  t.same('record' in good && good.record.picture, jpeg, 'data URL picture decoded');
  const bare = parseUplink('Rec', rec(jpeg.toString('base64')), o);
  t.same('record' in bare && bare.record.picture, jpeg, 'bare base64 too');
  for (const [pic, problem] of [
    ['not base64!', /not base64/],
    [Buffer.alloc(100, 1).toString('base64'), /not a JPEG/],
    [Buffer.alloc(MAX_PICTURE_BYTES + 4096, 0xff).toString('base64'), /larger than/],
    [42, /not a string/],
  ] as const) {
    const m = parseUplink('Rec', rec(pic), { ...o, maxPictureBytes: MAX_PICTURE_BYTES });
    if ('reason' in m || m.kind !== 'record') {
      t.fail(`a bad picture refuses only the picture (${'reason' in m ? m.detail : m.kind})`);
      continue;
    }
    t.match(m.record.pictureProblem, problem);
    t.equal(m.record.picture, undefined);
    t.equal(m.record.recordId, 'rec-1', 'the record is kept');
  }
  const huge = Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20);
  t.match(parseUplink('Rec', huge, o), { reason: 'too_large' });
});

t.test('times and numbers as firmware writes them', async (t) => {
  t.equal(num('94.000000'), 94);
  t.equal(num(' 3 '), 3);
  t.equal(num(''), null);
  t.equal(num('x'), null);
  t.equal(num(Number.NaN), null);
  const at = Date.parse('2026-05-01T07:30:12+08:00');
  t.equal(parseTime('2026-05-01 07:30:12', ZONE), at, 'local, zone from config');
  t.equal(parseTime('2026-05-01 07:30:12', 7 * 3600_000), at + 3600_000, 'a terminal set to UTC+7');
  t.equal(parseTime('2026-05-01T07:30:12+08:00', 0), at, 'a zone in the string wins');
  t.equal(parseTime(at, ZONE), at, 'epoch ms');
  t.equal(parseTime(String(at / 1000), ZONE), at, 'epoch seconds as a string');
  for (const bad of ['2026-13-01 00:00:00', '2026-05-01 24:00:00', '2026-05-01', 'yesterday', null, {}, -5])
    t.equal(parseTime(bad, ZONE), null, `${JSON.stringify(bad)} is no time`);
});
