/**
 * The doors as a part of the composition root (issue 13): the state machines, the fire
 * all-open, doors held unlocked by passage hours or fire, the exit button, remote unlock,
 * and the door events upstream. Every door command of the gateway passes through here on
 * its way to the drivers, so an unlock — a granted read's, a remote one, a hold's — tells
 * the door it may open. Built without I/O; `start` (before the drivers) connects the alarms
 * and reads the fire state back; `startHolds` (after the drivers) begins holding doors.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { DoorCommand, DoorSignal } from '../../core/contracts.js';
import { AuditLog } from '../accounts/audit.js';
import type { AlertRecord } from '../alerts/alert-manager.js';
import type { AlertCandidate } from '../alerts/per-entry.js';
import type { Config } from '../config/schema.js';
import type { LiveBus } from '../live-bus.js';
import type { Store } from '../store/store.js';
import type { DoorEvents } from './door-events.js';
import { DoorHold } from './door-hold.js';
import { DoorModel, type DoorTimers, type DoorView } from './door-model.js';
import { DoorOpener } from './door-opener.js';
import { FireControl, type FireStatus } from './fire-control.js';
import { type Limited, RemoteUnlockLimiter } from './remote-unlock.js';
import { DoorSchedules } from './schedule.js';

/** Where door commands go: the drivers. */
export interface CommandTarget {
  command(readerId: string, cmd: DoorCommand): void;
}

/** What the doors part is built from. */
export interface DoorsDeps {
  config: Config;
  store: Store;
  /** The drivers: every command goes on to them. */
  drivers: CommandTarget;
  /** Readers that switch nothing at their door (cameras): never sent an unlock. */
  switchesNothing: (readerId: string) => boolean;
  events: DoorEvents;
  live: LiveBus;
  clock: Clock;
  log: Logger;
  timers?: DoorTimers;
}

/** What the doors part needs once the pipeline runs. */
export interface DoorsLinks {
  /** Raises an alert that no read caused (the pipeline). */
  raise(c: AlertCandidate): AlertRecord | null;
  /** A camera snapshot of a door alarm: the thumbnail it will be, or null (no camera). */
  capture?(doorId: string, why: string, at: number): string | null;
}

/** A remote unlock as asked for (dashboard or API token). */
export interface RemoteUnlockRequest {
  doorId: string;
  actor: string;
  reason: string;
  /** Default: the door's unlockMs. */
  durationMs?: number;
}

/** How a remote unlock ended. */
export type RemoteUnlockResult =
  | { ok: true; doorId: string; durationMs: number; commandId: string; eventId: string }
  | { ok: false; status: 404 | 409 | 429; message: string; limited?: Limited };

/** The doors of the estate. */
export class Doors implements CommandTarget {
  readonly model: DoorModel;
  readonly fire: FireControl;
  readonly #d: DoorsDeps;
  readonly #doorOf: Map<string, string>;
  readonly #opener: DoorOpener;
  readonly #hold: DoorHold;
  readonly #limiter: RemoteUnlockLimiter;
  readonly #schedules: DoorSchedules;
  #holding = false;

