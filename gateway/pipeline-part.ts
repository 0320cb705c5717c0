import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type {
  CredentialRead,
  DoorCommand,
  DoorSignal,
  ReaderStatus,
  ReadSink,
  RejectReason,
} from '../core/contracts.js';
import { GatewayError } from '../core/errors.js';
import { AlertManager, type AlertRecord } from './alerts/alert-manager.js';
import type { AlertCandidate } from './alerts/per-entry.js';
import type { CameraCaptures } from './cameras/captures.js';
import type { Config } from './config/schema.js';
import type { SecretsFile } from './config/secrets-file.js';
import type { DeviceRegistry } from './devices.js';
import type { DoorSignals } from './doors/door-signals.js';
import type { CaseBook } from './ledger/case-book.js';
import type { LiveBus } from './live-bus.js';
import type { LogLimiter } from './log-limit.js';
import type { Metrics } from './metrics.js';
import type { PassIndex } from './passes/pass-index.js';
import { createPipeline } from './pipeline/create.js';
import type { Detector, Pipeline } from './pipeline/pipeline.js';
import type { Thumbnailer } from './pipeline/thumbnails.js';
import type { RosterSource } from './roster/roster-state.js';
import type { Store } from './store/store.js';
import type { Outbox } from './upstream/outbox.js';

/** Where door commands go: the reader's driver (DriverSet). */
export interface DoorCommands {
  command(readerId: string, cmd: DoorCommand): void;
}

/** What the pipeline part is built from (the composition root passes each). */
export interface PipelinePartDeps {
  store: Store;
  config: Config;
  roster: RosterSource;
  outbox: Outbox;
  /** The ledger: told of every finding, in the same transaction. */
  cases: CaseBook;
  thumbnails: Thumbnailer;
  live: LiveBus;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  secrets: SecretsFile;
  /** CloudEvents source of this gateway. */
  source: string;
  detectors: readonly Detector[];
  passes: PassIndex;
  /** Where door hardware signals go. */
  doors: DoorSignals;
  /** The doors' cameras (issue 13): snapshots of live reads after their answer. */
  captures?: CameraCaptures;
  /** Refused input is logged through this (issue 12 item 6). */
  limiter: LogLimiter;
}

/**
 * What the pipeline drives, given when it starts: the device registry, the drivers'
 * door commands and the upstream's wake-up are built after the pipeline part, because the
 * drivers take it as their sink. The read path and the command path are a loop; it is
 * closed here, once, in the order of the start steps.
 */
export interface PipelineLinks {
  devices: DeviceRegistry;
  commands: DoorCommands;
  /** Called after each commit (wakes the upstream delivery). */
  afterCommit?: () => void;
}

/**
 * The pipeline as a part of the composition root. The pipeline and its alert manager
 * prepare statements when constructed, so they are made by the `pipeline` start step,
 * once the store is open; until then this part is the sink the drivers were built with,
 * and nothing reaches it (the drivers start later). Stopping drains the last commits and
 * the thumbnails.
 */
export class PipelinePart implements ReadSink {
  readonly #d: PipelinePartDeps;
  #pipeline: Pipeline | null = null;

  constructor(deps: PipelinePartDeps) {
    this.#d = deps;
  }

  /** Makes the alert manager and the pipeline on the open store. */
  start(links: PipelineLinks): void {
    const d = this.#d;
    const alerts = new AlertManager(
      d.store,
      d.outbox,
      d.source,
      d.config.alerts.coalesceSeconds * 1000,
      (a, f, isNew, now) => d.cases.onFinding(a, f, isNew, now),
    );
    this.#pipeline = createPipeline({
      store: d.store,
      config: d.config,
      roster: d.roster,
      devices: links.devices,
      alerts,
      outbox: d.outbox,
      thumbnails: d.thumbnails,
      live: d.live,
      metrics: d.metrics,
      log: d.log,
      clock: d.clock,
      idHashKey: d.secrets.value.idHashKey,
      source: d.source,
      command: (readerId, cmd) => links.commands.command(readerId, cmd),
      detectors: [...d.detectors],
      passes: d.passes,
      afterCommit: links.afterCommit,
      doors: d.doors,
      captures: d.captures,
      limiter: d.limiter,
    });
  }

  /** Commits what is queued, then lets the thumbnails finish. */
  async stop(): Promise<void> {
    await this.#pipeline?.drain();
    this.#d.captures?.stop();
    await this.#d.thumbnails.drain();
    this.#d.limiter.flush();
  }

  /** The running pipeline; throws NOT_STARTED before the pipeline step. */
  get pipeline(): Pipeline {
    if (!this.#pipeline) throw new GatewayError('NOT_STARTED', 'the pipeline is not started');
    return this.#pipeline;
  }

  /** Reads waiting for their commit (0 before start). */
  get backlog(): number {
    return this.#pipeline?.backlog ?? 0;
  }

  /** Reads recorded since start. */
  get recorded(): number {
    return this.#pipeline?.recorded ?? 0;
  }

  /** Whether the journal commits (ok before start). */
  get store(): Pipeline['store'] {
    return (
      this.#pipeline?.store ?? {
        state: 'ok',
        since: null,
        error: null,
        failedCommits: 0,
        answered: 0,
        refused: 0,
        held: 0,
      }
    );
  }

  submit(read: CredentialRead): Promise<void> {
    return this.pipeline.submit(read);
  }

  reject(readerId: string, reason: RejectReason, detail: string): void {
    this.pipeline.reject(readerId, reason, detail);
  }

  status(readerId: string, status: ReaderStatus): void {
    this.pipeline.status(readerId, status);
  }

  door(signal: DoorSignal): void {
    this.#d.doors.report(signal);
  }

  /** Raises an alert that no read caused (device_offline, door alarms); the alert, or null when it could not be stored. */
  raise(c: AlertCandidate): AlertRecord | null {
    return this.pipeline.raise(c);
  }
}
