/**
 * The people of a simulated year as the doors see them (issue 10): each with a face (an
 * embedding every capture is drawn around), what the terminal makes of it (a person id, or
 * null), the credentials they carry and the days they are around.
 */
import { personEmbedding } from '../embedding.js';
import type { Random } from '../random.js';

/** How someone comes through a door when they do not use a card. */
export type Mode = 'card' | 'face' | 'idcard';

/** Someone who comes in through the doors of the estate. */
export interface Actor {
  id: string;
  /** Terminal person id once the face is enrolled; null: the terminal never knows it. */
  faceId: string | null;
  /** Day from which the terminal knows the face (early members: their registration). */
  enrolledFrom: number;
  /** The person's face: every capture is this plus noise. */
  emb: Float32Array;
  /** Chance an enrolled face comes back unrecognised (personId null, with the embedding). */
  nullRate: number;
  /** Tries the face first and swipes the card when it fails (poor recognisers). */
  faceFirst: boolean;
  /** A registered ID number, used on 1 % of trips. */
  idNumber?: string;
  /** An ID number of their own that no roster holds (lodgers who swipe their ID card). */
  ownId?: string;
  /** The card carried (own, borrowed or staff), from `cardFrom`; chance of using it on a trip. */
  card: string | null;
  cardFrom: number;
  cardShare: number;
  /** Days [from, to) the card is not in this person's hands (lent, handed over). */
  cardAway: Array<[number, number]>;
  /** Doors on the way home: a gate, then the entrance. */
  doors: string[];
  /** Outings a day (each ends with coming home through the doors). */
  rate: number;
  /** The household they live in or visit. */
  household?: string;
  /** Holds a pass (a registered visitor or courier): not a stranger. */
  known?: boolean;
  /** Counts in the stranger_recurrent truth: unregistered, no pass, no staff card, not a resident. */
  stranger: boolean;
  /** Comes home in the morning (night shift). */
  night?: boolean;
  /** Days [from, to) the actor is around; absences inside. */
  from: number;
  to: number;
  away: Array<[number, number]>;
}

/** Whether the actor is at home (or visiting) on `day`. */
export const around = (a: Actor, day: number) =>
  day >= a.from && day < a.to && !a.away.some(([f, t]) => day >= f && day < t);

/** The card `a` carries on `day`, if any. */
export const cardOn = (a: Actor, day: number) =>
  a.card !== null && day >= a.cardFrom && !a.cardAway.some(([f, t]) => day >= f && day < t) ? a.card : null;

/** Whether the terminal recognises `a`'s face on `day` (before the capture can fail). */
export const enrolledOn = (a: Actor, day: number) => a.faceId !== null && day >= a.enrolledFrom;

/** An unregistered person (lodger, friend, guest, rider…) with a face of their own. */
export function outsider(
  seed: number,
  id: string,
  over: Partial<Actor> & Pick<Actor, 'doors' | 'from' | 'to'>,
): Actor {
  return {
    id,
    faceId: null,
    enrolledFrom: 0,
    emb: personEmbedding(seed, id),
    nullRate: 1,
    faceFirst: false,
    card: null,
    cardFrom: 0,
    cardShare: 0,
    cardAway: [],
    rate: 0.9,
    stranger: true,
    away: [],
    ...over,
  };
}

/** A lodger's way in: the household's card, the face alone, or an ID card of their own. */
export function lodgerMode(r: Random, faceOnly: number, ownId: number): Mode {
  const x = r.next();
  return x < faceOnly ? 'face' : x < faceOnly + ownId ? 'idcard' : 'card';
}

/** A face that resembles `base` by about `likeness` (cosine): blood relatives look alike. */
export function relatedFace(base: Float32Array, own: Float32Array, likeness: number): Float32Array {
  if (likeness <= 0) return own;
  const a = Math.sqrt(likeness);
  const b = Math.sqrt(1 - likeness);
  const v = new Float32Array(base.length);
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const x = a * (base[i] as number) + b * (own[i] as number);
    v[i] = x;
    n += x * x;
  }
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / n;
  return v;
}
