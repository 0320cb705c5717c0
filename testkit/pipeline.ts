/**
 * A pipeline under test with every part real — a temporary SQLite file, the alert manager,
 * the outbox, the device registry — built through createPipeline as the gateway builds
 * it, so a test names only what it is about (doors, readers, roster, detectors).
 */
import path from 'node:path';
import type { Test } from 'tap';
import { type Clock, systemClock } from '../core/clock.js';
import type { CredentialRead, DoorCommand } from '../core/contracts.js';
import { AlertManager } from '../gateway/alerts/alert-manager.js';
import type { Config } from '../gateway/config/schema.js';
import { DeviceRegistry } from '../gateway/devices.js';
import { LiveBus } from '../gateway/live-bus.js';
import { silentLogger } from '../gateway/log.js';
import { createMetrics, type Metrics } from '../gateway/metrics.js';
import type { Pass } from '../gateway/passes/model.js';
import type { PassIndex } from '../gateway/passes/pass-index.js';
import { createPipeline } from '../gateway/pipeline/create.js';
import type { Detector, Pipeline } from '../gateway/pipeline/pipeline.js';
import { Thumbnailer } from '../gateway/pipeline/thumbnails.js';
import type { Household, Resident, RosterSnapshot } from '../gateway/roster/model.js';
import { RosterIndex } from '../gateway/roster/roster-index.js';
import { RosterState } from '../gateway/roster/roster-state.js';
import { type Db, openDb } from '../gateway/store/db.js';
import { Store } from '../gateway/store/store.js';
import { Outbox } from '../gateway/upstream/outbox.js';
import { testConfig } from './config.js';
import { tmpDir } from './tmp.js';

/** The CloudEvents source of a kit's pipeline. */
export const KIT_SOURCE = 'urn:estate:SH-TEST:gateway:gw-t';
/** The ID-number HMAC key of a kit's pipeline. */
export const KIT_ID_KEY = 'ee'.repeat(32);

/** What a test may set; everything else has a working default. */
export interface PipelineKitOptions {
  /** Overrides of testConfig (doors, readers, store, upstream…). */
  config?: Record<string, unknown>;
  /** Default: one active household H1 of building B01 with leaseholder R1, face F1. */
  roster?: RosterSnapshot;
  detectors?: Detector[];
  passes?: PassIndex;
  clock?: Clock;
}

/** A door command the pipeline sent, with the journal's rows when it was sent. */
export interface SentCommand {
  reader: string;
  cmd: DoorCommand;
  /** Rows the pipeline's connection had written, its open transaction's included. */
  writtenRows: number;
  /** Rows committed (as another connection sees them: on disk). */
  committedRows: number;
}

/** The pipeline and the parts a test looks at. */
export interface PipelineKit {
  pipeline: Pipeline;
  config: Config;
  db: Db;
  store: Store;
  outbox: Outbox;
  alerts: AlertManager;
  metrics: Metrics;
  live: LiveBus;
  /** The device registry: online state, clock offsets. */
  devices: DeviceRegistry;
  /** Every door command sent, in order. */
  commands: SentCommand[];
  /** Rows in the journal now. */
  rows(): number;
  /** The sample lines of one metric (comments left out). */
  metric(name: string): Promise<string[]>;
}

/** A household and its members, for tests' rosters. */
export function household(id: string, over: Partial<Household> = {}): Household {
  return {
    id,
    buildingId: 'B01',
    entranceId: 'B01-U1',
    room: '0101',
    housingType: 'gongzu',
    leaseStart: null,
    leaseEnd: null,
    status: 'active',
    ...over,
  };
}

/** An active leaseholder of `householdId` with no ID number on file. */
export function resident(id: string, householdId: string, over: Partial<Resident> = {}): Resident {
  return {
    id,
    householdId,
    role: 'leaseholder',
    name: '张三',
    idHash: null,
    idMasked: null,
    phoneMasked: null,
    validFrom: null,
    validTo: null,
    status: 'active',
    ...over,
  };
}

/** A visitor pass to household H1 with no face, phone or ID on it, valid from 0 to `validTo`. */
export function pass(id: string, over: Partial<Pass> = {}): Pass {
  return {
    id,
    kind: 'visitor',
    householdId: 'H1',
    name: '访客',
    phoneMasked: null,
    phoneHash: null,
    idHash: null,
    idMasked: null,
    cardUid: null,
    facePersonId: null,
    embedding: null,
    token: null,
    validFrom: 0,
    validTo: Number.MAX_SAFE_INTEGER,
    revokedAt: null,
    createdBy: 'test',
    createdAt: 0,
    note: null,
    ...over,
  };
}

const ONE_RESIDENT: RosterSnapshot = {
  buildings: [{ id: 'B01', name: '1号楼' }],
  entrances: [],
  households: [household('H1')],
  residents: [resident('R1', 'H1')],
  credentials: [{ kind: 'face', key: 'F1', residentId: 'R1' }],
};

/** Builds a pipeline on a fresh database; the test's teardown closes and removes it. */
export function pipelineKit(t: Test, opts: PipelineKitOptions = {}): PipelineKit {
  const { dir, cleanup } = tmpDir();
  const config = testConfig(opts.config);
  const clock = opts.clock ?? systemClock;
  const db = openDb(path.join(dir, 'g.db'));
  const store = Store.of(db);
  const metrics = createMetrics();
  const log = silentLogger();
  const live = new LiveBus();
  const outbox = new Outbox(store);
  const alerts = new AlertManager(store, outbox, KIT_SOURCE, config.alerts.coalesceSeconds * 1000);
  const devices = new DeviceRegistry(store, config.readers, { clock, graceMs: 60_000, log });
  const rows = () => db.prepare('SELECT count(*) FROM journal').pluck().get() as number;
  // A second connection sees only what is committed, as a reader after a power cut would.
  const onDisk = openDb(path.join(dir, 'g.db'), { readonly: true });
  const committed = onDisk.prepare('SELECT count(*) FROM journal').pluck();
  const commands: SentCommand[] = [];
  const pipeline = createPipeline({
    store,
    config,
    roster: RosterState.of(RosterIndex.fromSnapshot(opts.roster ?? ONE_RESIDENT)),
    devices,
    alerts,
    outbox,
    thumbnails: new Thumbnailer(dir, config.thumbnails, log, metrics),
    live,
    metrics,
    log,
    clock,
    idHashKey: KIT_ID_KEY,
    source: KIT_SOURCE,
    command: (reader, cmd) =>
      commands.push({ reader, cmd, writtenRows: rows(), committedRows: committed.get() as number }),
    detectors: opts.detectors,
    passes: opts.passes,
  });
  t.teardown(() => {
    onDisk.close();
    db.close();
    cleanup();
  });
  const metric = async (name: string) =>
    (await metrics.registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#'));
  return { pipeline, config, db, store, outbox, alerts, metrics, live, devices, commands, rows, metric };
}

let seq = 0;
/** A live face read of person `personId` (null: a stranger) at `readerId`, 100 ms old. */
export function faceRead(
  readerId: string,
  personId: string | null,
  over: Partial<CredentialRead> = {},
): CredentialRead {
  return {
    readerId,
    recordId: `r${++seq}`,
    ts: Date.now() - 100,
    receivedAt: Date.now(),
    credential: { type: 'face', personId, score: 0.95, liveness: true },
    offline: false,
    ...over,
  };
}
