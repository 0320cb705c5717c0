import path from 'node:path';
import v8 from 'node:v8';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MqttBus } from '../core/bus.js';
import { type Clock, systemClock } from '../core/clock.js';
import { cloudEvent, eventSource } from '../core/cloudevent.js';
import type { DoorCommand, Driver } from '../core/contracts.js';
import { FingerprintDriver } from '../drivers/fingerprint/driver.js';
import { DRIVER_NAMES, DRIVERS } from '../drivers/registry.js';
import type { SerialBinding } from '../drivers/serial/link.js';
import { AlertManager } from './alerts/alert-manager.js';
import type { LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { loadSecrets, type Secrets } from './config/secrets.js';
import { PatternDetector } from './detectors/patterns.js';
import { DeviceRegistry } from './devices.js';
import { CaseBook } from './ledger/case-book.js';
import { LiveBus } from './live-bus.js';
import { createMetrics, type Metrics } from './metrics.js';
import { EmbeddedBroker } from './mqtt/embedded.js';
import { MqttSessions } from './mqtt/sessions.js';
import { PassIndex } from './passes/pass-index.js';
import { PassService } from './passes/pass-service.js';
import { createPipeline } from './pipeline/create.js';
import type { Detector, Pipeline } from './pipeline/pipeline.js';
import { Thumbnailer } from './pipeline/thumbnails.js';
import { FingerprintLibrary } from './roster/fingerprint-library.js';
import { FingerprintSync, onOnline } from './roster/fingerprint-sync.js';
import { rosterVersion } from './roster/repository.js';
import { RosterIndex } from './roster/roster-index.js';
import { type Db, openDb } from './store/db.js';
import { Store } from './store/store.js';
import { HttpTransport } from './upstream/http-transport.js';
import { MqttTransport } from './upstream/mqtt-transport.js';
import { Outbox } from './upstream/outbox.js';
import type { Transport } from './upstream/transport.js';
import { Upstream } from './upstream/upstream.js';
import { VERSION } from './version.js';
import { buildServer, type HealthView } from './web/server.js';

export interface GatewayDeps {
  log: Logger;
  clock?: Clock;
  /** Extra pattern detectors (issue 4 seam). */
  detectors?: Detector[];
  /** Serial binding for the serial-line drivers: none in production (the OS one); tests inject one. */
  serialBinding?: SerialBinding;
}

/**
 * The daemon runs with a capped V8 heap (--max-old-space-size, systemd unit) to keep a
 * small box's memory flat. A very large roster can outgrow the cap: say so at start,
 * while there is time to raise it, instead of dying of an out-of-memory later.
 */
function warnIfHeapTight(log: Logger): void {
  const h = v8.getHeapStatistics();
  if (h.used_heap_size > 0.5 * h.heap_size_limit) {
    log.warn(
      { usedMB: Math.round(h.used_heap_size / 1048576), limitMB: Math.round(h.heap_size_limit / 1048576) },
      'heap more than half full after loading the roster: raise --max-old-space-size in the service file',
    );
  }
}

/** Bounds every stop step (node-red bounds node close the same way). */
const STOP_STEP_MS = 10_000;

async function bounded(log: Logger, step: string, f: () => Promise<void> | void): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(f),
      new Promise<void>((_, reject) => {
        t = setTimeout(
          () => reject(new Error(`${step} did not stop within ${STOP_STEP_MS} ms`)),
          STOP_STEP_MS,
        );
      }),
    ]);
  } catch (err) {
    log.error({ err, step }, 'stop step failed');
  } finally {
    clearTimeout(t);
  }
}

/**
 * The composition root (style.md): every part is created here with explicit arguments,
 * nothing is a module-level singleton. `build` opens the store (the first lifecycle step);
 * `start` brings up the rest in order — broker link, drivers, upstream, HTTP — and `stop`
 * takes them down in reverse, each step bounded.
 */
