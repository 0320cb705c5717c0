import t from 'tap';
import { dot, type Pass } from '../../gateway/passes/model.js';
import { PassIndex } from '../../gateway/passes/pass-index.js';
import type { NormalizedRead } from '../../gateway/pipeline/normalize.js';
import { captureEmbedding, personEmbedding } from '../../sim/embedding.js';
import { Random } from '../../sim/random.js';
import { pass } from '../../testkit/pipeline.js';

// Issue 15 item 4: a face nobody on the roster has is compared with every current pass's
// face, and visitors grow with the estate. PassIndex.match stops a comparison early when
// the best is out of reach; it must answer exactly what the scan of every pass answers.

const DAY = 86_400_000;

function visitor(i: number, emb: Float32Array | null, validFrom: number, validTo: number): Pass {
  return pass(`P${i}`, {
    embedding: emb,
    validFrom,
    validTo,
    revokedAt: i % 17 === 0 ? validFrom + DAY : null,
    createdAt: validFrom,
  });
}

function face(ts: number, embedding: Float32Array): NormalizedRead {
  return {
    readerId: 'T1',
    recordId: 'r',
    doorId: 'D1',
    direction: 'in',
    type: 'face',
    ts,
    readerTs: ts,
    receivedAt: ts,
    kind: 'face',
    key: null,
    score: null,
    liveness: null,
    offline: true,
    stale: false,
    strangerId: null,
    idMasked: null,
    idProblem: null,
    idExpired: false,
    embedding,
  };
}

/** What match() did before: every pass valid at the time, the best cosine at or above the threshold. */
function scan(passes: readonly Pass[], n: NormalizedRead, threshold: number): Pass | null {
  let best: Pass | null = null;
  let top = threshold;
  for (const p of passes) {
    if (!p.embedding || n.ts < p.validFrom || n.ts > p.validTo) continue;
    if (p.revokedAt !== null && n.ts >= p.revokedAt) continue;
    const s = dot(n.embedding as Float32Array, p.embedding);
    if (s >= top) {
      top = s;
      best = p;
    }
  }
  return best;
}

t.test('a face matches the pass a scan of every pass finds, at any threshold', async (t) => {
  const r = new Random(15);
  const t0 = 100 * DAY;
  const faces = Array.from({ length: 600 }, (_, i) => personEmbedding(9, `v${i}`));
  const passes = faces.map((e, i) =>
    visitor(i, i % 11 === 0 ? null : e, t0 + (i % 5) * DAY, t0 + (i % 5) * DAY + 7 * DAY),
  );
  // A near twin of a visitor: two passes within reach of one capture.
  passes.push(visitor(9999, captureEmbedding(r, faces[3] as Float32Array, 0.02), t0, t0 + 30 * DAY));
  for (const threshold of [0.5, 0.8, 0.95]) {
    const index = new PassIndex(threshold);
    for (const p of passes) index.put(p);
    let found = 0;
    let checked = 0;
    for (let k = 0; k < 1500; k++) {
      const ts = t0 + r.int(0, 12) * DAY + 3600_000;
      const who = r.int(0, faces.length - 1);
      const q =
        k % 4 === 3
          ? personEmbedding(10, `stranger${k}`)
          : captureEmbedding(r, faces[who] as Float32Array, [0.03, 0.05, 0.07][k % 3] as number);
      const n = face(ts, q);
      const want = scan(passes, n, threshold);
      const got = index.match(n);
      if (got?.id !== want?.id)
        t.fail(`threshold ${threshold}, capture ${k}: ${got?.id} against ${want?.id}`);
      checked++;
      if (want) found++;
    }
    t.ok(
      found > 0 && found < checked,
      `threshold ${threshold}: ${found} of ${checked} captures match a pass`,
    );
  }
});

t.test('a face of another length matches nothing, as before', async (t) => {
  const index = new PassIndex(0.8);
  index.put(visitor(1, personEmbedding(1, 'a', 64), 0, 10 * DAY));
  t.equal(index.match(face(DAY, personEmbedding(1, 'a', 128))), null);
  t.equal(index.match(face(DAY, personEmbedding(1, 'a', 64)))?.id, 'P1');
});
