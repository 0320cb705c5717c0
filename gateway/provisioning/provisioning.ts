import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { LibraryKind } from '../../core/provisioning.js';
import type { DoorConfig } from '../config/schema.js';
import type { ProvisionedReader } from '../driver-set.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../store/store.js';
import { FaceSource } from './face-source.js';
import { FingerprintSource } from './fingerprint-source.js';
import { LibrarySchedule } from './library-schedule.js';
import type { LibrarySource, SyncCounters } from './library-source.js';
import { LibrarySync, type SyncedReader } from './library-sync.js';
import { SqliteSyncState } from './sync-state.js';

/** How the roster side of one kind of library is made, and which counters its syncs move. */
interface LibraryKindSpec {
  source(store: Store, clock: Clock): LibrarySource;
  counters(m: Metrics): SyncCounters;
}

/**
 * The kinds of reader library the roster can fill: fingerprint modules' pages (issue 3) and
 * face terminals' persons with name, validity, photo and cards (issue 11), whatever the
 * vendor: each face driver's provisioner speaks its own protocol.
 */
const KINDS: Partial<Record<LibraryKind, LibraryKindSpec>> = {
  fingerprint: {
    source: (store) => new FingerprintSource(store),
    counters: (m) => ({ runs: m.fingerprintSyncs, entries: m.fingerprintPages }),
  },
  face: {
    source: (store, clock) => new FaceSource(store, clock),
    counters: (m) => ({ runs: m.faceSyncs, entries: m.facePersons }),
  },
};

/** What createLibrarySync is given by the composition root. */
export interface LibrarySyncOptions {
  /** Readers whose driver exposes a library (DriverSet.provisioned()). */
  readers: readonly ProvisionedReader[];
  doors: readonly DoorConfig[];
  store: Store;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  /** Local HH:MM of the daily reconcile (config libraries.reconcileAt). */
  reconcileAt?: string;
}

/**
 * The roster sync of every reader library the drivers expose, or null when no reader has
 * one. Each reader is scoped by its door's building and entrance. A kind the roster
 * cannot fill yet is logged and left alone. Builds only: no I/O.
 */
export function createLibrarySync(o: LibrarySyncOptions): LibrarySync | null {
  const sources = new Map<LibraryKind, { source: LibrarySource; counters: SyncCounters }>();
  const synced: SyncedReader[] = [];
  for (const { reader, provisioner } of o.readers) {
    const spec = KINDS[provisioner.kind];
    if (!spec) {
      o.log.warn(
        { reader: reader.id, kind: provisioner.kind },
        'no roster source for this kind of reader library; not synced',
      );
      continue;
    }
    let kind = sources.get(provisioner.kind);
    if (!kind) {
      kind = { source: spec.source(o.store, o.clock), counters: spec.counters(o.metrics) };
      sources.set(provisioner.kind, kind);
    }
    const door = o.doors.find((d) => d.id === reader.door);
    synced.push({
      scope: { readerId: reader.id, building: door?.building ?? null, entrance: door?.entrance ?? null },
      provisioner,
      ...kind,
    });
  }
  if (synced.length === 0) return null;
  const schedule = new LibrarySchedule({
    store: o.store,
    clock: o.clock,
    log: o.log,
    reconcileAt: o.reconcileAt ?? '03:30',
  });
  return new LibrarySync({
    readers: synced,
    log: o.log,
    clock: o.clock,
    state: new SqliteSyncState(o.store),
    schedule,
  });
}
