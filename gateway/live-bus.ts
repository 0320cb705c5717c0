import { EventEmitter } from 'node:events';
import type { AlertRecord } from './alerts/alert-manager.js';
import type { DoorView } from './doors/door-model.js';
import type { FireStatus } from './doors/fire-control.js';

/** One recorded entry as the live view and the API show it. */
export interface EntryView {
  seq: number;
  ts: number;
  readerId: string;
  doorId: string;
  direction: 'in' | 'out';
  type: string;
  outcome: 'granted' | 'denied';
  answer: 'unlock' | 'deny' | null;
  reasons: string[];
  residentId: string | null;
  householdId: string | null;
  thumb: string | null;
  offline: boolean;
  stale: boolean;
  /** The door schedule that applied (issue 13), `{schedule}:{mode}`, or null. */
  schedule?: string | null;
}

interface LiveEvents {
  entry: [EntryView];
  alert: [AlertRecord, boolean];
  /** A door's state changed (issue 13). */
  door: [DoorView];
  /** The fire all-open began, ended or changed its sources (issue 13). */
  fire: [FireStatus];
}

/** In-process fan-out of what just happened, for Server-Sent Events and the simulator. */
export class LiveBus extends EventEmitter<LiveEvents> {
  constructor() {
    super();
    // Every dashboard tab is a listener; the default limit of 10 is a false alarm here.
    this.setMaxListeners(0);
  }
}