export class Gateway {
  readonly config: Config;
  readonly db: Db;
  readonly bus: MqttBus;
  readonly pipeline: Pipeline;
  readonly devices: DeviceRegistry;
  readonly live = new LiveBus();
  readonly metrics: Metrics;
  readonly upstream: Upstream | null;
  readonly http: FastifyInstance;
  readonly dataDir: string;
  readonly secrets: Secrets;
  /** Visitor, courier and staff passes (issue 4). */
  readonly passes: PassService;
  /** The ledger of cases (issue 4). */
  readonly cases: CaseBook;
  /** The pattern detectors, when enabled. */
  readonly patterns: PatternDetector | null;
  /** Keeps fingerprint modules' libraries in step with the roster; null without fingerprint readers. */
  readonly fingerprintSync: FingerprintSync | null;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #drivers = new Map<string, Driver>();
  readonly #readerDriver = new Map<string, Driver>();
  readonly #thumbnails: Thumbnailer;
  readonly #startedAt: number;
  #timers: NodeJS.Timeout[] = [];
  #dataVersion = 0;
  #rosterVersion: string | null;
  #started = false;

  constructor(loaded: LoadedConfig, deps: GatewayDeps) {
    const cfg = loaded.config;
    this.config = cfg;
    this.dataDir = loaded.dataDir;
    this.#log = deps.log;
    this.#clock = deps.clock ?? systemClock;
    this.#startedAt = this.#clock.now();
    const log = deps.log;

    const { secrets, generated } = loadSecrets(
      loaded.secretsFile,
      cfg.readers.map((r) => r.id),
    );
    this.secrets = secrets;
    if (generated.length > 0) log.warn({ file: loaded.secretsFile, generated }, 'generated missing secrets');

    this.db = openDb(path.join(this.dataDir, 'gateway.db'));
    const store = Store.of(this.db);
    this.metrics = createMetrics();
    const source = eventSource(cfg.estate.id, cfg.gateway.id);
    const outbox = new Outbox(this.db);
    const alerts = new AlertManager(store, outbox, source, cfg.alerts.coalesceSeconds * 1000);
    this.cases = new CaseBook(this.db, outbox, source, alerts, log.child({ module: 'ledger' }));
    const passIndex = new PassIndex(cfg.passes.faceSimilarity);
    this.passes = new PassService(this.db, passIndex, secrets.idHashKey, cfg.passes.maxValidityDays);
    this.passes.load(this.#clock.now());
    this.patterns = cfg.detectors.enabled
      ? new PatternDetector({
          db: this.db,
          config: cfg,
          roster: () => this.pipeline.roster,
          passes: passIndex,
          log: log.child({ module: 'detectors' }),
        })
      : null;
    const patterns = this.patterns;
    if (patterns) this.passes.onCreated((p) => patterns.onPass(p));
    this.#thumbnails = new Thumbnailer(
      this.dataDir,
      cfg.thumbnails,
      log.child({ module: 'thumbnails' }),
      this.metrics,
    );
    this.#rosterVersion = rosterVersion(this.db) ?? null;
    const roster = RosterIndex.load(this.db);
    log.info({ ...roster.size, version: this.#rosterVersion }, 'roster loaded');
    warnIfHeapTight(log);

    this.devices = new DeviceRegistry(
      this.db,
      cfg.readers,
      this.#clock,
      cfg.alerts.deviceOfflineGraceSeconds * 1000,
      log.child({ module: 'devices' }),
      (readerId, since) => {
        const reader = cfg.readers.find((r) => r.id === readerId);
        this.pipeline.raise({
          kind: 'device_offline',
          subject: `reader:${readerId}`,
          householdId: null,
          residentId: null,
          doorId: reader?.door ?? null,
          readerId,
          ts: since,
        });
      },
    );

    this.bus =
      cfg.mqtt.url === null
        ? new EmbeddedBroker({
            host: cfg.mqtt.embedded.host,
            port: cfg.mqtt.embedded.port,
            requireAuth: cfg.mqtt.embedded.requireAuth,
            passwords: secrets.readers,
            topicPrefix: cfg.mqtt.topicPrefix,
            log: log.child({ module: 'broker' }),
          })
        : new MqttSessions({
            url: cfg.mqtt.url,
            clientId: cfg.mqtt.clientId ?? `estate-gateway-${cfg.gateway.id}`,
            username: cfg.mqtt.username,
            password: secrets.mqtt?.password,
            protocolVersion: cfg.mqtt.protocolVersion,
            sessionExpirySeconds: cfg.mqtt.sessionExpirySeconds,
            receiveMaximum: cfg.mqtt.receiveMaximum,
            keepaliveSeconds: cfg.mqtt.keepaliveSeconds,
            tls: cfg.mqtt.tls,
            reconnect: cfg.mqtt.reconnect,
            log: log.child({ module: 'mqtt' }),
          });

    let upstream: Upstream | null = null;
    if (cfg.upstream.enabled && cfg.upstream.url) {
      const transport: Transport = /^https?:/.test(cfg.upstream.url)
        ? new HttpTransport({
            url: cfg.upstream.url,
            hmacKey: secrets.upstream?.hmacKey ?? '',
            gatewayId: cfg.gateway.id,
            log: log.child({ module: 'upstream' }),
          })
        : new MqttTransport({
            url: cfg.upstream.url,
            clientId: cfg.upstream.clientId ?? `estate-gateway-${cfg.estate.id}-${cfg.gateway.id}`,
            username: cfg.upstream.username,
            password: secrets.upstream?.password,
            protocolVersion: cfg.upstream.protocolVersion,
            tls: cfg.upstream.tls,
            topicBase: `${cfg.upstream.topicPrefix}/${cfg.estate.id}`,
            gatewayId: cfg.gateway.id,
            reconnect: cfg.upstream.reconnect,
            log: log.child({ module: 'upstream' }),
          });
      upstream = new Upstream(
        outbox,
        transport,
        {
          window: cfg.upstream.inflight,
          maxOutboxBytes: cfg.upstream.maxOutboxMB * 1024 * 1024,
          healthIntervalMs: cfg.upstream.healthIntervalSeconds * 1000,
          retry: cfg.upstream.reconnect,
        },
        {
          log: log.child({ module: 'upstream' }),
          metrics: this.metrics,
          clock: this.#clock,
          health: () =>
            cloudEvent(source, {
              id: `health-${cfg.gateway.id}-${this.#clock.now()}`,
              type: 'estate.gateway.health',
              time: this.#clock.now(),
              data: this.healthSummary(),
            }),
        },
      );
    }
    this.upstream = upstream;

    this.pipeline = createPipeline({
      store,
      config: cfg,
      roster,
      devices: this.devices,
      alerts,
      outbox,
      thumbnails: this.#thumbnails,
      live: this.live,
      metrics: this.metrics,
      log: log.child({ module: 'pipeline' }),
      clock: this.#clock,
      idHashKey: secrets.idHashKey,
      source,
      command: (readerId, cmd) => this.#command(readerId, cmd),
      detectors: [...(this.patterns ? [this.patterns] : []), ...(deps.detectors ?? [])],
      passes: passIndex,
      afterCommit: upstream ? () => upstream.kick() : undefined,
    });

    // One driver instance per protocol, serving all its readers.
    for (const name of new Set(cfg.readers.map((r) => r.driver))) {
      const factory = DRIVERS[name];
      if (!factory) continue; // check-config refuses unknown drivers
      const readers = cfg.readers.filter((r) => r.driver === name);
      // A fingerprint reader coming online (probe answered) syncs its module with the roster.
      const sink =
        name === 'fingerprint'
          ? onOnline(this.pipeline, (id) => void this.fingerprintSync?.trigger(id, 'online'))
          : this.pipeline;
      const driver = factory({
        readers,
        sink,
        log: log.child({ module: 'driver', driver: name }),
        clock: this.#clock,
        bus: this.bus,
        topicPrefix: cfg.mqtt.topicPrefix,
        serialBinding: deps.serialBinding,
      });
      this.#drivers.set(name, driver);
      for (const r of readers) this.#readerDriver.set(r.id, driver);
    }
    this.devices.setLineStats((id) => this.#readerDriver.get(id)?.stats?.(id));
    this.fingerprintSync = this.#buildFingerprintSync(log);

    this.http = buildServer({
      config: cfg,
      db: this.db,
      live: this.live,
      devices: this.devices,
      metrics: this.metrics,
      dataDir: this.dataDir,
      secrets,
      passes: this.passes,
      cases: this.cases,
      clock: this.#clock,
      health: () => this.health(),
      log: log.child({ module: 'http' }),
    });
  }

  /** The roster sync of the fingerprint modules (none without fingerprint readers); its state shows in the device list. */
  #buildFingerprintSync(log: Logger): FingerprintSync | null {
    const driver = this.#drivers.get('fingerprint');
    if (!(driver instanceof FingerprintDriver)) return null;
    const cfg = this.config;
    const sync = new FingerprintSync({
      library: new FingerprintLibrary(this.db),
      enroller: driver,
      readers: cfg.readers
        .filter((r) => r.driver === 'fingerprint')
        .map((r) => {
          const door = cfg.doors.find((d) => d.id === r.door);
          return { readerId: r.id, building: door?.building ?? null, entrance: door?.entrance ?? null };
        }),
      metrics: this.metrics,
      log: log.child({ module: 'fingerprint-sync' }),
      clock: this.#clock,
    });
    this.devices.setSyncState((id) => sync.last(id));
    return sync;
  }

  /** Known driver names, for config validation. */
  static readonly driverNames = DRIVER_NAMES;

  #command(readerId: string, cmd: DoorCommand): void {
    this.#readerDriver.get(readerId)?.command(readerId, cmd);
  }

  /** Starts in order: devices, broker link, drivers, upstream, HTTP, housekeeping. */
  async start(): Promise<void> {
    const cfg = this.config;
    this.devices.start();
    await this.bus.start();
    for (const d of this.#drivers.values()) await d.start();
    if (this.upstream) await this.upstream.start();
    await this.http.listen({ host: cfg.http.host, port: cfg.http.port });
    this.#dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    this.#every(2000, () => this.#watchRoster());
    this.#every(3600_000, () => void this.#retention());
    this.#every(cfg.ledger.overdueCheckSeconds * 1000, () => {
      this.cases.checkOverdue(this.#clock.now());
      this.upstream?.kick();
    });
    this.#started = true;
    this.#log.info(
      {
        http: this.httpUrl,
        broker: cfg.mqtt.url ?? `embedded :${(this.bus as EmbeddedBroker).port ?? ''}`,
        readers: cfg.readers.length,
      },
      'gateway started',
    );
  }

