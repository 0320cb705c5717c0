import { label } from '../../core/codes.js';
import { maskName } from '../../core/id-number.js';
import type { AlertRecord } from '../alerts/alert-manager.js';
import type { DoorConfig } from '../config/schema.js';
import type { EntryView } from '../live-bus.js';
import type { EntryRow } from '../pipeline/journal.js';
import type { Db } from '../store/db.js';
import type { AlertRow } from '../store/queries.js';

/** Alert kinds whose facts are a chain of their own (no read caused them). */
const DOOR_ALARMS: ReadonlySet<string> = new Set([
  'door_forced',
  'door_held_open',
  'door_tamper',
  'fire_all_open',
]);

/** Turns stored rows into what the API returns: ISO times, door names, Chinese labels. */
export type Presenters = ReturnType<typeof presenters>;

/** What the presenters read: the doors' names and the store (resident names are in SQLite). */
export interface PresenterDeps {
  doors: readonly Pick<DoorConfig, 'id' | 'name'>[];
  db: Db;
}

/** Builds the presenters over the store. */
export function presenters(d: PresenterDeps) {
  const doorNames = new Map(d.doors.map((x) => [x.id, x.name]));
  // Names live in SQLite, not in the in-memory roster index (which holds only what the
  // door decision needs).
  const nameOf = d.db.prepare('SELECT name FROM residents WHERE id = ?').pluck();
  const residentName = (id: string | null) => (id ? ((nameOf.get(id) as string | undefined) ?? null) : null);
  return {
    doorName: (id: string) => doorNames.get(id) ?? null,
    entry: (e: EntryView | EntryRow) => ({
      seq: e.seq,
      time: new Date(e.ts).toISOString(),
      readerId: e.readerId,
      doorId: e.doorId,
      doorName: doorNames.get(e.doorId) ?? null,
      direction: e.direction,
      type: e.type,
      score: 'score' in e ? (e.score ?? null) : null,
      outcome: e.outcome,
      answer: e.answer,
      reasons: e.reasons,
      reasonLabels: e.reasons.map((r) => label('reason', r)),
      residentId: e.residentId,
      residentName: residentName(e.residentId),
      householdId: e.householdId,
      thumb: e.thumb,
      offline: e.offline,
      stale: e.stale,
      schedule: e.schedule ?? null,
    }),
    alert: (a: AlertRow | AlertRecord) => {
      const ev = a.evidence as Partial<AlertRecord['evidence']> | null;
      const entries = ev?.entries;
      // Door alarms carry their facts as a chain (issue 13); pattern findings' chains are
      // shown with their case (routes/cases.ts), not here.
      const details = DOOR_ALARMS.has(a.kind) && ev?.chain ? { details: ev.chain } : {};
      return {
        id: a.id,
        kind: a.kind,
        label: label('alertKind', a.kind),
        severity: a.severity,
        state: a.state,
        householdId: a.householdId,
        residentId: a.residentId,
        doorId: a.doorId,
        readerId: a.readerId,
        firstTime: new Date(a.firstTs).toISOString(),
        lastTime: new Date(a.lastTs).toISOString(),
        count: a.count,
        evidence: (Array.isArray(entries) ? entries : []).map((x) => ({
          ...x,
          time: new Date(x.ts).toISOString(),
        })),
        ...details,
      };
    },
  };
}

/** An entry as a viewer sees it (design.md §9): the resident's name masked, 张伟 → 张*. */
export function maskEntry<E extends { residentName: string | null }>(e: E, masked: boolean): E {
  return masked && e.residentName ? { ...e, residentName: maskName(e.residentName) } : e;
}
