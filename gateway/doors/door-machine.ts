/**
 * One door's state machine (issue 13), pure: inputs with their gateway-clock time in, the
 * next state and what happened out. The door part (door-model.ts) feeds it the drivers'
 * signals and the unlocks the gateway sends, and ticks it at `nextDeadline`; the tests
 * drive it by table. Nothing here knows a driver, a timer or the store.
 *
 * What it judges:
 * - the contact is debounced: a change counts once it has held for `debounceMs`, and it
 *   counts from when it began (a door that bounced shut and open again did not open twice);
 * - an opening is **forced** when no unlock and no exit-button press authorised it: an
 *   unlock authorises from a debounce before it was sent (its report may trail the contact's)
 *   until its pulse ended or `forcedWindowMs` passed, whichever is later;
 * - a door open for `heldOpenMs` is **held open**, once per opening, clearing when it closes;
 * - while the door is released (passage schedule, fire all-open) nothing alarms: an open
 *   door is what the release is for; held-open timing starts again when the release ends;
 * - a door whose config says it has no contact never alarms, whatever is reported.
 */

/** How one door is judged, from its config. */
export interface DoorRules {
  /** The door has a contact (门磁). Without one, contact reports and alarms are ignored. */
  contact: boolean;
  /** A contact change counts once it has held this long. */
  debounceMs: number;
  /** Open this long (outside a release) is held open. */
  heldOpenMs: number;
  /** An opening this soon after an unlock or an exit-button press is not forced. */
  forcedWindowMs: number;
}

/** A contact reading. */
export type ContactValue = 'open' | 'closed';

/** Why a door is held unlocked, if it is: a passage schedule or the fire all-open. */
export type Release = 'passage' | 'fire' | null;

/** How an opening was judged. */
export type Judgement = 'authorised' | 'forced' | 'released' | 'unknown';

/** The state of one door. */
export interface DoorState {
  /** The debounced contact; unknown until the first reading has held. */
  contact: ContactValue | 'unknown';
  /** A raw change waiting out its debounce, and when it began. */
  pending: { value: ContactValue; at: number } | null;
  /** When the current opening began; null while closed or unknown. */
  openedAt: number | null;
  /** Held-open timing of the current opening counts from here; null while released or closed. */
  heldFrom: number | null;
  /** Openings in [from, until] are authorised (an unlock or an exit press). */
  authorised: { from: number; until: number } | null;
  release: Release;
  /** When the current release began; null when not released. */
  releasedAt: number | null;
  /** The current opening was forced (until the door closes). */
  forced: boolean;
  /** The current opening is held open (until the door closes or a release starts). */
  held: boolean;
  /** When the debounced contact last changed. */
  changedAt: number | null;
}

/** What a door is told. Times are the gateway clock (when the signal arrived, the unlock left). */
export type DoorInput =
  | { kind: 'contact'; value: ContactValue; at: number }
  | { kind: 'unlock'; at: number; durationMs: number }
  | { kind: 'exit'; at: number }
  | { kind: 'release'; release: Release; at: number }
  /** A terminal that judges its own door reported it forced (Hikvision, Dahua, ZKTeco events). */
  | { kind: 'device_forced'; at: number }
  /** A terminal reported its door held open. */
  | { kind: 'device_held'; at: number }
  | { kind: 'tick'; at: number };

/** What happened at a door, for the door part to alarm, log and show. */
export type DoorEffect =
  | { kind: 'opened'; at: number; judged: Judgement }
  | { kind: 'closed'; at: number; openMs: number | null }
  | { kind: 'forced'; at: number }
  | { kind: 'held_open'; at: number; openedAt: number }
  | { kind: 'held_cleared'; at: number; openedAt: number | null; why: 'closed' | 'released' }
  /** A raw change that did not hold for the debounce (a loose contact, a slammed door). */
  | { kind: 'bounce'; at: number };

/** The next state and what the input caused. */
export interface Step {
  state: DoorState;
  effects: DoorEffect[];
}

/** A door before anything is known of it. */
export function initialDoorState(): DoorState {
  return {
    contact: 'unknown',
    pending: null,
    openedAt: null,
    heldFrom: null,
    authorised: null,
    release: null,
    releasedAt: null,
    forced: false,
    held: false,
    changedAt: null,
  };
}

