/**
 * The door terminals of a simulated year (issue 10): what a person does at a door and what
 * the terminal makes of it. A swipe's face capture arrives up to `captureDelayMax` seconds
 * later (sooner at fast terminals) and sometimes as they approach; enrolled faces fail now
 * and then (poor recognisers often) and come back `personId: null` with their embedding;
 * people walk in behind others; someone else comes through behind a swipe; some entrance
 * terminals capture people leaving too. Readers may be broken (no reads) or cut off
 * (their buffer arrives when the network is back).
 */
import { checkDigit } from '../../core/id-number.js';
import { captureEmbedding, encodeEmbedding } from '../embedding.js';
import { hashSeed, Random } from '../random.js';
import type { RecurrentStranger } from './labels.js';
import type { YearParams } from './params.js';
import { type Actor, cardOn, enrolledOn } from './people.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const OFFSET = 8 * HOUR;

const isoLocal = (ms: number) => `${new Date(ms + OFFSET).toISOString().slice(0, 23)}+08:00`;

/** What came out of a presentation: when the person was through, and a swipe others may follow. */
interface Through {
  at: number;
  swiped: boolean;
}

/** Writes the reads of every door, with the ground truth of recurrent strangers. */
export class Terminals {
  readonly #p: YearParams;
  readonly #start: number;
  readonly #trouble = new Map<string, { broken: Array<[number, number]>; down: Array<[number, number]> }>();
  readonly #bidirectional = new Set<string>();
  readonly #fast = new Set<string>();
  readonly #seqs = new Map<string, number>();
  readonly #buffered = new Map<string, Array<[number, string]>>();
  readonly #sightings = new Map<string, number[]>();
  readonly #reported = new Set<string>();
  /** stranger_recurrent truth: an unregistered face's 10th entry at a door within 7 days. */
  readonly truth: RecurrentStranger[] = [];
  /** Lines of the day being written: [time, JSON]. */
  lines: Array<[number, string]> = [];
  /** Picks someone who comes through behind a swipe (set by the generator for each day). */
  follower: (door: string, a: Actor, at: number, r: Random) => Actor | null = () => null;

  constructor(p: YearParams, seed: number, start: number, days: number, doors: readonly string[]) {
    this.#p = p;
    this.#start = start;
    const trng = new Random(hashSeed(seed, 'trouble'));
    for (const d of doors) {
      const t = { broken: [] as Array<[number, number]>, down: [] as Array<[number, number]> };
      for (let day = 0; day < days; day++) {
        if (trng.chance(0.002)) t.broken.push([start + day * DAY, start + (day + trng.int(1, 3)) * DAY]);
        if (trng.chance(0.004)) {
          const s = start + day * DAY + trng.int(0, 23) * HOUR;
          t.down.push([s, s + trng.int(6, 48) * HOUR]);
        }
      }
      this.#trouble.set(d, t);
    }
    const drng = new Random(hashSeed(seed, 'terminals'));
    for (const d of doors) {
      if (!d.startsWith('GATE') && drng.chance(p.bidirectional)) this.#bidirectional.add(d);
      if (drng.chance(p.fastTerminals)) this.#fast.add(d);
    }
  }

  /** Entrance doors whose terminal also captures people leaving. */
  get bidirectional(): ReadonlySet<string> {
    return this.#bidirectional;
  }

