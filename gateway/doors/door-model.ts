/**
 * Every door's state machine (door-machine.ts) in the running gateway (issue 13): driver
 * signals and the unlocks the gateway sends go in, each door is ticked at its next
 * deadline, and what the machines say comes out as alerts (door_forced, door_held_open,
 * with the camera's snapshot as evidence), live views for the devices page and log lines.
 * Driver-agnostic: an IO board's polled input, a face terminal's door event and a vendor
 * terminal's own forced/held judgement arrive as the same DoorSignal kinds.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { AlertKind, DoorStateCode } from '../../core/codes.js';
import type { DoorSignal } from '../../core/contracts.js';
import type { AlertRecord } from '../alerts/alert-manager.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { DoorConfig } from '../config/schema.js';
import { type DoorHardware, doorHardware } from '../config/schema-doors.js';
import {
  type DoorEffect,
  type DoorInput,
  type DoorRules,
  type DoorState,
  initialDoorState,
  nextDeadline,
  type Release,
  step,
} from './door-machine.js';

/** Timers the model schedules its ticks with (Node's by default; tests pass fake ones). */
export interface DoorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_TIMERS: DoorTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A door as the devices page and /api/doors/state show it. */
export interface DoorView {
  id: string;
  name: string;
  state: DoorStateCode;
  /** The debounced contact; null for a door configured without one. */
  contact: 'open' | 'closed' | 'unknown' | null;
  /** When the contact last changed, epoch ms. */
  changedAt: number | null;
  openedAt: number | null;
  forced: boolean;
  held: boolean;
  release: Release;
  onFire: DoorHardware['onFire'];
  camera: string | null;
  /** The last live signal of the door's hardware. */
  lastSignal: { kind: DoorSignal['kind']; readerId: string; at: number } | null;
}

/** Where the model's findings go; the doors part wires them. */
export interface DoorModelLinks {
  /** Raises an alert (the pipeline): the stored alert, or null. */
  raise(c: AlertCandidate): AlertRecord | null;
  /** A door's view changed. */
  changed(v: DoorView): void;
  /** Asks the door's camera for a snapshot of an alarm; the thumbnail it will be, or null. */
  capture(doorId: string, why: string, at: number): string | null;
  /** A held-open door closed (or was released) again: told upstream. */
  heldCleared(doorId: string, alertId: string | null, openedAt: number | null, at: number): void;
}

/** What the door model is built from. */
export interface DoorModelOptions {
  doors: readonly DoorConfig[];
  clock: Clock;
  log: Logger;
  timers?: DoorTimers;
}

interface Door {
  cfg: DoorConfig;
  hw: DoorHardware;
  rules: DoorRules;
  state: DoorState;
  timer: unknown;
  lastSignal: DoorView['lastSignal'];
  /** The held-open alert of the current opening, to cite when it clears. */
  heldAlert: string | null;
}

/** The state machines of every configured door. */
export class DoorModel {
  readonly #doors = new Map<string, Door>();
  readonly #o: DoorModelOptions;
  readonly #timers: DoorTimers;
  #links: DoorModelLinks | null = null;

