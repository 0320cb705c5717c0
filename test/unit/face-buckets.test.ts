import t from 'tap';
import { FaceBuckets } from '../../gateway/detectors/face-buckets.js';
import { Random } from '../../sim/random.js';

/** The slots of one bucket, read through the bitmap and the chain as the index reads them. */
function slots(b: FaceBuckets, table: number, key: number, bits: number): number[] {
  const k = (table << bits) + key;
  if (((b.occupied[k >>> 5] as number) & (1 << (k & 31))) === 0) return [];
  const out: number[] = [];
  for (let s = b.head(k); s >= 0; s = b.next(table, s)) out.push(s);
  return out.sort((x, y) => x - y);
}

t.test('buckets hold what was added and lose what was removed, against a Map of sets', async (t) => {
  const bits = 10;
  const tables = 4;
  const b = new FaceBuckets(tables, bits);
  const want = new Map<string, Set<number>>();
  const where = new Map<number, number[]>();
  const r = new Random(3);
  b.reserve(3000);
  // Chains of several slots, a hash that grows past its first 1,024 entries, entries
  // shifted back on delete.
  for (let step = 0; step < 40000; step++) {
    const slot = r.int(0, 2999);
    const old = where.get(slot);
    if (old) {
      for (let tb = 0; tb < tables; tb++) {
        b.remove(tb, old[tb] as number, slot);
        want.get(`${tb}:${old[tb]}`)?.delete(slot);
      }
      where.delete(slot);
    } else {
      const keys = Array.from({ length: tables }, () => r.int(0, 1023));
      for (let tb = 0; tb < tables; tb++) {
        b.add(tb, keys[tb] as number, slot);
        const k = `${tb}:${keys[tb]}`;
        if (!want.has(k)) want.set(k, new Set());
        want.get(k)?.add(slot);
      }
      where.set(slot, keys);
    }
  }
  let mismatches = 0;
  for (let tb = 0; tb < tables; tb++)
    for (let key = 0; key < 1024; key++) {
      const exp = [...(want.get(`${tb}:${key}`) ?? [])].sort((x, y) => x - y);
      if (JSON.stringify(slots(b, tb, key, bits)) !== JSON.stringify(exp)) mismatches++;
    }
  t.equal(mismatches, 0, 'every bucket of every table as the reference says');
  t.ok(where.size > 1000, 'and many slots are still in');
});