  /** One read at a door: dropped while the reader is broken, buffered while it is cut off. */
  emit(door: string, at: number, cred: Record<string, unknown>, a?: Actor): void {
    const tr = this.#trouble.get(door);
    if (tr?.broken.some(([f, t]) => at >= f && at < t)) return;
    if (a?.stranger && cred.type === 'face') this.#sighted(a.id, door, at);
    const reader = `T-${door}`;
    const n = (this.#seqs.get(reader) ?? 0) + 1;
    this.#seqs.set(reader, n);
    const id = `${reader}-${String(n).padStart(7, '0')}`;
    const line = JSON.stringify({ reader, id, ts: isoLocal(at), ...cred, offline: true });
    const down = tr?.down.find(([f, t]) => at >= f && at < t);
    if (down) {
      const key = `${door}|${down[1]}`;
      const l = this.#buffered.get(key) ?? [];
      l.push([down[1], line]);
      this.#buffered.set(key, l);
    } else this.lines.push([at, line]);
  }

  /** Buffers of readers whose network is back before `until`, in the order they were kept. */
  takeBuffered(until: number): string[] {
    const out: string[] = [];
    for (const [key, l] of this.#buffered) {
      if ((l[0]?.[0] ?? Infinity) < until) {
        for (const [, line] of l) out.push(line);
        this.#buffered.delete(key);
      }
    }
    return out;
  }

  /** A face as the terminal sees it: the enrolled person's id, or null with the embedding. */
  capture(a: Actor, door: string, at: number, r: Random, day: number): void {
    const known = enrolledOn(a, day) && !r.chance(a.nullRate);
    this.emit(door, at, this.#face(a, r, known), a);
  }

  #face(a: Actor, r: Random, known: boolean): Record<string, unknown> {
    if (known)
      return {
        type: 'face',
        face: { personId: a.faceId, score: Math.round(r.float(0.85, 0.99) * 1000) / 1000, liveness: true },
      };
    const sd = this.#p.faceNoise * (r.chance(this.#p.badCaptures) ? 2 : 1);
    return {
      type: 'face',
      face: {
        personId: null,
        score: Math.round(r.float(0.3, 0.65) * 1000) / 1000,
        liveness: true,
        embedding: encodeEmbedding(captureEmbedding(r, a.emb, sd)),
      },
    };
  }

  /** A way home through `doors` from `at`: one presentation at each, a few minutes apart. */
  trip(a: Actor, at: number, r: Random, day: number, doors = a.doors): void {
    let t = at;
    for (const door of doors) {
      const th = this.present(a, door, t, r, day);
      if (th.swiped) this.#behind(a, door, th.at, r);
      t = th.at + r.float(1, 4) * 60_000;
    }
  }

  /** Someone leaving past an entrance terminal that captures both ways. */
  leave(a: Actor, at: number, r: Random, day: number): void {
    const door = a.doors[1];
    if (door && this.#bidirectional.has(door) && r.chance(0.8)) this.capture(a, door, at, r, day);
  }

  /** What a person does at one door. */
  present(a: Actor, door: string, at: number, r: Random, day: number): Through {
    const p = this.#p;
    if (r.chance(p.tailgating)) {
      // In behind someone else: nothing presented, the face caught half the time.
      if (r.chance(0.5)) this.capture(a, door, at, r, day);
      return { at, swiped: false };
    }
    const card = cardOn(a, day);
    const enrolled = enrolledOn(a, day);
    if (a.ownId && r.chance(0.9)) {
      this.emit(door, at, {
        type: 'idcard',
        idcard: { number: this.#idNumber(a.ownId), validUntil: '2036-06-30' },
      });
      if (r.chance(p.captureRate)) this.capture(a, door, at + this.#delay(door, r), r, day);
      return { at, swiped: true };
    }
    if (card && !a.faceFirst && r.chance(a.cardShare))
      return { at: this.#swipe(a, door, at, card, r, day), swiped: true };
    if (enrolled && a.idNumber && r.chance(0.01)) {
      this.emit(door, at, { type: 'idcard', idcard: { number: a.idNumber, validUntil: '2035-06-30' } });
      return { at, swiped: false };
    }
    if (enrolled) {
      // The face first; when it fails, the card (poor recognisers), else another try.
      let t = at;
      for (let k = 0; k < 3; k++) {
        const known = !r.chance(a.nullRate);
        this.emit(door, t, this.#face(a, r, known), a);
        if (known) return { at: t, swiped: false };
        if (card) return { at: this.#swipe(a, door, t + r.float(2, 6) * 1000, card, r, day), swiped: true };
        t += r.float(2, 5) * 1000;
      }
      return { at: t, swiped: false };
    }
    // Unknown to the terminal and no card in hand: let in, the face caught.
    if (r.chance(0.9)) this.capture(a, door, at, r, day);
    return { at, swiped: false };
  }

  #swipe(a: Actor, door: string, at: number, card: string, r: Random, day: number): number {
    if (r.chance(0.1)) this.capture(a, door, at - r.float(0.3, 1.5) * 1000, r, day);
    this.emit(door, at, { type: 'card', card: { uid: card } });
    if (r.chance(this.#p.captureRate)) this.capture(a, door, at + this.#delay(door, r), r, day);
    return at;
  }

  /** Someone else through behind a swipe: their face caught 1–6 s later, nothing presented. */
  #behind(a: Actor, door: string, at: number, r: Random): void {
    const h = new Date(at + OFFSET).getUTCHours();
    const busy = (h >= 7 && h < 9) || (h >= 17 && h < 20);
    if (!r.chance(this.#p.doorHolding * (busy ? 2 : 1))) return;
    const f = this.follower(door, a, at, r);
    if (f) this.capture(f, door, at + r.float(1, 6) * 1000, r, Math.floor((at - this.#start) / DAY));
  }

  #delay(door: string, r: Random): number {
    if (this.#fast.has(door)) return r.float(0.3, 1.2) * 1000;
    return r.float(Math.min(1, this.#p.captureDelayMax), this.#p.captureDelayMax) * 1000;
  }

  /** A valid ID number standing for an unregistered person's own card (stable per person). */
  #idNumber(key: string): string {
    const r = new Random(hashSeed('own-id', key));
    const first17 = `310104${1970 + r.int(0, 35)}${String(r.int(1, 12)).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}${r.int(100, 999)}`;
    return first17 + checkDigit(first17);
  }

  #sighted(person: string, door: string, at: number): void {
    const key = `${person}|${door}`;
    const l = (this.#sightings.get(key) ?? []).filter((x) => x > at - 7 * DAY);
    l.push(at);
    this.#sightings.set(key, l);
    if (l.length >= 10 && !this.#reported.has(key)) {
      this.#reported.add(key);
      this.truth.push({ person, door, ts: new Date(at).toISOString() });
    }
  }
}
