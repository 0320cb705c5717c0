/**
 * Fire all-open (消防联动, issue 13): the fire-alarm input of any IO board or terminal, or an
 * admin on the dashboard, opens every door whose config allows it and keeps it open until
 * the input clears (or the admin ends it; never while an input is still on). Going active is
 * audited and raises the critical alert fire_all_open, which goes upstream; ending is
 * audited and sent upstream as estate.door.fire_cleared. What an admin declared is kept in
 * the store, so a restart during a fire does not shut the doors; the inputs are read from
 * the hardware again.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { AuditEvent } from '../accounts/audit.js';
import type { Store } from '../store/store.js';

/** Who declared the all-open on the dashboard. */
export interface FireDeclaration {
  actor: string;
  reason: string;
  since: number;
}

/** The fire all-open as the dashboard and the API show it. */
export interface FireStatus {
  active: boolean;
  /** When the current all-open began. */
  since: number | null;
  /** Readers whose fire input is on. */
  inputs: string[];
  /** An admin's declaration, if one is in force. */
  declared: FireDeclaration | null;
}

/** Where the fire control reports (the doors part wires them). */
export interface FireLinks {
  /** The all-open began or ended, or its sources changed. */
  changed(status: FireStatus, began: boolean, ended: boolean): void;
  /** Writes an audit row (hardware inputs are audited as `device:{reader}`). */
  audit(e: AuditEvent): void;
}

/** What the fire control is built from. */
export interface FireControlDeps {
  store: Store;
  clock: Clock;
  log: Logger;
}

const KEY = 'fire.declared';

/** The fire all-open state of the estate. */
export class FireControl {
  readonly #d: FireControlDeps;
  readonly #inputs = new Set<string>();
  #declared: FireDeclaration | null = null;
  #since: number | null = null;
  #links: FireLinks | null = null;

  constructor(d: FireControlDeps) {
    this.#d = d;
  }

  /** Connects the fire control and reads back a declaration that outlived a restart. */
  start(links: FireLinks): void {
    this.#links = links;
    const raw = this.#d.store.statement('SELECT value FROM door_settings WHERE key = ?').pluck().get(KEY);
    if (typeof raw !== 'string') return;
    try {
      this.#declared = JSON.parse(raw) as FireDeclaration;
    } catch {
      this.#d.log.error('the stored fire declaration is unreadable; ignored');
      return;
    }
    this.#d.log.warn(
      { actor: this.#declared.actor },
      'fire all-open declared before the restart: doors stay open',
    );
    this.#update();
  }

  get status(): FireStatus {
    return {
      active: this.active,
      since: this.#since,
      inputs: [...this.#inputs].sort(),
      declared: this.#declared && { ...this.#declared },
    };
  }

  /** Whether every door that allows it stands open for the fire. */
  get active(): boolean {
    return this.#inputs.size > 0 || this.#declared !== null;
  }

  /** A reader's fire-alarm input went on or off. */
  input(readerId: string, on: boolean): void {
    if (this.#inputs.has(readerId) === on) return;
    if (on) this.#inputs.add(readerId);
    else this.#inputs.delete(readerId);
    this.#d.log.warn({ reader: readerId, on }, on ? 'fire alarm input on' : 'fire alarm input off');
    this.#links?.audit({
      actor: `device:${readerId}`,
      action: on ? 'fire.input_on' : 'fire.input_off',
      target: readerId,
    });
    this.#update();
  }

  /** An admin declares the all-open (a drill, a fire the panel did not signal). */
  declare(actor: string, reason: string): FireStatus {
    if (!this.#declared) {
      const now = this.#d.clock.now();
      this.#declared = { actor, reason, since: now };
      this.#d.store
        .statement(
          'INSERT INTO door_settings(key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        )
        .run(KEY, JSON.stringify(this.#declared), now);
      this.#d.log.warn({ actor }, 'fire all-open declared');
      this.#update();
    }
    return this.status;
  }

  /**
   * An admin ends a declared all-open. Refused (null) while a fire input is still on: the
   * fire panel, not the dashboard, says when the building is safe.
   */
  clear(actor: string): FireStatus | null {
    if (this.#inputs.size > 0) return null;
    if (this.#declared) {
      this.#declared = null;
      this.#d.store.statement('DELETE FROM door_settings WHERE key = ?').run(KEY);
      this.#d.log.warn({ actor }, 'fire all-open ended');
      this.#update();
    }
    return this.status;
  }

  #update(): void {
    const began = this.active && this.#since === null;
    const ended = !this.active && this.#since !== null;
    if (began) this.#since = this.#declared?.since ?? this.#d.clock.now();
    if (ended) this.#since = null;
    this.#links?.changed(this.status, began, ended);
  }
}