  constructor(o: DoorModelOptions) {
    this.#o = o;
    this.#timers = o.timers ?? NODE_TIMERS;
    for (const cfg of o.doors) {
      const hw = doorHardware(cfg);
      this.#doors.set(cfg.id, {
        cfg,
        hw,
        rules: {
          contact: hw.contact,
          debounceMs: hw.contactDebounceMs,
          heldOpenMs: hw.heldOpenSeconds * 1000,
          forcedWindowMs: hw.forcedWindowSeconds * 1000,
        },
        state: initialDoorState(),
        timer: undefined,
        lastSignal: null,
        heldAlert: null,
      });
    }
  }

  /** Connects the model to the alerts, the live view and the cameras (the doors part's start). */
  link(links: DoorModelLinks): void {
    this.#links = links;
  }

  /** Stops every pending tick. */
  stop(): void {
    for (const d of this.#doors.values()) {
      this.#timers.clearTimeout(d.timer);
      d.timer = undefined;
    }
  }

  /** Whether a door is configured. */
  has(doorId: string): boolean {
    return this.#doors.has(doorId);
  }

  /** A live signal of a door's hardware (the caller mapped reader → door and dropped replays). */
  signal(doorId: string, s: DoorSignal): void {
    const d = this.#doors.get(doorId);
    if (!d) return;
    d.lastSignal = { kind: s.kind, readerId: s.readerId, at: s.receivedAt };
    const at = s.receivedAt;
    const input: DoorInput | null =
      s.kind === 'contact_open' || s.kind === 'contact_closed'
        ? { kind: 'contact', value: s.kind === 'contact_open' ? 'open' : 'closed', at }
        : s.kind === 'exit_button'
          ? { kind: 'exit', at }
          : s.kind === 'lock_opened'
            ? { kind: 'unlock', at, durationMs: d.cfg.unlockMs }
            : s.kind === 'forced_open'
              ? { kind: 'device_forced', at }
              : s.kind === 'held_open'
                ? { kind: 'device_held', at }
                : null;
    if (input) this.#apply(d, input, s.readerId);
    else this.#changed(d);
    if (s.kind === 'tamper') {
      this.#o.log.warn({ door: doorId, reader: s.readerId }, 'door device tampered');
      this.#alarm(d, 'door_tamper', at, s.readerId, { reader: s.readerId, at: iso(at) });
    }
  }

  /** The gateway sent an unlock to a door (a granted read, a remote unlock, the exit button, a hold). */
  unlocked(doorId: string, durationMs: number): void {
    const d = this.#doors.get(doorId);
    if (d) this.#apply(d, { kind: 'unlock', at: this.#o.clock.now(), durationMs }, null);
  }

  /** A door is released (held unlocked by passage or fire) or no longer. */
  release(doorId: string, release: Release): void {
    const d = this.#doors.get(doorId);
    if (d && d.state.release !== release)
      this.#apply(d, { kind: 'release', release, at: this.#o.clock.now() }, null);
  }

  /** The hardware settings of a door. */
  hardware(doorId: string): DoorHardware | undefined {
    return this.#doors.get(doorId)?.hw;
  }

  /** Every door's view, in config order. */
  views(): DoorView[] {
    return [...this.#doors.values()].map((d) => view(d));
  }

  /** One door's view. */
  view(doorId: string): DoorView | undefined {
    const d = this.#doors.get(doorId);
    return d && view(d);
  }

  #apply(d: Door, input: DoorInput, readerId: string | null): void {
    const r = step(d.rules, d.state, input);
    const before = view(d);
    d.state = r.state;
    for (const e of r.effects) this.#effect(d, e, readerId);
    this.#schedule(d);
    const after = view(d);
    if (!sameView(before, after)) this.#links?.changed(after);
  }

  #changed(d: Door): void {
    this.#links?.changed(view(d));
  }

  #schedule(d: Door): void {
    this.#timers.clearTimeout(d.timer);
    d.timer = undefined;
    const due = nextDeadline(d.rules, d.state);
    if (due === null) return;
    d.timer = this.#timers.setTimeout(
      () => {
        d.timer = undefined;
        this.#apply(d, { kind: 'tick', at: Math.max(due, this.#o.clock.now()) }, null);
      },
      Math.max(0, due - this.#o.clock.now()),
    );
  }

  #effect(d: Door, e: DoorEffect, readerId: string | null): void {
    const log = this.#o.log;
    const door = d.cfg.id;
    switch (e.kind) {
      case 'forced':
        log.warn({ door, reader: readerId }, 'door forced open');
        this.#alarm(d, 'door_forced', e.at, readerId, { openedAt: iso(e.at) });
        break;
      case 'held_open': {
        log.warn({ door, openSeconds: Math.round((e.at - e.openedAt) / 1000) }, 'door held open');
        const a = this.#alarm(d, 'door_held_open', e.at, readerId, {
          openedAt: iso(e.openedAt),
          heldOpenSeconds: d.hw.heldOpenSeconds,
        });
        d.heldAlert = a?.id || null;
        break;
      }
      case 'held_cleared':
        log.info({ door, why: e.why }, 'door no longer held open');
        this.#links?.heldCleared(door, d.heldAlert, e.openedAt, e.at);
        d.heldAlert = null;
        break;
      case 'bounce':
        log.debug({ door }, 'door contact bounced');
        break;
      case 'opened':
        log.debug({ door, judged: e.judged }, 'door opened');
        break;
      case 'closed':
        log.debug({ door, openMs: e.openMs }, 'door closed');
        break;
    }
  }

  #alarm(
    d: Door,
    kind: AlertKind,
    at: number,
    readerId: string | null,
    facts: Record<string, unknown>,
  ): AlertRecord | null {
    const links = this.#links;
    if (!links) return null;
    const thumb = links.capture(d.cfg.id, kind, at);
    return links.raise({
      kind,
      subject: `door:${d.cfg.id}`,
      householdId: null,
      residentId: null,
      doorId: d.cfg.id,
      readerId: readerId ?? d.lastSignal?.readerId ?? null,
      ts: at,
      details: { door: d.cfg.name, doorId: d.cfg.id, ...facts, ...(thumb ? { thumbs: [thumb] } : {}) },
    });
  }
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * Whether two views of a door show the same: every field, the last signal by value. It
 * replaced comparing the views' JSON, two stringifications on every granted read (issue 15).
 */
export function sameView(a: DoorView, b: DoorView): boolean {
  const x = a.lastSignal;
  const y = b.lastSignal;
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.state === b.state &&
    a.contact === b.contact &&
    a.changedAt === b.changedAt &&
    a.openedAt === b.openedAt &&
    a.forced === b.forced &&
    a.held === b.held &&
    a.release === b.release &&
    a.onFire === b.onFire &&
    a.camera === b.camera &&
    (x === y || (x !== null && y !== null && x.kind === y.kind && x.readerId === y.readerId && x.at === y.at))
  );
}

function view(d: Door): DoorView {
  const s = d.state;
  const contact = d.hw.contact ? s.contact : null;
  const state: DoorStateCode =
    s.release === 'fire'
      ? 'fire'
      : s.forced
        ? 'forced'
        : s.held
          ? 'held'
          : s.release === 'passage'
            ? 'passage'
            : contact === null
              ? 'no_contact'
              : contact;
  return {
    id: d.cfg.id,
    name: d.cfg.name,
    state,
    contact,
    changedAt: s.changedAt,
    openedAt: s.openedAt,
    forced: s.forced,
    held: s.held,
    release: s.release,
    onFire: d.hw.onFire,
    camera: d.hw.camera,
    lastSignal: d.lastSignal,
  };
}
