import path from 'node:path';
import type { Logger } from 'pino';
import { type Clock, systemClock } from '../core/clock.js';
import { eventSource } from '../core/cloudevent.js';
import type { Snapshot } from '../core/contracts.js';
import { DRIVERS } from '../drivers/registry.js';
import type { SerialBinding } from '../drivers/types.js';
import { CameraCaptures } from './cameras/captures.js';
import { HttpEmbeddingService } from './cameras/embedding.js';
import type { LoadedConfig } from './config/load.js';
import { SecretsFile } from './config/secrets-file.js';
import { FaceOffers } from './detectors/face-offers.js';
import { PatternDetector } from './detectors/patterns.js';
import { DeviceRegistry } from './devices.js';
import { DiskSpace } from './disk-space.js';
import { DoorEvents } from './doors/door-events.js';
import { DoorSignals } from './doors/door-signals.js';
import { Doors } from './doors/doors.js';
import { DriverSet } from './driver-set.js';
import { Gateway } from './gateway.js';
import { HealthReport, HealthSummary } from './health.js';
import { Housekeeping } from './housekeeping.js';
import { HttpPart } from './http-part.js';
import { CaseBook } from './ledger/case-book.js';
import { HandoverPackages } from './ledger/handover-packages.js';
import { MonthlyReportSender } from './ledger/report-upstream.js';
import { LedgerWorkflow } from './ledger/workflow.js';
import { createBus, createUpstream } from './links.js';
import { LiveBus } from './live-bus.js';
import { LogLimiter, logLimits } from './log-limit.js';
import { createMetrics } from './metrics.js';
import { MqttSessions } from './mqtt/sessions.js';
import { PassIndex } from './passes/pass-index.js';
import { PassService } from './passes/pass-service.js';
import { Journal } from './pipeline/journal.js';
import type { Detector } from './pipeline/pipeline.js';
import { Thumbnailer } from './pipeline/thumbnails.js';
import { PipelinePart } from './pipeline-part.js';
import { createLibrarySync } from './provisioning/provisioning.js';
import { Retention } from './retention.js';
import { RosterState } from './roster/roster-state.js';
import { createRosterSync } from './roster/sync/create.js';
import { RosterWatch } from './roster-watch.js';
import { DataLock } from './store/data-lock.js';
import { StoreDriverState } from './store/driver-state.js';
import { Store } from './store/store.js';
import { TerminalIngress } from './terminal-ingress.js';
import { UpstreamEvents } from './upstream/health-event.js';
import { Outbox } from './upstream/outbox.js';
import { createViid } from './upstream/viid/create.js';

/** What build() takes besides the configuration. */
export interface GatewayDeps {
  log: Logger;
  clock?: Clock;
  /** Extra pattern detectors (issue 4 seam). */
  detectors?: Detector[];
  /** Serial binding for the serial-line drivers: none in production (the OS one); tests inject one. */
  serialBinding?: SerialBinding;
}

/**
 * The composition root (style.md): every part of the gateway, made with explicit
 * arguments and in dependency order. Nothing is opened, read or listened on here: the
 * secrets file, the database, the roster and every socket are the business of the start
 * steps (gateway/steps.ts), so a gateway can be built, inspected and thrown away freely.
 */
