/**
 * `estate-gateway sim year`: a labelled year of reads for a simulated estate (issue 4),
 * as reader protocol v1 events in one JSON-lines file, in time order except for the
 * offline buffers of readers whose network was down (they arrive when it comes back).
 * Deterministic for (households, seed, start, days).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { captureEmbedding, encodeEmbedding } from '../embedding.js';
import { generateEstate } from '../estate.js';
import { hashSeed, Random } from '../random.js';
import { type Actor, cast } from './actors.js';
import type { Labels, RecurrentStranger } from './labels.js';
import { yearLayout } from './layout.js';

/** Options of generateYear. */
export interface YearOptions {
  households: number;
  seed: number;
  /** First local day, YYYY-MM-DD. */
  start: string;
  days: number;
  out: string;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const OFFSET = 8 * HOUR;

const isoLocal = (ms: number) => `${new Date(ms + OFFSET).toISOString().slice(0, 23)}+08:00`;
const away = (a: Actor, d: number) => d < a.from || d >= a.to || a.away.some(([f, t]) => d >= f && d < t);

/** Writes config.yaml, roster.json, reads.jsonl and labels.json into `out`; returns the labels. */
export function generateYear(o: YearOptions): Labels {
  mkdirSync(o.out, { recursive: true });
  const start = Date.parse(`${o.start}T00:00:00+08:00`);
  const layout = yearLayout(o.households);
  const end = new Date(start + o.days * DAY + OFFSET).toISOString().slice(0, 10);
  const estate = generateEstate(
    { doors: layout.doors as never },
    { seed: o.seed, households: o.households, today: end },
  );
  writeFileSync(path.join(o.out, 'roster.json'), JSON.stringify(estate.roster));
  writeFileSync(
    path.join(o.out, 'config.yaml'),
    stringify({
      estate: { id: `SH-SIM-${o.seed}`, name: `模拟小区 ${o.seed}` },
      gateway: { id: 'gw-sim' },
      dataDir: './data',
      secretsFile: './data/secrets.yaml',
      log: { level: 'warn' },
      http: { host: '127.0.0.1', port: 0 },
      doors: layout.doors.map((d) => ({ ...d, policy: 'monitor' })),
      readers: layout.readers,
    }),
  );
  const c = cast(estate, o.seed, start, o.days);
  const fd = openSync(path.join(o.out, 'reads.jsonl'), 'w');
  let buf = '';
  let reads = 0;
  const flush = (force = false) => {
    if (buf.length > (force ? 0 : 1 << 20)) {
      writeSync(fd, buf);
      buf = '';
    }
  };
  const seqs = new Map<string, number>();
  const recordId = (reader: string) => {
    const n = (seqs.get(reader) ?? 0) + 1;
    seqs.set(reader, n);
    return `${reader}-${String(n).padStart(7, '0')}`;
  };
  // Device trouble per entrance door: broken (no reads) or network down (reads buffered).
  const trouble = new Map<string, { broken: Array<[number, number]>; down: Array<[number, number]> }>();
  const trng = new Random(hashSeed(o.seed, 'trouble'));
  for (const d of layout.doors) {
    const t = { broken: [] as Array<[number, number]>, down: [] as Array<[number, number]> };
    for (let day = 0; day < o.days; day++) {
      if (trng.chance(0.002)) t.broken.push([start + day * DAY, start + (day + trng.int(1, 3)) * DAY]);
      if (trng.chance(0.004)) {
        const s = start + day * DAY + trng.int(0, 23) * HOUR;
        t.down.push([s, s + trng.int(6, 48) * HOUR]);
      }
    }
    trouble.set(d.id as string, t);
  }
  const buffered = new Map<string, Array<[number, string]>>();
  const truth: RecurrentStranger[] = [];
  const sightings = new Map<string, number[]>();
  const reported = new Set<string>();
  /** Ground truth of stranger_recurrent: an unregistered face's 10th entry at a door within 7 days. */
  const sighted = (person: string, door: string, at: number) => {
    const key = `${person}|${door}`;
    const l = (sightings.get(key) ?? []).filter((x) => x > at - 7 * DAY);
    l.push(at);
    sightings.set(key, l);
    if (l.length >= 10 && !reported.has(key)) {
      reported.add(key);
      truth.push({ person, door, ts: new Date(at).toISOString() });
    }
  };

  for (let day = 0; day < o.days; day++) {
    const t0 = start + day * DAY;
    const lines: Array<[number, string]> = [];
    const rng = (id: string) => new Random(hashSeed(o.seed, 'y', day, id));
    const face = (a: Actor, r: Random) =>
      a.faceId
        ? {
            type: 'face',
            face: {
              personId: a.faceId,
              score: Math.round(r.float(0.85, 0.99) * 1000) / 1000,
              liveness: true,
            },
          }
        : {
            type: 'face',
            face: {
              personId: null,
              score: Math.round(r.float(0.3, 0.65) * 1000) / 1000,
              liveness: true,
              embedding: encodeEmbedding(captureEmbedding(r, a.emb as Float32Array)),
            },
          };
    const emit = (door: string, at: number, cred: Record<string, unknown>, a?: Actor) => {
      const tr = trouble.get(door);
      if (tr?.broken.some(([f, t]) => at >= f && at < t)) return;
      if (a && cred.type === 'face' && a.faceId === null && !a.known) sighted(a.id, door, at);
      const reader = `T-${door}`;
      const line = JSON.stringify({ reader, id: recordId(reader), ts: isoLocal(at), ...cred, offline: true });
      const down = tr?.down.find(([f, t]) => at >= f && at < t);
      if (down) {
        const key = `${door}|${down[1]}`;
        const l = buffered.get(key) ?? [];
        l.push([down[1], line]);
        buffered.set(key, l);
      } else lines.push([at, line]);
    };
    const trip = (a: Actor, at: number, r: Random, doors = a.doors) => {
      let t = at;
      const useCard = a.card !== null && r.chance(a.cardShare);
      const useId = !useCard && a.faceId !== null && a.idNumber && r.chance(0.01);
      for (const door of doors) {
        if (useCard) {
          emit(door, t, { type: 'card', card: { uid: a.card } });
          emit(door, t + r.int(300, 1500), face(a, r), a);
        } else if (useId)
          emit(door, t, { type: 'idcard', idcard: { number: a.idNumber, validUntil: '2035-06-30' } });
        else emit(door, t, face(a, r), a);
        t += r.float(1, 4) * 60_000;
      }
    };
    for (const a of c.actors) {
      if (away(a, day)) continue;
      const r = rng(a.id);
      if (a.night) {
        if (r.chance(0.9)) trip(a, t0 + r.normalClamped(7.8, 0.6, 6, 10) * HOUR, r);
        continue;
      }
      if (r.chance(a.rate)) trip(a, t0 + r.normalClamped(18.3, 1.8, 9, 23.3) * HOUR, r);
      if (r.chance(0.15)) trip(a, t0 + r.float(9, 21) * HOUR, r);
    }
    for (const { actor: a, recurring } of c.strangers) {
      const r = rng(a.id);
      const visits = recurring ? r.int(0, 3) : r.chance(0.08) ? 1 : 0;
      for (let v = 0; v < visits; v++) {
        const at = t0 + r.normalClamped(17, 3.5, 7, 23) * HOUR;
        const door = a.doors[0] as string;
        emit(door, at, face(a, r), a);
      }
    }
    for (const a of c.couriers) {
      const r = rng(a.id);
      for (let k = r.int(10, 30); k > 0; k--) emit(r.pick(a.doors), t0 + r.float(9, 20.5) * HOUR, face(a, r));
    }
    for (const p of c.passes) {
      if (p.day !== day) continue;
      const body = {
        ...p.body,
        embedding: p.body.embedding ? encodeEmbedding(p.body.embedding as Float32Array) : undefined,
      };
      lines.push([t0 + 8 * HOUR, JSON.stringify({ pass: body })]);
    }
    lines.sort((a, b) => a[0] - b[0]);
    for (const [, l] of lines) buf += `${l}\n`;
    reads += lines.length;
    // Offline buffers of readers whose network came back today.
    for (const [key, l] of buffered) {
      if ((l[0]?.[0] ?? Infinity) < t0 + DAY) {
        for (const [, line] of l) buf += `${line}\n`;
        reads += l.length;
        buffered.delete(key);
      }
    }
    flush();
  }
  for (const l of buffered.values()) for (const [, line] of l) buf += `${line}\n`;
  flush(true);
  closeSync(fd);
  const labels: Labels = {
    households: o.households,
    seed: o.seed,
    start: new Date(start).toISOString(),
    days: o.days,
    reads,
    cases: c.cases,
    negatives: c.negatives,
    strangers: truth,
  };
  writeFileSync(path.join(o.out, 'labels.json'), JSON.stringify(labels, null, 1));
  return labels;
}
