import type { Logger } from 'pino';
import type { MqttBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { CameraCaptures } from './cameras/captures.js';
import type { Config } from './config/schema.js';
import type { SecretsFile } from './config/secrets-file.js';
import type { PatternDetector } from './detectors/patterns.js';
import type { DeviceRegistry } from './devices.js';
import type { Doors } from './doors/doors.js';
import type { DriverSet } from './driver-set.js';
import type { HealthReport, HealthSummary } from './health.js';
import type { Housekeeping } from './housekeeping.js';
import type { HttpPart } from './http-part.js';
import type { CaseBook } from './ledger/case-book.js';
import type { MonthlyReportSender } from './ledger/report-upstream.js';
import type { LiveBus } from './live-bus.js';
import type { Metrics } from './metrics.js';
import type { PassService } from './passes/pass-service.js';
import type { PipelinePart } from './pipeline-part.js';
import type { LibrarySync } from './provisioning/library-sync.js';
import type { RosterState } from './roster/roster-state.js';
import type { RosterSyncPart } from './roster/sync/sync-part.js';
import type { RosterWatch } from './roster-watch.js';
import type { DataLock } from './store/data-lock.js';
import type { Store } from './store/store.js';
import type { TerminalIngress } from './terminal-ingress.js';
import type { Outbox } from './upstream/outbox.js';
import type { Upstream } from './upstream/upstream.js';
import type { ViidLink } from './upstream/viid/viid-link.js';

/** Every part of a gateway, as build() made them: nothing opened, nothing listening. */
export interface GatewayParts {
  config: Config;
  dataDir: string;
  log: Logger;
  clock: Clock;
  /** One gateway per data directory (issue 12). */
  lock: DataLock;
  secrets: SecretsFile;
  store: Store;
  metrics: Metrics;
  live: LiveBus;
  roster: RosterState;
  rosterWatch: RosterWatch;
  outbox: Outbox;
  cases: CaseBook;
  passes: PassService;
  /** The pattern detectors, when enabled. */
  patterns: PatternDetector | null;
  devices: DeviceRegistry;
  pipeline: PipelinePart;
  /** The doors (issue 13): state machines, fire all-open, held doors, remote unlock. */
  doors: Doors;
  /** Camera snapshots at reads and door alarms (issue 13). */
  captures: CameraCaptures;
  bus: MqttBus;
  /** The listener terminals push to over HTTP; listens only when a driver registered a route. */
  ingress: TerminalIngress;
  drivers: DriverSet;
  /** The roster sync of reader libraries; null when no reader keeps one. */
  libraries: LibrarySync | null;
  upstream: Upstream | null;
  /** The signed roster from the district system (issue 14); null when off. */
  rosterSync: RosterSyncPart | null;
  /** The GA/T 1400 link to the police platform (issue 14); null when off. */
  viid: ViidLink | null;
  /** The monthly report sent upstream at each month's end (issue 14); null without an upstream. */
  monthlyReports: MonthlyReportSender | null;
  health: HealthReport;
  summary: HealthSummary;
  http: HttpPart;
  housekeeping: Housekeeping;
}