export function build(loaded: LoadedConfig, deps: GatewayDeps): Gateway {
  const cfg = loaded.config;
  const log = deps.log;
  const clock = deps.clock ?? systemClock;
  const child = (module: string) => log.child({ module });
  const source = eventSource(cfg.estate.id, cfg.gateway.id);

  const secrets = new SecretsFile(
    loaded.secretsFile,
    cfg.readers.map((r) => r.id),
    log,
  );
  const store = new Store(path.join(loaded.dataDir, 'gateway.db'));
  const metrics = createMetrics();
  const live = new LiveBus();
  const roster = new RosterState();
  const outbox = new Outbox(store);
  const cases = new CaseBook(store, outbox, source, child('ledger'));
  const workflow = new LedgerWorkflow({
    store,
    outbox,
    cases,
    source,
    dataDir: loaded.dataDir,
    config: cfg,
    idHashKey: () => secrets.value.idHashKey,
    log: child('ledger'),
    registry: metrics.registry,
  });
  const passIndex = new PassIndex(cfg.passes.faceSimilarity);
  const faces = new FaceOffers(store, cfg.detectors.credentialShared.suggestDays);
  const patterns = cfg.detectors.enabled
    ? new PatternDetector({
        store,
        config: cfg,
        roster,
        passes: passIndex,
        offers: faces,
        log: child('detectors'),
      })
    : null;
  faces.bind(patterns);
  const passes = new PassService(
    store,
    passIndex,
    () => secrets.value.idHashKey,
    cfg.passes.maxValidityDays,
    patterns ? [(p) => patterns.onPass(p)] : [],
  );
  const viid = createViid(cfg, { store, secrets, dataDir: loaded.dataDir, metrics, clock, log });
  const doors = new DoorSignals({ readers: cfg.readers, metrics, log: child('doors') });
  const thumbsLog = child('thumbnails');
  const thumbnails = new Thumbnailer(
    loaded.dataDir,
    cfg.thumbnails,
    thumbsLog,
    metrics,
    new LogLimiter(thumbsLog, logLimits(cfg)),
  );
  const pipelineLog = child('pipeline');
  // The drivers are made below with the pipeline as their sink; snapshots are asked of them
  // only once the gateway runs.
  const captures: CameraCaptures = new CameraCaptures({
    config: cfg,
    store,
    cameras: { snapshot: (id, req): Promise<Snapshot> => drivers.snapshot(id, req) },
    thumbnails,
    embedding: cfg.cameras.embedding.url
      ? new HttpEmbeddingService(cfg.cameras.embedding.url, cfg.cameras.embedding.timeoutMs)
      : null,
    metrics,
    clock,
    log: child('cameras'),
  });
  const pipeline = new PipelinePart({
    store,
    config: cfg,
    roster,
    outbox,
    cases,
    thumbnails,
    live,
    metrics,
    log: pipelineLog,
    clock,
    secrets,
    source,
    detectors: [...(patterns ? [patterns] : []), ...(deps.detectors ?? []), ...(viid ? [viid.selector] : [])],
    passes: passIndex,
    doors,
    captures,
    limiter: new LogLimiter(pipelineLog, logLimits(cfg)),
  });

  const bus = createBus(cfg, secrets, log, metrics);
  const ingress = new TerminalIngress({ ...cfg.terminals.http, log: child('terminals'), metrics });
  const drivers = new DriverSet({
    readers: cfg.readers,
    factories: DRIVERS,
    sink: pipeline,
    bus,
    topicPrefix: cfg.mqtt.topicPrefix,
    serialBinding: deps.serialBinding,
    ingress,
    state: new StoreDriverState(store, clock),
    secrets: secrets.forDrivers(),
    log,
    clock,
  });
  const driverOf = new Map(cfg.readers.map((r) => [r.id, r.driver]));
  const doorParts = new Doors({
    config: cfg,
    store,
    drivers,
    switchesNothing: (id) => DRIVERS[driverOf.get(id) ?? '']?.takesSnapshots === true,
    // The upstream is made below; an event is only ever stored once the gateway runs.
    events: new DoorEvents({ store, outbox, source, kick: () => upstream?.kick() }),
    live,
    clock,
    log: child('doors'),
  });
  doors.attach(doorParts);
  const libraries = createLibrarySync({
    readers: drivers.provisioned(),
    doors: cfg.doors,
    store,
    metrics,
    log: child('provisioning'),
    clock,
    reconcileAt: cfg.libraries.reconcileAt,
  });
  // A pass with a photo is a person on the face terminals of the doors it opens (issue 11).
  if (libraries) passes.watch((_p, photo) => void (photo && libraries.triggerAll('pass')));
  const devices = new DeviceRegistry(store, cfg.readers, {
    clock,
    graceMs: cfg.alerts.deviceOfflineGraceSeconds * 1000,
    log: child('devices'),
    lines: drivers,
    libraries: libraries ?? undefined,
    // Readers over an external broker: while a session is down their state is unknown.
    links: bus instanceof MqttSessions ? { linkUp: (id) => bus.shardConnected(id) } : undefined,
  });

  const summary = new HealthSummary({ config: cfg, clock, devices, pipeline, outbox });
  const events = new UpstreamEvents({
    source,
    gatewayId: cfg.gateway.id,
    clock,
    summary: () => summary.summary(),
  });
  const upstream = createUpstream(cfg, { outbox, events, secrets, metrics, clock, log });
  const disk = new DiskSpace(loaded.dataDir, cfg.store.diskWarnPercent, clock, metrics);
  const rosterWatch = new RosterWatch(store, roster, libraries, log);
  const monthlyReports =
    upstream && cfg.reports.monthlyUpstream
      ? new MonthlyReportSender({
          store,
          outbox,
          source,
          estate: cfg.estate,
          clock,
          log: child('reports'),
          kick: () => upstream.kick(),
        })
      : null;
  const rosterSync = createRosterSync(cfg, {
    store,
    secrets,
    reload: () => rosterWatch.reload(),
    alarms: pipeline,
    metrics,
    clock,
    log,
  });
  const health = new HealthReport({
    config: cfg,
    clock,
    bus,
    devices,
    pipeline,
    roster,
    upstream,
    disk,
    rosterSync,
    viid: viid?.link ?? null,
  });
  const handover = new HandoverPackages({
    store,
    secrets,
    outbox: upstream ? outbox : null,
    source,
    config: cfg,
    dataDir: loaded.dataDir,
    clock,
    log: child('ledger'),
    kick: () => upstream?.kick(),
  });
  const http = new HttpPart({
    store,
    secrets,
    host: cfg.http.host,
    port: cfg.http.port,
    config: cfg,
    live,
    devices,
    metrics,
    dataDir: loaded.dataDir,
    passes,
    cases,
    faces,
    workflow,
    handover,
    clock,
    health: () => health.view(),
    doors: doorParts,
    log: child('http'),
  });
  const retention = new Retention({
    store,
    journal: new Journal(store),
    thumbnails,
    retention: cfg.retention,
    metrics,
    log: child('retention'),
    rosterChanged: () => rosterWatch.reload(),
  });
  const housekeeping = new Housekeeping({
    config: cfg,
    store,
    retention,
    clock,
    log,
    devices,
    alarms: pipeline,
    roster: rosterWatch,
    cases,
    upstream,
    disk,
    workflow,
  });
  return new Gateway({
    config: cfg,
    dataDir: loaded.dataDir,
    log,
    clock,
    lock: new DataLock(loaded.dataDir, child('store')),
    secrets,
    store,
    metrics,
    live,
    roster,
    rosterWatch,
    outbox,
    cases,
    passes,
    patterns,
    devices,
    pipeline,
    doors: doorParts,
    captures,
    bus,
    ingress,
    drivers,
    libraries,
    upstream,
    rosterSync,
    viid: viid?.link ?? null,
    monthlyReports,
    health,
    summary,
    http,
    housekeeping,
  });
}
