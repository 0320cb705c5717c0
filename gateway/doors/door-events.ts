import { cloudEvent, type DoorEventAction } from '../../core/cloudevent.js';
import { newId } from '../../core/ids.js';
import type { Store } from '../store/store.js';
import { CLASS_ALERT, type Outbox } from '../upstream/outbox.js';

/** What door events are built from. */
export interface DoorEventsDeps {
  store: Store;
  outbox: Outbox;
  /** This gateway's CloudEvents source. */
  source: string;
  /** Wakes the upstream delivery after an event is stored. */
  kick?: () => void;
}

/**
 * The `estate.door.*` CloudEvents (issue 13): a remote unlock, the end of a fire all-open,
 * a held-open door closed again. They go on the alerts channel with the alerts' delivery
 * class: the district system follows door alarms and what ended them. Each is stored in
 * its own transaction; a store that fails is thrown to the caller (who audits first).
 */
export class DoorEvents {
  readonly #d: DoorEventsDeps;

  constructor(d: DoorEventsDeps) {
    this.#d = d;
  }

  /** Stores one event for the upstream; returns its id. */
  emit(action: DoorEventAction, time: number, data: Record<string, unknown>): string {
    const id = newId('de', time);
    const ev = cloudEvent(this.#d.source, { id, type: `estate.door.${action}`, time, data });
    this.#d.store.db.transaction(() => this.#d.outbox.add(ev, CLASS_ALERT, 'alerts', time))();
    this.#d.kick?.();
    return id;
  }
}
