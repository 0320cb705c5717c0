import t from 'tap';
import { Carriers } from '../../gateway/detectors/carriers.js';

// Issue 15 item 4: what was ruled out for a household listed the faces learnt for its
// members' cards by scanning every credential model of the estate, per household and per
// day. Carriers.ofOwner answers from the owner index, in the order of `models`.

const rules = { similarity: 0.8, learnDays: 14, holderDays: 5 };
const seen = (day: number) => ({
  emb: Float32Array.from([1, 0, 0, 0]),
  cluster: null,
  ts: day * 86_400_000,
  day,
  seq: 1,
  thumb: null,
});
const scan = (c: Carriers, owner: string) =>
  [...c.models].filter(([, m]) => m.owner === owner).map(([k]) => k);

t.test('an owner’s credentials, in the order a scan of every model gives', async (t) => {
  const c = new Carriers(rules);
  c.model('card:A', 'R1', 100);
  c.model('card:B', 'R2', 100);
  c.model('card:C', 'R1', 101);
  // card:A passes to R2: it keeps its place in `models`, behind nothing of R2's.
  c.model('card:A', 'R2', 102);
  t.same(
    c.ofOwner('R2').map(([k]) => k),
    scan(c, 'R2'),
  );
  t.same(
    c.ofOwner('R2').map(([k]) => k),
    ['card:A', 'card:B'],
  );
  t.same(
    c.ofOwner('R1').map(([k]) => k),
    ['card:C'],
    'a card that changed hands is no longer its old owner’s',
  );
  t.same(c.ofOwner('R9'), []);
});

t.test('a forgotten model is gone from its owner; learnt again, it comes last', async (t) => {
  const c = new Carriers(rules);
  for (const cred of ['card:A', 'card:B']) c.observe(cred, 'R1', seen(100), false, 0);
  t.equal(c.ofOwner('R1').length, 2);
  c.expire(Number.MAX_SAFE_INTEGER);
  t.same(c.ofOwner('R1'), [], 'models whose every face is forgotten are forgotten');
  c.model('card:B', 'R1', 200);
  c.model('card:A', 'R1', 200);
  t.same(
    c.ofOwner('R1').map(([k]) => k),
    scan(c, 'R1'),
  );
  t.same(
    c.ofOwner('R1').map(([k]) => k),
    ['card:B', 'card:A'],
  );
});

t.test('restored models list under their owner in the order read back', async (t) => {
  const a = new Carriers(rules);
  a.model('card:X', 'R1', 100);
  a.model('card:Y', 'R1', 100);
  const b = new Carriers(rules);
  for (const k of ['card:Y', 'card:X']) b.restore(k, a.serialize(k) as string);
  t.same(
    b.ofOwner('R1').map(([k]) => k),
    ['card:Y', 'card:X'],
  );
  b.clear();
  t.same(b.ofOwner('R1'), []);
});
