/**
 * Builds a pipeline from the parts of the gateway: the one place that knows which stage
 * needs what. The composition root calls createPipeline; tests use testkit/pipeline.ts.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { AlertManager } from '../alerts/alert-manager.js';
import type { Config } from '../config/schema.js';
import type { DeviceRegistry } from '../devices.js';
import type { DoorSignals } from '../doors/door-signals.js';
import type { LiveBus } from '../live-bus.js';
import type { LogLimiter } from '../log-limit.js';
import type { Metrics } from '../metrics.js';
import type { PassIndex } from '../passes/pass-index.js';
import type { RosterSource } from '../roster/roster-state.js';
import type { Store } from '../store/store.js';
import type { Outbox } from '../upstream/outbox.js';
import { Act, type ReadCaptures, type SendCommand } from './act.js';
import { Check } from './check.js';
import type { Detector } from './detector.js';
import { Journal } from './journal.js';
import { PersonCardCheck } from './person-card.js';
import { Pipeline } from './pipeline.js';
import { Recorder } from './record.js';
import type { Thumbnailer } from './thumbnails.js';

/** What a pipeline is built from. Nothing here is touched before the first read. */
export interface PipelineDeps {
  /** Opened by the lifecycle before any read arrives; the pipeline prepares nothing earlier. */
  store: Store;
  config: Config;
  /** The roster's one owner: a reload swaps its index for every reader of it. */
  roster: RosterSource;
  devices: DeviceRegistry;
  alerts: AlertManager;
  outbox: Outbox;
  thumbnails: Thumbnailer;
  live: LiveBus;
  metrics: Metrics;
  log: Logger;
  clock: Clock;
  /** Key of the ID-number HMAC (design.md §9). */
  idHashKey: string;
  /** CloudEvents source of this gateway. */
  source: string;
  /** Sends a door command through the reader's driver. */
  command: SendCommand;
  /** Pattern detectors (issue 4 seam), shown every recorded entry. */
  detectors?: Detector[];
  /** Visitor, courier and staff passes (issue 4): a valid pass makes its holder known. */
  passes?: PassIndex;
  /** Called after each successful commit (wakes the upstream delivery). */
  afterCommit?: () => void;
  /** Where door hardware signals go (issue 13). */
  doors?: DoorSignals;
  /** The doors' cameras: a live read at a door with one gets its snapshot (issue 13). */
  captures?: ReadCaptures;
  /** Refused input is logged through this (issue 12 item 6). */
  limiter?: LogLimiter;
}

/** Builds a pipeline and its stages. Does no I/O: the store may open afterwards. */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const { config } = deps;
  // One person–card check: the check stage pairs reads, the record stage alerts on pairs.
  const personCard = new PersonCardCheck(config.checks.personCardWindowSeconds * 1000);
  const journal = new Journal(deps.store);
  return new Pipeline({
    ...deps,
    journal,
    check: new Check({ ...deps, personCard }),
    recorder: new Recorder({
      ...deps,
      personCard,
      detectors: deps.detectors ?? [],
      access: config.upstream.enabled ? config.upstream.access : 'none',
    }),
    act: new Act({ ...deps, staleAfterMs: config.checks.staleAfterMs }),
  });
}
