import v8 from 'node:v8';
import type { Logger } from 'pino';
import type { MqttBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Config } from './config/schema.js';
import type { DeviceRegistry } from './devices.js';
import type { DiskSpace } from './disk-space.js';
import { MqttSessions } from './mqtt/sessions.js';
import type { JournalFaultView } from './pipeline/journal-fault.js';
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
  /** Whether the journal commits (issue 12), and reads held meanwhile. */
  readonly store: JournalFaultView & { held: number };
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
  /** The disk holding dataDir. */
  disk: DiskSpace;
  /** The signed roster from upstream (issue 14), when on: its version and signer. */
  rosterSync?: { status(): RosterSyncStatus } | null;
  /** The GA/T 1400 link (issue 14), when on. Its state never degrades the health: the doors do not depend on it. */
  viid?: { status(): ViidStatusView } | null;
}

const MB = 1048576;

/**
 * How the gateway is, for /healthz and `estate-gateway health`: degraded on any problem —
 * the broker link, the journal (full or failed, with the free bytes), a disk past its
 * watermark, an unreachable upstream (with its queue and the age of its oldest event,
 * issue 12 item 4), an empty roster. Reads the parts, changes nothing.
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
    const j = pipeline.store;
    const disk = this.#d.disk.current;
    const free = disk ? `${Math.round(disk.freeBytes / MB)} MB free` : 'free space unknown';
    if (j.state === 'full')
      problems.push(`store full: the journal cannot commit (${j.held} reads held in memory, ${free})`);
    else if (j.state === 'failed')
      problems.push(
        `store failed (${j.error ?? 'error'}): the journal cannot commit (${j.held} reads held in memory)`,
      );
    if (disk && disk.usedPercent >= this.#d.disk.warnPercent)
      problems.push(`disk ${disk.usedPercent} % full (warning at ${this.#d.disk.warnPercent} %): ${free}`);
    const up = this.#d.upstream?.status ?? null;
    if (up && (!up.ready || up.lastError))
      problems.push(
        `upstream unreachable: ${up.depth} event${up.depth === 1 ? '' : 's'} queued${up.oldestAgeS === null ? '' : `, oldest ${age(up.oldestAgeS)} old`}`,
      );
    const size = roster.index.size;
    if (size.residents === 0) problems.push('roster is empty: run `estate-gateway roster import`');
    return {
      status: problems.length === 0 ? 'ok' : 'degraded',
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
      store: {
        state: j.state,
        since: j.since === null ? null : new Date(j.since).toISOString(),
        error: j.error,
        held: j.held,
        answered: j.answered,
        refused: j.refused,
        freeBytes: disk?.freeBytes ?? null,
        totalBytes: disk?.totalBytes ?? null,
        usedPercent: disk?.usedPercent ?? null,
        warnPercent: this.#d.disk.warnPercent,
      },
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

/** A duration for people: 45 s, 12 min, 3.5 h. */
function age(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 360) / 10} h`;
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
      // The retained health message reaches the district system even while the journal
      // (and with it the outbox) cannot take the storage alert (issue 12).
      store: pipeline.store.state,
      heldReads: pipeline.store.held,
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
