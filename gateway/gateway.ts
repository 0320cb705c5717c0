import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MqttBus } from '../core/bus.js';
import type { Config } from './config/schema.js';
import type { Secrets } from './config/secrets.js';
import type { PatternDetector } from './detectors/patterns.js';
import type { DeviceRegistry } from './devices.js';
import type { Doors } from './doors/doors.js';
import type { Housekeeping } from './housekeeping.js';
import type { CaseBook } from './ledger/case-book.js';
import { Lifecycle } from './lifecycle.js';
import type { LiveBus } from './live-bus.js';
import type { Metrics } from './metrics.js';
import { EmbeddedBroker } from './mqtt/embedded.js';
import type { GatewayParts } from './parts.js';
import type { PassService } from './passes/pass-service.js';
import type { Pipeline } from './pipeline/pipeline.js';
import type { LibrarySync } from './provisioning/library-sync.js';
import { redactUrl } from './redact-url.js';
import type { RosterSyncPart } from './roster/sync/sync-part.js';
import { gatewaySteps } from './steps.js';
import type { Db } from './store/db.js';
import type { Store } from './store/store.js';
import type { Upstream } from './upstream/upstream.js';
import type { ViidLink } from './upstream/viid/viid-link.js';
import type { HealthView } from './web/server.js';

/**
 * A built gateway: its parts, and the lifecycle that starts them in order and stops them
 * in reverse (gateway/steps.ts). Made by build(); constructing it opens nothing.
 */
export class Gateway {
  readonly config: Config;
  readonly dataDir: string;
  readonly store: Store;
  readonly bus: MqttBus;
  readonly live: LiveBus;
  readonly metrics: Metrics;
  readonly devices: DeviceRegistry;
  /** The doors (issue 13): state machines, fire all-open, held doors, remote unlock. */
  readonly doors: Doors;
  /** Visitor, courier and staff passes (issue 4). */
  readonly passes: PassService;
  /** The ledger of cases (issue 4). */
  readonly cases: CaseBook;
  /** The pattern detectors, when enabled. */
  readonly patterns: PatternDetector | null;
  readonly upstream: Upstream | null;
  /** The roster sync of reader libraries (fingerprint modules…); null when no reader keeps one. */
  readonly libraries: LibrarySync | null;
  /** The periodic work: device sweeps, deadlines, the daily retention run. */
  readonly housekeeping: Housekeeping;
  /** The signed roster from the district system (issue 14); null when off. */
  readonly rosterSync: RosterSyncPart | null;
  /** The GA/T 1400 link to the police platform (issue 14); null when off. */
  readonly viid: ViidLink | null;
  readonly #p: GatewayParts;
  readonly #life: Lifecycle;
  readonly #log: Logger;

  constructor(parts: GatewayParts) {
    this.#p = parts;
    this.#log = parts.log;
    this.#life = new Lifecycle(gatewaySteps(parts), { log: parts.log });
    this.config = parts.config;
    this.dataDir = parts.dataDir;
    this.store = parts.store;
    this.bus = parts.bus;
    this.live = parts.live;
    this.metrics = parts.metrics;
    this.devices = parts.devices;
    this.doors = parts.doors;
    this.passes = parts.passes;
    this.cases = parts.cases;
    this.patterns = parts.patterns;
    this.upstream = parts.upstream;
    this.libraries = parts.libraries;
    this.housekeeping = parts.housekeeping;
    this.rosterSync = parts.rosterSync;
    this.viid = parts.viid;
  }

  /**
   * Reads the secrets and opens the store, and nothing more: for callers that put data in
   * before the rest starts (the demo's roster, tests). start() carries on from there.
   */
  open(): Promise<void> {
    return this.#life.start('store');
  }

  /**
   * Starts every step not started yet, in order, through `until` (all by default; a
   * replay needs only the pipeline). On a failure, what started is stopped again and the
   * failure rethrown: nothing is left listening.
   */
  async start(until?: string): Promise<void> {
    await this.#life.start(until);
    if (!this.#life.started) return;
    const cfg = this.config;
    this.#log.info(
      {
        http: this.httpUrl,
        // Never the credentials a URL may carry (issue 9 item 9).
        broker: cfg.mqtt.url ? redactUrl(cfg.mqtt.url) : `embedded :${this.brokerPort ?? ''}`,
        readers: cfg.readers.length,
      },
      'gateway started',
    );
  }

  /** Stops in reverse order; every step is bounded and its errors logged; rejects if any failed. */
  async stop(): Promise<void> {
    await this.#life.stop();
    this.#log.info('gateway stopped');
  }

  /** True when every step is started. */
  get started(): boolean {
    return this.#life.started;
  }

  /** The open database (STORE_CLOSED before open()). */
  get db(): Db {
    return this.store.db;
  }

  /** The secrets (SECRETS_NOT_LOADED before open()). */
  get secrets(): Secrets {
    return this.#p.secrets.value;
  }

  /** The running pipeline (NOT_STARTED before its step). */
  get pipeline(): Pipeline {
    return this.#p.pipeline.pipeline;
  }

  /** The HTTP server (NOT_STARTED before its step). */
  get http(): FastifyInstance {
    return this.#p.http.app;
  }

  /** http://host:port as bound; '' when not listening. */
  get httpUrl(): string {
    return this.#p.http.url;
  }

  /** The port of the embedded broker (tests bind port 0); null with an external broker. */
  get brokerPort(): number | null {
    return this.bus instanceof EmbeddedBroker ? this.bus.port : null;
  }

  /** The port of the embedded broker's TLS listener; null without one. */
  get brokerTlsPort(): number | null {
    return this.bus instanceof EmbeddedBroker ? this.bus.tlsPort : null;
  }

  /** The health view (/healthz). */
  health(): HealthView {
    return this.#p.health.view();
  }

  /** The health report of the upstream's retained message. */
  healthSummary(): Record<string, unknown> {
    return this.#p.summary.summary();
  }

  /** Reloads the roster index from the store and syncs every reader library with it (SIGHUP). */
  reloadRoster(): void {
    this.#p.rosterWatch.reload();
  }
}
