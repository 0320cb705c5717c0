import t from 'tap';
import { FaceClusters } from '../../gateway/detectors/face-clusters.js';
import { dot, FaceIndex } from '../../gateway/detectors/face-index.js';
import { captureEmbedding, personEmbedding } from '../../sim/embedding.js';
import { Random } from '../../sim/random.js';

/** The scan the index replaces (issue 10): every centroid, the best at or above the threshold. */
function scan(vecs: Map<number, Float32Array>, q: Float32Array, threshold: number): number | null {
  let best: number | null = null;
  let top = threshold;
  for (const [id, v] of vecs) {
    const s = dot(v, q);
    if (s >= top) {
      top = s;
      best = id;
    }
  }
  return best;
}

t.test('the index finds what a scan of every centroid finds', async (t) => {
  const r = new Random(7);
  const vecs = new Map<number, Float32Array>();
  const index = new FaceIndex(128);
  for (let id = 1; id <= 4000; id++) {
    const v = personEmbedding(3, `p${id}`);
    vecs.set(id, v);
    index.set(id, v);
  }
  t.equal(index.size, 4000);
  // Captures of known faces at the simulator's noise (cosine ≈ 0.93 to the face), noisier
  // (0.87), near the threshold (0.83: some fall below it), and faces nobody has.
  let same = 0;
  let n = 0;
  let found = 0;
  for (const sd of [0.035, 0.05, 0.06]) {
    for (let k = 0; k < 300; k++) {
      const id = r.int(1, 4000);
      const q = captureEmbedding(r, vecs.get(id) as Float32Array, sd);
      const want = scan(vecs, q, 0.8);
      const got = index.nearest(q, 0.8)?.id ?? null;
      n++;
      if (want !== null) found++;
      if (got === want) same++;
    }
  }
  let none = 0;
  for (let k = 0; k < 300; k++) if (index.nearest(personEmbedding(4, `stranger${k}`), 0.8) === null) none++;
  t.equal(none, 300, 'faces nobody has match nothing');
  t.ok(found > n * 0.9, `most captures are of somebody (${found} of ${n})`);
  t.ok(found < n, 'and some fall below the threshold');
  t.ok(same / n >= 0.99, `index and scan agree on ${same} of ${n} captures`);
});

t.test('moving and forgetting centroids', async (t) => {
  const index = new FaceIndex(128);
  const a = personEmbedding(1, 'a');
  const b = personEmbedding(1, 'b');
  index.set(1, a);
  index.set(2, b);
  t.equal(index.nearest(a, 0.8)?.id, 1);
  // The centroid of 1 moves over to b's face: it is found there, and no longer at a.
  index.set(1, Float32Array.from(b));
  t.equal(index.nearest(a, 0.8), null);
  t.ok([1, 2].includes(index.nearest(b, 0.8)?.id ?? 0));
  index.delete(2);
  index.delete(1);
  t.equal(index.size, 0);
  t.equal(index.nearest(b, 0.8), null);
});

t.test(
  'clusters: the same face joins its cluster, another starts one; the cap evicts the oldest',
  async (t) => {
    const r = new Random(9);
    const c = new FaceClusters(0.8, 100);
    const x = personEmbedding(2, 'x');
    const id = c.assign(captureEmbedding(r, x, 0.035), 1);
    for (let i = 0; i < 20; i++) t.equal(c.assign(captureEmbedding(r, x, 0.035), 2 + i), id);
    for (let i = 0; i < 200; i++) c.assign(personEmbedding(2, `y${i}`), 100 + i);
    t.ok(c.size <= 100, 'bounded');
    t.equal(c.centroid(id), undefined, 'x, seen least recently, is gone');
    const left = c.size;
    t.equal(c.expire(250).length, left - c.size);
    t.ok(c.size < left, 'faces not seen since the cutoff are forgotten');
  },
);

t.test('at 20,000 centroids the index still finds what a scan finds', async (t) => {
  const r = new Random(11);
  const vecs = new Map<number, Float32Array>();
  const index = new FaceIndex(128);
  for (let id = 1; id <= 20000; id++) {
    const v = personEmbedding(5, `q${id}`);
    vecs.set(id, v);
    index.set(id, v);
  }
  let same = 0;
  let n = 0;
  for (const sd of [0.035, 0.05, 0.06]) {
    for (let k = 0; k < 100; k++) {
      const q = captureEmbedding(r, vecs.get(r.int(1, 20000)) as Float32Array, sd);
      n++;
      if ((index.nearest(q, 0.8)?.id ?? null) === scan(vecs, q, 0.8)) same++;
    }
  }
  t.ok(same / n >= 0.99, `index and scan agree on ${same} of ${n} captures`);
});

t.test('dimensions that are no power of two are padded, and found again', async (t) => {
  const index = new FaceIndex(200);
  const a = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i + 1));
  const norm = Math.sqrt(dot(a, a));
  for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) / norm;
  index.set(7, a);
  t.same(index.nearest(a, 0.99)?.id, 7);
});