/** Applies one input. Pure: `s` is not changed. */
export function step(rules: DoorRules, s: DoorState, input: DoorInput): Step {
  const next: DoorState = {
    ...s,
    pending: s.pending && { ...s.pending },
    authorised: s.authorised && { ...s.authorised },
  };
  const effects: DoorEffect[] = [];
  // Deadlines that passed before this input come first (a late timer must not reorder).
  advance(rules, next, input.at, effects);
  switch (input.kind) {
    case 'contact':
      if (rules.contact) contact(rules, next, input.value, input.at, effects);
      break;
    case 'unlock':
      authorise(
        next,
        input.at - rules.debounceMs,
        input.at + Math.max(input.durationMs, rules.forcedWindowMs),
      );
      break;
    case 'exit':
      authorise(next, input.at - rules.debounceMs, input.at + rules.forcedWindowMs);
      break;
    case 'release':
      release(rules, next, input.release, input.at, effects);
      break;
    case 'device_forced':
      if (rules.contact && next.release === null && !next.forced) {
        if (next.contact !== 'open') open(next, input.at);
        next.forced = true;
        effects.push({ kind: 'forced', at: input.at });
      }
      break;
    case 'device_held':
      if (rules.contact && next.release === null && !next.held) {
        if (next.contact !== 'open') open(next, input.at);
        next.held = true;
        effects.push({ kind: 'held_open', at: input.at, openedAt: next.openedAt ?? input.at });
      }
      break;
    case 'tick':
      break;
  }
  advance(rules, next, input.at, effects);
  return { state: next, effects };
}

/** When the door next needs a tick: a debounce ending, a held-open deadline; null for none. */
export function nextDeadline(rules: DoorRules, s: DoorState): number | null {
  const times: number[] = [];
  if (s.pending) times.push(s.pending.at + rules.debounceMs);
  if (s.contact === 'open' && !s.held && s.heldFrom !== null) times.push(s.heldFrom + rules.heldOpenMs);
  return times.length > 0 ? Math.min(...times) : null;
}

/** Confirms a pending change whose debounce is over, then starts held open if it is due. */
function advance(rules: DoorRules, s: DoorState, now: number, effects: DoorEffect[]): void {
  if (s.pending && now >= s.pending.at + rules.debounceMs) {
    const { value, at } = s.pending;
    s.pending = null;
    confirm(s, value, at, effects);
  }
  if (s.contact === 'open' && !s.held && s.heldFrom !== null && now >= s.heldFrom + rules.heldOpenMs) {
    s.held = true;
    effects.push({
      kind: 'held_open',
      at: s.heldFrom + rules.heldOpenMs,
      openedAt: s.openedAt ?? s.heldFrom,
    });
  }
}

function contact(
  rules: DoorRules,
  s: DoorState,
  value: ContactValue,
  at: number,
  effects: DoorEffect[],
): void {
  if (s.pending) {
    if (s.pending.value === value) return; // the same change reported again
    // Back to the confirmed value before the debounce ended: it never happened.
    s.pending = null;
    effects.push({ kind: 'bounce', at });
    if (s.contact === value) return;
  } else if (s.contact === value) {
    return; // a repeat of what is known (polled boards report every change once, terminals may not)
  }
  s.pending = { value, at };
  if (rules.debounceMs === 0) advance(rules, s, at, effects);
}

function confirm(s: DoorState, value: ContactValue, at: number, effects: DoorEffect[]): void {
  const before = s.contact;
  if (value === 'open') {
    const judged: Judgement =
      s.release !== null
        ? 'released'
        : before === 'unknown'
          ? 'unknown' // found open at start-up: when or how it opened is not known
          : s.authorised && at >= s.authorised.from && at <= s.authorised.until
            ? 'authorised'
            : 'forced';
    open(s, at);
    effects.push({ kind: 'opened', at, judged });
    if (judged === 'forced') {
      s.forced = true;
      effects.push({ kind: 'forced', at });
    }
    return;
  }
  const openedAt = s.openedAt;
  s.contact = 'closed';
  s.changedAt = at;
  if (before === 'unknown') return; // the first reading: nothing closed
  effects.push({ kind: 'closed', at, openMs: openedAt === null ? null : at - openedAt });
  if (s.held) effects.push({ kind: 'held_cleared', at, openedAt, why: 'closed' });
  s.openedAt = null;
  s.heldFrom = null;
  s.forced = false;
  s.held = false;
}

function open(s: DoorState, at: number): void {
  s.contact = 'open';
  s.changedAt = at;
  s.openedAt = at;
  s.heldFrom = s.release === null ? at : null;
}

/** Adds an authorisation window, merged with the current one when they touch. */
function authorise(s: DoorState, from: number, until: number): void {
  const a = s.authorised;
  s.authorised =
    a && from <= a.until
      ? { from: Math.min(a.from, from), until: Math.max(a.until, until) }
      : { from, until };
}

function release(rules: DoorRules, s: DoorState, r: Release, at: number, effects: DoorEffect[]): void {
  if (s.release === r) return;
  const since = s.releasedAt;
  s.release = r;
  s.releasedAt = r === null ? null : (since ?? at);
  if (r !== null) {
    // The door is meant to stand open now: no held-open timing, and one already raised clears.
    s.heldFrom = null;
    if (s.held) {
      s.held = false;
      effects.push({ kind: 'held_cleared', at, openedAt: s.openedAt, why: 'released' });
    }
    return;
  }
  // Released no more: a door still open is timed from now; an opening that began during
  // the release or right after it (someone was passing as it ended) is authorised, as after
  // an unlock.
  if (s.contact === 'open') s.heldFrom = at;
  authorise(s, since ?? at, at + rules.forcedWindowMs);
}
