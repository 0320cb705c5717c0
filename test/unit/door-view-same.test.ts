import t from 'tap';
import { type DoorView, sameView } from '../../gateway/doors/door-model.js';

// sameView replaced comparing two views' JSON on every unlock (issue 15); it must say
// "same" exactly when the JSON is the same. A field added to DoorView fails to compile
// here (the literal below) until this test — and sameView — know it.

const base: DoorView = {
  id: 'GATE',
  name: '南门',
  state: 'closed',
  contact: 'closed',
  changedAt: 1000,
  openedAt: null,
  forced: false,
  held: false,
  release: null,
  onFire: 'unlock',
  camera: null,
  lastSignal: { kind: 'contact_closed', readerId: 'L1', at: 900 },
};

const changes: Array<Partial<DoorView>> = [
  { id: 'B1' },
  { name: '北门' },
  { state: 'open' },
  { contact: null },
  { contact: 'unknown' },
  { changedAt: null },
  { changedAt: 1001 },
  { openedAt: 1000 },
  { forced: true },
  { held: true },
  { release: 'passage' },
  { onFire: 'stay_locked' },
  { camera: 'CAM1' },
  { lastSignal: null },
  { lastSignal: { kind: 'contact_open', readerId: 'L1', at: 900 } },
  { lastSignal: { kind: 'contact_closed', readerId: 'L2', at: 900 } },
  { lastSignal: { kind: 'contact_closed', readerId: 'L1', at: 901 } },
];

t.test('every field counts, and an equal copy is the same', async (t) => {
  t.equal(Object.keys(base).length, 12, 'every DoorView field is exercised');
  t.ok(sameView(base, { ...base, lastSignal: base.lastSignal && { ...base.lastSignal } }));
  for (const c of changes) {
    const other = { ...base, ...c };
    const json = JSON.stringify(base) === JSON.stringify(other);
    t.equal(sameView(base, other), json, JSON.stringify(c));
    t.equal(sameView(other, base), json, `${JSON.stringify(c)} (reversed)`);
    t.notOk(json, `${JSON.stringify(c)} is a change`);
  }
});

t.test('two views with no signal yet are the same', async (t) => {
  t.ok(sameView({ ...base, lastSignal: null }, { ...base, lastSignal: null }));
});
