import t from 'tap';
import { FaceHash } from '../../gateway/detectors/face-hash.js';
import { FACE_HASH_SEED, FaceHashes } from '../../gateway/detectors/face-hashes.js';
import { FaceIndex } from '../../gateway/detectors/face-index.js';
import { captureEmbedding, personEmbedding } from '../../sim/embedding.js';
import { Random } from '../../sim/random.js';

/**
 * Two indexes sharing one FaceHash (the clusters' and the carriers' holder index) must
 * answer as two indexes with a hash each: the shared hash remembers the last query's
 * rotation and probe lists, and keying a moved centroid between two lookups of the same
 * capture must not disturb them.
 */
t.test('indexes sharing one hash answer as indexes with their own', async (t) => {
  const shared = new FaceHashes().of(128);
  const a1 = new FaceIndex(128, shared);
  const b1 = new FaceIndex(128, shared);
  const a2 = new FaceIndex(128, new FaceHash(128, FACE_HASH_SEED));
  const b2 = new FaceIndex(128, new FaceHash(128, FACE_HASH_SEED));
  const r = new Random(5);
  const people = Array.from({ length: 400 }, (_, i) => personEmbedding(8, `p${i}`));
  for (let i = 0; i < 400; i++) {
    a1.set(i, people[i] as Float32Array);
    a2.set(i, people[i] as Float32Array);
    if (i % 4 === 0) {
      b1.set(i, people[i] as Float32Array);
      b2.set(i, people[i] as Float32Array);
    }
  }
  let found = 0;
  for (let k = 0; k < 600; k++) {
    const q = captureEmbedding(r, people[r.int(0, 399)] as Float32Array, 0.05);
    const hitA1 = a1.nearest(q, 0.8);
    const hitA2 = a2.nearest(q, 0.8);
    t.same(hitA1, hitA2);
    if (hitA1) found++;
    // What FaceClusters.assign does between the two lookups: the matched centroid moves.
    const moved = captureEmbedding(r, people[k % 400] as Float32Array, 0.02);
    a1.set(k % 400, moved);
    a2.set(k % 400, moved);
    t.same(b1.nearest(q, 0.8), b2.nearest(q, 0.8));
    // A new face keyed right after its own lookup reuses that lookup's rotation.
    const stranger = personEmbedding(9, `s${k}`);
    t.same(b1.nearest(stranger, 0.8), b2.nearest(stranger, 0.8));
    b1.set(1000 + k, stranger);
    b2.set(1000 + k, stranger);
    t.same(b1.nearest(stranger, 0.99)?.id, 1000 + k);
    t.same(b2.nearest(stranger, 0.99)?.id, 1000 + k);
  }
  t.ok(found > 500, `most captures are found (${found} of 600)`);
});

t.test('a vector changed in place is rotated again, not taken for the last query', async (t) => {
  const index = new FaceIndex(128, new FaceHashes().of(128));
  const a = personEmbedding(3, 'a');
  const b = personEmbedding(3, 'b');
  index.set(2, b);
  const q = Float32Array.from(a);
  t.equal(index.nearest(q, 0.9), null);
  q.set(b);
  t.equal(index.nearest(q, 0.9)?.id, 2);
});

t.test('one hash per length; an index refuses a hash of another length', async (t) => {
  const hashes = new FaceHashes();
  t.equal(hashes.of(128), hashes.of(128));
  t.not(hashes.of(128), hashes.of(64));
  t.throws(() => new FaceIndex(64, hashes.of(128)), RangeError);
});
