/**
 * The cast of a simulated year: everyone in it, the passes registered and the ground truth
 * planted. Its own module so the actors (actors.ts) and the planted cases (plants.ts) can
 * both add to it without importing each other.
 */
import type { Negative, PlantedCase } from './labels.js';
import type { Actor } from './people.js';

/** A pass the simulator registers (written to the read file, created through the PassService). */
export interface PlannedPass {
  day: number;
  body: Record<string, unknown>;
}

/** A rider or staff member: works some days, visits many entrances. */
export interface Worker {
  actor: Actor;
  kind: 'staff' | 'rider';
  /** Entrances visited (staff: their round; riders: anywhere). */
  round: string[];
}

/** Everyone in a simulated year, the passes registered, and the ground truth planted. */
export interface Cast {
  actors: Actor[];
  /** Residents (and their guests, lodgers, sitters) by household. */
  byHousehold: Map<string, Actor[]>;
  /** Residents and lodgers by entrance door: the neighbours who hold a door. */
  byEntrance: Map<string, Actor[]>;
  /** Strangers: how often they come (visits a day) and from when. */
  strangers: Array<{ actor: Actor; perDay: number }>;
  couriers: Actor[];
  workers: Worker[];
  /** Guests who come in with their hosts: actor → the household members they follow. */
  guests: Actor[];
  /** Sitters: actor and the days they come. */
  sitters: Array<{ actor: Actor; days: Set<number> }>;
  passes: PlannedPass[];
  cases: PlantedCase[];
  negatives: Negative[];
}

/** Adds an actor to the cast and its household and entrance lists. */
export function add(c: Cast, a: Actor): Actor {
  c.actors.push(a);
  if (a.household) {
    const l = c.byHousehold.get(a.household) ?? [];
    l.push(a);
    c.byHousehold.set(a.household, l);
  }
  const door = a.doors[1];
  if (door) {
    const l = c.byEntrance.get(door) ?? [];
    l.push(a);
    c.byEntrance.set(door, l);
  }
  return a;
}
