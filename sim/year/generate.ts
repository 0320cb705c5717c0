/**
 * `estate-gateway sim year`: a labelled year of reads for a simulated estate (issues 4
 * and 10), as reader protocol v1 events in one JSON-lines file, in time order except for
 * the offline buffers of readers whose network was down (they arrive when it comes back).
 * Every phenomenon of issue 10 is a named parameter (params.ts). Deterministic for
 * (households, seed, start, days, params).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { encodeEmbedding } from '../embedding.js';
import { generateEstate } from '../estate.js';
import { hashSeed, Random } from '../random.js';
import { cast } from './actors.js';
import type { Cast } from './cast.js';
import { Terminals } from './doors.js';
import type { Labels } from './labels.js';
import { yearLayout } from './layout.js';
import { defaultParams, type YearParams } from './params.js';
import { type Actor, around } from './people.js';
import { planRoster } from './roster-plan.js';

/** Options of generateYear. */
export interface YearOptions {
  households: number;
  seed: number;
  /** First local day, YYYY-MM-DD. */
  start: string;
  days: number;
  out: string;
  /** The phenomena (default: defaultParams(), the hard year). */
  params?: YearParams;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const OFFSET = 8 * HOUR;

/** Writes config.yaml, roster.json, reads.jsonl and labels.json into `out`; returns the labels. */
export function generateYear(o: YearOptions): Labels {
  const p = o.params ?? defaultParams();
  mkdirSync(o.out, { recursive: true });
  const start = Date.parse(`${o.start}T00:00:00+08:00`);
  const layout = yearLayout(o.households);
  const end = new Date(start + o.days * DAY + OFFSET).toISOString().slice(0, 10);
  const estate = generateEstate(
    { doors: layout.doors as never },
    { seed: o.seed, households: o.households, today: end },
  );
  const plan = planRoster(estate, p, new Random(hashSeed(o.seed, 'roster-plan')), start, o.days);
  writeFileSync(
    path.join(o.out, 'roster.json'),
    JSON.stringify(p.rosterUpdates > 0 ? plan.initial : plan.final),
  );
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
  const c = cast(estate, plan, p, o.seed, start, o.days);
  const doors = layout.doors.map((d) => d.id as string);
  const term = new Terminals(p, o.seed, start, o.days, doors);
  const fd = openSync(path.join(o.out, 'reads.jsonl'), 'w');
  let buf = '';
  let reads = 0;
  const out = (line: string) => {
    buf += `${line}\n`;
    reads++;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  };
  const updates = new Map(plan.updates.map((u) => [u.day, u.households]));
  for (let day = 0; day < o.days; day++) {
    const t0 = start + day * DAY;
    term.lines = [];
    const rng = (id: string) => new Random(hashSeed(o.seed, 'y', day, id));
    const changed = updates.get(day);
    if (changed) {
      const roster = {
        version: `${plan.final.version}-d${day}`,
        buildings: plan.final.buildings,
        households: changed,
      };
      term.lines.push([t0 + 6 * HOUR, JSON.stringify({ roster, mode: 'merge' })]);
    }
    doorsOfDay(c, term, t0, day, rng);
    for (const pass of c.passes) {
      if (pass.day !== day) continue;
      const body = {
        ...pass.body,
        embedding: pass.body.embedding ? encodeEmbedding(pass.body.embedding as Float32Array) : undefined,
      };
      term.lines.push([t0 + 8 * HOUR, JSON.stringify({ pass: body })]);
    }
    term.lines.sort((a, b) => a[0] - b[0]);
    for (const [, l] of term.lines) out(l);
    for (const l of term.takeBuffered(t0 + DAY)) out(l);
  }
  for (const l of term.takeBuffered(Infinity)) out(l);
  writeSync(fd, buf);
  closeSync(fd);
  const labels: Labels = {
    households: o.households,
    seed: o.seed,
    start: new Date(start).toISOString(),
    days: o.days,
    reads,
    params: p,
    cases: c.cases,
    negatives: c.negatives,
    strangers: term.truth,
  };
  writeFileSync(path.join(o.out, 'labels.json'), JSON.stringify(labels, null, 1));
  return labels;
}

/** Everything that happens at the doors on one day. */
function doorsOfDay(c: Cast, term: Terminals, t0: number, day: number, rng: (id: string) => Random): void {
  const h = (x: number) => t0 + x * HOUR;
  const homeTrips = new Map<string, Array<{ at: number; doors: string[] }>>();
  const fr = rng('followers');
  const meal = (at: number) => {
    const x = (at - t0) / HOUR;
    return (x >= 11 && x < 13.5) || (x >= 17 && x < 20);
  };
  const ridersToday = c.workers.filter((w) => w.kind === 'rider' && around(w.actor, day)).map((w) => w.actor);
  // A house sitter is at the flat on the days it comes, not the whole absence: on the others
  // it cannot be caught behind a neighbour at the entrance.
  const sittersAway = new Set(c.sitters.filter((s) => !s.days.has(day)).map((s) => s.actor));
  const here = (n: Actor) => around(n, day) && !sittersAway.has(n);
  term.follower = (door, a, at, r) => {
    const x = r.next();
    if (x < 0.3 && a.household) {
      const fam = (c.byHousehold.get(a.household) ?? []).filter(
        (m) => m !== a && !m.stranger && around(m, day),
      );
      if (fam.length > 0) return r.pick(fam);
    }
    if (x < 0.75) {
      const near = c.byEntrance.get(a.doors[1] ?? door) ?? [];
      for (let k = 0; k < 4 && near.length > 0; k++) {
        const n = r.pick(near);
        if (n !== a && here(n)) return n;
      }
      return null;
    }
    if (meal(at) && ridersToday.length > 0) return r.pick(ridersToday);
    const s = c.strangers[Math.floor(fr.next() * c.strangers.length)];
    return s ? s.actor : null;
  };
  for (const a of c.actors) {
    if (!around(a, day) || a.rate === 0) continue;
    const r = rng(a.id);
    const home = (at: number) => {
      term.trip(a, at, r, day);
      if (a.household && !a.stranger) {
        const l = homeTrips.get(a.household) ?? [];
        l.push({ at, doors: a.doors });
        homeTrips.set(a.household, l);
      }
    };
    if (a.night) {
      if (r.chance(0.9)) {
        term.leave(a, h(r.normalClamped(20, 0.8, 18, 22)), r, day);
        home(h(r.normalClamped(7.8, 0.6, 6, 10)));
      }
      continue;
    }
    if (r.chance(a.rate)) {
      const back = h(r.normalClamped(18.3, 1.8, 9, 23.3));
      term.leave(a, Math.min(back - HOUR, h(r.normalClamped(8, 1.2, 5.5, 11))), r, day);
      home(back);
    }
    if (r.chance(0.15)) {
      const back = h(r.float(9, 21));
      term.leave(a, back - r.float(0.5, 3) * HOUR, r, day);
      home(back);
    }
  }
  // Guests come in with their hosts most of the time, on their own otherwise.
  for (const g of c.guests) {
    if (!around(g, day)) continue;
    const r = rng(g.id);
    const hosts = homeTrips.get(g.household ?? '') ?? [];
    for (let k = r.chance(g.rate) ? r.int(1, 2) : 0; k > 0; k--) {
      const host = hosts.length > 0 && r.chance(0.7) ? r.pick(hosts) : null;
      if (host) {
        let t = host.at;
        for (const door of host.doors) {
          if (r.chance(0.8)) term.capture(g, door, t + r.float(2, 8) * 1000, r, day);
          t += r.float(1, 4) * 60_000;
        }
      } else term.trip(g, h(r.float(9, 22)), r, day);
    }
  }
  for (const { actor: a, days } of c.sitters)
    if (days.has(day)) term.trip(a, h(rng(a.id).float(10, 19)), rng(a.id), day);
  for (const { actor: a, perDay } of c.strangers) {
    if (!around(a, day)) continue;
    const r = rng(a.id);
    const visits = perDay >= 1 ? r.int(0, Math.round(perDay * 2)) : r.chance(perDay) ? 1 : 0;
    for (let v = 0; v < visits; v++)
      term.capture(a, a.doors[0] as string, h(r.normalClamped(17, 3.5, 7, 23)), r, day);
  }
  for (const a of c.couriers) {
    const r = rng(a.id);
    for (let k = r.int(10, 30); k > 0; k--) term.capture(a, r.pick(a.doors), h(r.float(9, 20.5)), r, day);
  }
  for (const w of c.workers) workerDay(term, w.actor, w.kind, w.round, day, rng(w.actor.id), h);
}

/** A staff round (staff card at each entrance) or a rider's deliveries at meal times. */
function workerDay(
  term: Terminals,
  a: Actor,
  kind: 'staff' | 'rider',
  round: string[],
  day: number,
  r: Random,
  h: (x: number) => number,
): void {
  if (!around(a, day)) return;
  if (kind === 'staff') {
    if (day % 7 === Number.parseInt(a.id.slice(6), 10) % 7) return;
    for (const from of [8.5, 14]) {
      let t = h(from + r.float(0, 0.5));
      term.present(a, 'GATE-N', t, r, day);
      for (const door of round) {
        t += r.float(3, 8) * 60_000;
        term.present(a, door, t, r, day);
      }
    }
    return;
  }
  if (!r.chance(0.85)) return;
  for (let k = r.int(3, 10); k > 0; k--) {
    const at = h(r.chance(0.6) ? r.float(11, 13.5) : r.float(17, 20));
    if (r.chance(0.9)) term.capture(a, a.doors[0] as string, at - r.float(1, 3) * 60_000, r, day);
    if (r.chance(0.85)) term.capture(a, r.pick(round), at, r, day);
  }
}
