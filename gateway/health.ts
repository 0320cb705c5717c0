import v8 from 'node:v8';
import type { Logger } from 'pino';
import type { MqttBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Config } from './config/schema.js';
import type { DeviceRegistry } from './devices.js';
import { MqttSessions } from './mqtt/sessions.js';
import type { RosterState } from './roster/roster-state.js';
import type { RosterSyncStatus } from './roster/sync/sync-part.js';
import type { Outbox } from './upstream/outbox.js';
import type { Upstream } from './upstream/upstream.js';
import type { ViidStatusView } from './upstream/viid/viid-link.js';
import { VERSION } from './version.js';
import type { HealthView } from './web/server.js';

/** What the health report reads of the pipeline. */
export interface PipelineStats {
  readonly backlog: number;
  readonly recorded: number;
}

/** What the health report is built from (the composition root passes each). */
export interface HealthDeps {
  config: Config;
  clock: Clock;
  bus: MqttBus;
  devices: DeviceRegistry;
  pipeline: PipelineStats;
  roster: RosterState;
  upstream: Upstream | null;
  /** The signed roster from upstream (issue 14), when on: its version and signer. */
  rosterSync?: { status(): RosterSyncStatus } | null;
  /** The GA/T 1400 link (issue 14), when on. Its state never degrades the health: the doors do not depend on it. */
  viid?: { status(): ViidStatusView } | null;
}

/**
 * How the gateway is, for /healthz and `estate-gateway health`: degraded on anything but
 * an unreachable upstream alone. Reads the parts, changes nothing.
 */
export class HealthReport {
  readonly #d: HealthDeps;
  readonly #startedAt: number;

  constructor(deps: HealthDeps) {
    this.#d = deps;
    this.#startedAt = deps.clock.now();
  }

  /** The health view. */
  view(): HealthView {
    const { bus, config, devices, pipeline, roster, clock } = this.#d;
    const problems: string[] = [];
    if (!bus.connected) problems.push('broker link down');
    const up = this.#d.upstream?.status ?? null;
    if (up && (!up.ready || up.lastError)) problems.push('upstream unreachable');
    const size = roster.index.size;
    if (size.residents === 0) problems.push('roster is empty: run `estate-gateway roster import`');
    return {
      status:
        problems.length === 0 || (problems.length === 1 && problems[0]?.startsWith('upstream'))
          ? 'ok'
          : 'degraded',
      version: VERSION,
      estateId: config.estate.id,
      gatewayId: config.gateway.id,
      uptimeS: Math.round((clock.now() - this.#startedAt) / 1000),
      broker: {
        mode: config.mqtt.url ? 'external' : 'embedded',
        connected: bus.connected,
        ...(bus instanceof MqttSessions ? { sessions: bus.status } : {}),
      },
      readers: { online: devices.onlineCount, total: config.readers.length },
      pipeline: { backlog: pipeline.backlog },
      upstream: up,
      roster: {
        version: roster.version,
        households: size.households,
        residents: size.residents,
        ...(this.#d.rosterSync ? { sync: this.#d.rosterSync.status() } : {}),
      },
      ...(this.#d.viid ? { viid: this.#d.viid.status() } : {}),
      problems,
    };
  }
}

/** What the health summary is built from (the composition root passes each). */
export interface HealthSummaryDeps {
  config: Config;
  clock: Clock;
  devices: DeviceRegistry;
  pipeline: PipelineStats;
  outbox: Outbox;
}

/**
 * The data of the upstream's retained health message (UpstreamEvents): sizes and rates,
 * no personal data. Keeps the window of its reads-per-second between two calls.
 */
export class HealthSummary {
  readonly #d: HealthSummaryDeps;
  readonly #startedAt: number;
  #rate = { at: 0, recorded: 0 };

  constructor(deps: HealthSummaryDeps) {
    this.#d = deps;
    this.#startedAt = deps.clock.now();
  }

  /** The summary of now. */
  summary(): Record<string, unknown> {
    const { config, devices, pipeline, outbox, clock } = this.#d;
    const mem = process.memoryUsage();
    const now = clock.now();
    const recorded = pipeline.recorded;
    const readsPerS = this.#rate.at
      ? ((recorded - this.#rate.recorded) * 1000) / Math.max(1, now - this.#rate.at)
      : 0;
    this.#rate = { at: now, recorded };
    return {
      online: true,
      gatewayId: config.gateway.id,
      version: VERSION,
      uptimeS: Math.round((now - this.#startedAt) / 1000),
      rssMB: Math.round(mem.rss / 1048576),
      heapMB: Math.round(mem.heapUsed / 1048576),
      outboxDepth: outbox.depth,
      readersOnline: devices.onlineCount,
      readersTotal: config.readers.length,
      backlog: pipeline.backlog,
      readsPerS: Math.round(readsPerS * 10) / 10,
    };
  }
}

/**
 * The daemon runs with a capped V8 heap (--max-old-space-size, systemd unit) to keep a
 * small box's memory flat. A very large roster can outgrow the cap: say so at start,
 * while there is time to raise it, instead of dying of an out-of-memory later.
 */
export function warnIfHeapTight(log: Logger): void {
  const h = v8.getHeapStatistics();
  if (h.used_heap_size > 0.5 * h.heap_size_limit) {
    log.warn(
      { usedMB: Math.round(h.used_heap_size / 1048576), limitMB: Math.round(h.heap_size_limit / 1048576) },
      'heap more than half full after loading the roster: raise --max-old-space-size in the service file',
    );
  }
}
