import t from 'tap';
import { systemClock } from '../../core/clock.js';
import type { Credential, CredentialRead } from '../../core/contracts.js';
import { DeviceRegistry } from '../../gateway/devices.js';
import { silentLogger } from '../../gateway/log.js';
import { Check, type Checked, isRejected } from '../../gateway/pipeline/check.js';
import { PersonCardCheck } from '../../gateway/pipeline/person-card.js';
import { RosterIndex } from '../../gateway/roster/roster-index.js';
import { openDb } from '../../gateway/store/db.js';
import { Store } from '../../gateway/store/store.js';
import { testConfig } from '../../testkit/config.js';
import { household, resident } from '../../testkit/pipeline.js';

// The check stage (issue 8): normalize → resolve → correlate → decide, one Checked value.

function rig(configure: (c: ReturnType<typeof testConfig>) => void = () => {}) {
  const config = testConfig();
  configure(config);
  const db = openDb(':memory:');
  const devices = new DeviceRegistry(Store.of(db), config.readers, {
    clock: systemClock,
    graceMs: 60_000,
    log: silentLogger(),
  });
  const roster = (faceKey: string) =>
    RosterIndex.fromSnapshot({
      buildings: [{ id: 'B01', name: '1号楼' }],
      entrances: [],
      households: [household('H1')],
      residents: [resident('R1', 'H1')],
      credentials: [{ kind: 'face', key: faceKey, residentId: 'R1' }],
    });
  const source = { index: roster('F1') };
  const check = new Check({
    config,
    roster: source,
    devices,
    personCard: new PersonCardCheck(10_000),
    idHashKey: 'ee'.repeat(32),
  });
  let n = 0;
  const run = (readerId: string, credential: Credential, over: Partial<CredentialRead> = {}) => {
    const reader = config.readers.find((r) => r.id === readerId);
    if (!reader) throw new Error(`no reader ${readerId}`);
    return check.check(
      {
        readerId,
        recordId: `r${++n}`,
        ts: Date.now() - 100,
        receivedAt: Date.now(),
        credential,
        offline: false,
        ...over,
      },
      reader,
    );
  };
  const checked = (r: ReturnType<typeof run>): Checked => {
    if (isRejected(r)) throw new Error(r.detail);
    return r;
  };
  return { check, source, run, checked, roster, close: () => db.close() };
}

const face = (personId: string | null): Credential => ({
  type: 'face',
  personId,
  score: 0.95,
  liveness: true,
});

t.test('a checked read carries its read, resolution, decision, door and no seq yet', async (t) => {
  const { run, checked, close } = rig();
  t.teardown(close);
  const c = checked(run('T-B01', face('F1')));
  t.match(c, {
    seq: 0,
    read: { readerId: 'T-B01', doorId: 'B01-U1', direction: 'in', key: 'F1' },
    resolution: { resident: { id: 'R1' }, household: { id: 'H1' } },
    decision: { outcome: 'granted', answer: 'unlock', reasons: ['ok'] },
    door: { id: 'B01-U1' },
    thumb: null,
  });
  const img = checked(run('T-B01', face('F1'), { image: { mime: 'image/jpeg', data: Buffer.from('x') } }));
  t.match(
    img.thumb,
    /^thumbs\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{20}\.(webp|jpg)$/,
    'a read with an image gets its thumbnail path',
  );
});

t.test('only entering ID-card, face and fingerprint reads take part in the person–card check', async (t) => {
  const { run, checked, close } = rig();
  t.teardown(close);
  t.not(checked(run('T-B01', face('F1'))).presentation, null, 'an entering face');
  t.equal(checked(run('T-GATE-OUT', face('F1'))).presentation, null, 'an exit');
  t.equal(checked(run('T-B01', { type: 'card', uid: 'AB12' })).presentation, null, 'an IC card');
});

t.test('a read from the far future is rejected, not checked', async (t) => {
  const { run, close } = rig();
  t.teardown(close);
  const r = run('T-B01', face('F1'), { ts: Date.now() + 3 * 86_400_000 });
  t.ok(isRejected(r));
  t.match(r, { ok: false, reason: 'future_ts', detail: /ahead of the gateway/ });
});

t.test('a new roster applies to the reads checked after the swap', async (t) => {
  const { source, run, checked, roster, close } = rig();
  t.teardown(close);
  const before = checked(run('T-B01', face('F9')));
  source.index = roster('F9');
  const after = checked(run('T-B01', face('F9')));
  t.same(after.decision.reasons, ['ok']);
  t.same(before.decision.reasons, ['unknown_person'], 'the earlier read keeps its decision');
});

t.test(
  'a live read without an image at a door with a camera waits for its snapshot; no other read has the field',
  async (t) => {
    const { run, checked, close } = rig((c) => {
      const door = c.doors.find((d) => d.id === 'B01-U1');
      if (!door) throw new Error('no door B01-U1');
      door.camera = 'CAM-B01';
    });
    t.teardown(close);
    const live = checked(run('T-B01', face('F1')));
    t.equal(live.camera, true, 'its thumbnail is to be the camera snapshot');
    t.match(live.thumb, /^thumbs\//);
    const withImage = checked(
      run('T-B01', face('F1'), { image: { mime: 'image/jpeg', data: Buffer.from('x') } }),
    );
    t.notOk('camera' in withImage, 'a read with its own image');
    const offline = checked(run('T-B01', face('F1'), { offline: true }));
    t.notOk('camera' in offline, 'a replayed read');
    const elsewhere = checked(run('T-GATE-OUT', face('F1')));
    t.notOk('camera' in elsewhere, 'a door without a camera');
  },
);