  /** Stops in reverse order; every step is bounded and its errors logged. */
  async stop(): Promise<void> {
    const log = this.#log;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await bounded(log, 'http', () => this.http.close());
    if (this.upstream) await bounded(log, 'upstream', () => this.upstream?.stop());
    // Before the drivers: a sync between DownChar and Store would leave a half-written page.
    if (this.fingerprintSync) await bounded(log, 'fingerprint sync', () => this.fingerprintSync?.stop());
    for (const [name, d] of this.#drivers) await bounded(log, `driver ${name}`, () => d.stop());
    await bounded(log, 'broker link', () => this.bus.stop());
    await bounded(log, 'pipeline', () => this.pipeline.drain());
    await bounded(log, 'thumbnails', () => this.#thumbnails.drain());
    await bounded(log, 'devices', () => this.devices.stop());
    await bounded(log, 'store', () => {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    });
    this.#started = false;
    log.info('gateway stopped');
  }

  get httpUrl(): string {
    const a = this.http.server.address();
    return typeof a === 'object' && a
      ? `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`
      : '';
  }

  /** The port of the embedded broker (tests bind port 0). */
  get brokerPort(): number | null {
    return this.bus instanceof EmbeddedBroker ? this.bus.port : null;
  }

  #rate = { at: 0, recorded: 0 };

  /** The health report of the upstream's retained message. */
  healthSummary(): Record<string, unknown> {
    const mem = process.memoryUsage();
    const now = this.#clock.now();
    const recorded = this.pipeline.recorded;
    const readsPerS = this.#rate.at
      ? ((recorded - this.#rate.recorded) * 1000) / Math.max(1, now - this.#rate.at)
      : 0;
    this.#rate = { at: now, recorded };
    return {
      online: true,
      gatewayId: this.config.gateway.id,
      version: VERSION,
      uptimeS: Math.round((this.#clock.now() - this.#startedAt) / 1000),
      rssMB: Math.round(mem.rss / 1048576),
      heapMB: Math.round(mem.heapUsed / 1048576),
      outboxDepth: this.upstream?.status.depth ?? 0,
      readersOnline: this.devices.onlineCount,
      readersTotal: this.config.readers.length,
      backlog: this.pipeline.backlog,
      readsPerS: Math.round(readsPerS * 10) / 10,
    };
  }

  health(): HealthView {
    const problems: string[] = [];
    if (!this.bus.connected) problems.push('broker link down');
    const up = this.upstream?.status ?? null;
    if (up && (!up.ready || up.lastError)) problems.push('upstream unreachable');
    const roster = this.pipeline.roster.size;
    if (roster.residents === 0) problems.push('roster is empty: run `estate-gateway roster import`');
    return {
      status:
        problems.length === 0 || (problems.length === 1 && problems[0]?.startsWith('upstream'))
          ? 'ok'
          : 'degraded',
      version: VERSION,
      estateId: this.config.estate.id,
      gatewayId: this.config.gateway.id,
      uptimeS: Math.round((this.#clock.now() - this.#startedAt) / 1000),
      broker: {
        mode: this.config.mqtt.url ? 'external' : 'embedded',
        connected: this.bus.connected,
        ...(this.bus instanceof MqttSessions ? { sessions: this.bus.status } : {}),
      },
      readers: { online: this.devices.onlineCount, total: this.config.readers.length },
      pipeline: { backlog: this.pipeline.backlog },
      upstream: up,
      roster: { version: this.#rosterVersion, households: roster.households, residents: roster.residents },
      problems,
    };
  }

  /** Reloads the roster index when another process (roster import) committed a new one. */
  reloadRoster(): void {
    const v = rosterVersion(this.db) ?? null;
    const index = RosterIndex.load(this.db);
    this.pipeline.setRoster(index);
    this.#rosterVersion = v;
    this.#log.info({ ...index.size, version: v }, 'roster reloaded');
    void this.fingerprintSync?.triggerAll('roster');
  }

  #watchRoster(): void {
    const dv = this.db.pragma('data_version', { simple: true }) as number;
    if (dv === this.#dataVersion) return;
    this.#dataVersion = dv;
    const v = rosterVersion(this.db) ?? null;
    if (v !== this.#rosterVersion) this.reloadRoster();
  }

  async #retention(): Promise<void> {
    const cfg = this.config.retention;
    const now = this.#clock.now();
    const cutoff = now - cfg.journalDays * 86_400_000;
    let total = 0;
    const pick = this.db.prepare('SELECT seq FROM journal WHERE ts < ? ORDER BY ts LIMIT 5000').pluck();
    const delJ = this.db.prepare('DELETE FROM journal WHERE seq = ?');
    const delD = this.db.prepare('DELETE FROM decisions WHERE seq = ?');
    for (;;) {
      const seqs = pick.all(cutoff) as number[];
      if (seqs.length === 0) break;
      this.db.transaction(() => {
        for (const s of seqs) {
          delJ.run(s);
          delD.run(s);
        }
      })();
      total += seqs.length;
      await new Promise((r) => setImmediate(r));
    }
    const thumbs = await this.#thumbnails.sweep(cfg.thumbnailDays, now);
    this.passes.forgetFaces(now);
    if (total > 0 || thumbs > 0)
      this.#log.info({ entries: total, thumbnailDays: thumbs }, 'retention applied');
  }

  #every(ms: number, f: () => void): void {
    const t = setInterval(() => {
      try {
        f();
      } catch (err) {
        this.#log.error({ err }, 'housekeeping failed');
      }
    }, ms);
    t.unref();
    this.#timers.push(t);
  }

  get started(): boolean {
    return this.#started;
  }
}