  constructor(d: DoorsDeps) {
    this.#d = d;
    const cfg = d.config;
    this.#doorOf = new Map(cfg.readers.map((r) => [r.id, r.door]));
    this.model = new DoorModel({ doors: cfg.doors, clock: d.clock, log: d.log, timers: d.timers });
    this.fire = new FireControl({ store: d.store, clock: d.clock, log: d.log });
    this.#opener = new DoorOpener({
      doors: cfg.doors,
      readers: cfg.readers,
      switchesNothing: (r) => d.switchesNothing(r.id),
      send: (readerId, cmd) => this.command(readerId, cmd),
      clock: d.clock,
    });
    this.#schedules = new DoorSchedules(cfg.doors, cfg.schedules, cfg.calendar);
    this.#hold = new DoorHold({
      doorIds: cfg.doors.map((x) => x.id),
      model: this.model,
      schedules: this.#schedules,
      opener: this.#opener,
      fireActive: () => this.fire.active,
      refreshMs: cfg.doorControl.holdRefreshSeconds * 1000,
      clock: d.clock,
      log: d.log,
    });
    this.#limiter = new RemoteUnlockLimiter(cfg.doorControl.remoteUnlock);
  }

  /** Connects the alarms and the live view, and reads back a fire all-open that outlived a restart. */
  start(links: DoorsLinks): void {
    const d = this.#d;
    this.model.link({
      raise: (c) => links.raise(c),
      changed: (v) => d.live.emit('door', v),
      capture: (doorId, why, at) => links.capture?.(doorId, why, at) ?? null,
      heldCleared: (doorId, alertId, openedAt, at) =>
        this.#event('held_open_cleared', at, { doorId, alertId, openedAt: iso(openedAt), closedAt: iso(at) }),
    });
    const audit = new AuditLog(d.store.db, d.clock);
    this.fire.start({
      audit: (e) => audit.record(e),
      changed: (status, began, ended) => this.#fireChanged(status, began, ended, links),
    });
  }

  /** Begins holding doors unlocked (passage hours, fire): after the drivers are up. */
  startHolds(): void {
    this.#holding = true;
    this.#hold.start();
  }

  /** Stops holding doors: held ones relock within one refresh period (before the drivers stop). */
  stopHolds(): void {
    this.#holding = false;
    this.#hold.stop();
  }

  /** Stops every pending tick of the door machines. */
  stop(): void {
    this.stopHolds();
    this.model.stop();
  }

  /** Sends a door command on to the reader's driver; an unlock tells the door it may open. */
  command(readerId: string, cmd: DoorCommand): void {
    this.#d.drivers.command(readerId, cmd);
    if (cmd.action !== 'unlock') return;
    const doorId = this.#doorOf.get(readerId);
    const door = doorId === undefined ? undefined : this.#d.config.doors.find((x) => x.id === doorId);
    if (door) this.model.unlocked(door.id, cmd.durationMs ?? door.unlockMs);
  }

  /** A live door signal of a configured reader (DoorSignals has counted it and dropped replays). */
  signal(doorId: string, s: DoorSignal): void {
    if (s.kind === 'fire_alarm_on' || s.kind === 'fire_alarm_off') {
      this.fire.input(s.readerId, s.kind === 'fire_alarm_on');
      return;
    }
    this.model.signal(doorId, s);
    const hw = this.model.hardware(doorId);
    const door = this.#d.config.doors.find((x) => x.id === doorId);
    if (s.kind === 'exit_button' && hw?.exitButtonUnlocks && door && this.#hold.releaseOf(doorId) === null)
      this.#opener.open(doorId, door.unlockMs, 'exit');
  }

  /**
   * A remote unlock: checked (door, fire, limits), then `audit` is called with how it
   * ended — before the door opens, so no unlock happens unaudited — then the door opens and
   * the event goes upstream. Synchronous from the limit to the command.
   */
  remoteUnlock(
    r: RemoteUnlockRequest,
    audit: (outcome: 'ok' | 'refused', detail: Record<string, unknown>) => void,
  ): RemoteUnlockResult {
    const door = this.#d.config.doors.find((x) => x.id === r.doorId);
    const refuse = (status: 404 | 409 | 429, message: string, limited?: Limited): RemoteUnlockResult => {
      audit('refused', { why: limited?.why ?? message, reason: r.reason });
      return { ok: false, status, message, ...(limited ? { limited } : {}) };
    };
    if (!door) return refuse(404, `no door ${r.doorId}`);
    if (!this.#opener.canOpen(door.id))
      return refuse(409, 'the gateway switches no lock at this door (no lock, no reader with a relay)');
    if (this.fire.active && this.model.hardware(door.id)?.onFire === 'stay_locked')
      return refuse(409, 'fire all-open: this door is locked-safe and stays shut');
    const now = this.#d.clock.now();
    const limited = this.#limiter.take(r.actor, door.id, now);
    if (limited) return refuse(429, `too many remote unlocks (${limited.why})`, limited);
    const durationMs = r.durationMs ?? door.unlockMs;
    audit('ok', { reason: r.reason, durationMs });
    const commandId = this.#opener.open(door.id, durationMs, 'remote');
    this.#d.log.info({ door: door.id, actor: r.actor, durationMs }, 'remote unlock');
    const eventId = this.#event('remote_unlock', now, {
      doorId: door.id,
      door: door.name,
      actor: r.actor,
      reason: r.reason,
      durationMs,
      commandId,
    });
    return { ok: true, doorId: door.id, durationMs, commandId, eventId };
  }

  /** Every door's view and the fire all-open. */
  state(): { fire: FireStatus; doors: DoorView[] } {
    return { fire: this.fire.status, doors: this.model.views() };
  }

  /** Whether the gateway can open a door remotely at all (a lock, or readers with relays). */
  canOpen(doorId: string): boolean {
    return this.#opener.canOpen(doorId);
  }

  #fireChanged(status: FireStatus, began: boolean, ended: boolean, links: DoorsLinks): void {
    const d = this.#d;
    // Before the drivers are up (a declaration read back at start) the holds begin with them.
    if (this.#holding) this.#hold.evaluate();
    d.live.emit('fire', status);
    const lockedSafe = d.config.doors.filter((x) => this.model.hardware(x.id)?.onFire === 'stay_locked');
    if (began)
      links.raise({
        kind: 'fire_all_open',
        subject: 'estate:fire',
        householdId: null,
        residentId: null,
        doorId: null,
        readerId: status.inputs[0] ?? null,
        ts: status.since ?? d.clock.now(),
        details: {
          source: status.declared ? 'admin' : 'input',
          inputs: status.inputs,
          ...(status.declared ? { declaredBy: status.declared.actor, note: status.declared.reason } : {}),
          doorsOpened: d.config.doors.length - lockedSafe.length,
          lockedSafe: lockedSafe.map((x) => x.id),
        },
      });
    if (ended) this.#event('fire_cleared', d.clock.now(), { inputs: status.inputs });
  }

  #event(action: Parameters<DoorEvents['emit']>[0], at: number, data: Record<string, unknown>): string {
    try {
      return this.#d.events.emit(action, at, data);
    } catch (err) {
      this.#d.log.error({ err, action }, 'door event not stored for the upstream');
      return '';
    }
  }
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
