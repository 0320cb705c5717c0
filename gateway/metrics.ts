import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** One label combination of a HotCounts: the hot path bumps `n`. */
export interface HotSlot {
  readonly labels: Readonly<Record<string, string>>;
  n: number;
}

/**
 * Counts of a labelled counter kept as plain numbers (issue 15). Even through a cached
 * child, prom-client's inc() builds its labels' hash string, validates the labels and
 * returns an object on every call: per read, garbage and a few hundred nanoseconds for a
 * number going up by one. The hot path bumps a slot's `n` instead; the counter's collect
 * hook (every scrape, every read of the registry) moves the counts into the counter, so
 * what /metrics shows is exact and nothing is counted twice.
 */
export class HotCounts {
  readonly #labelNames: readonly string[];
  readonly #slots: HotSlot[] = [];

  constructor(labelNames: readonly string[]) {
    this.#labelNames = labelNames;
  }

  /**
   * A new slot for `values` (in labelNames order). The caller keeps it: two slots of the
   * same values both count, into the same series.
   */
  slot(...values: string[]): HotSlot {
    const labels: Record<string, string> = {};
    this.#labelNames.forEach((name, i) => {
      labels[name] = values[i] as string;
    });
    const s: HotSlot = { labels, n: 0 };
    this.#slots.push(s);
    return s;
  }

  /** Moves the counts into `counter` and zeroes them (the counter's collect hook). */
  flushInto(counter: Counter<string>): void {
    for (const s of this.#slots) {
      if (s.n === 0) continue;
      counter.inc(s.labels, s.n);
      s.n = 0;
    }
  }
}

/**
 * Counters for everything an installer asks about ("are reads arriving, is anything
 * rejected, is the upstream keeping up"), served at /metrics. One registry per gateway
 * instance — no global default registry, so tests can build several gateways.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'estate_gateway_' });
  // The two counters every read bumps, counted as plain numbers until collected.
  const readCounts = new HotCounts(['outcome', 'type', 'mode']);
  const commandCounts = new HotCounts(['action']);
  const m = {
    registry,
    readCounts,
    commandCounts,
    reads: new Counter({
      name: 'estate_gateway_reads_total',
      help: 'Credential reads recorded, by outcome and credential type',
      labelNames: ['outcome', 'type', 'mode'] as const,
      registers: [registry],
      collect() {
        readCounts.flushInto(this);
      },
    }),
    duplicates: new Counter({
      name: 'estate_gateway_duplicate_reads_total',
      help: 'Replayed reads already in the journal',
      registers: [registry],
    }),
    rejects: new Counter({
      name: 'estate_gateway_rejected_total',
      help: 'Input that could not become a read, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    ingressRequests: new Counter({
      name: 'estate_gateway_terminal_requests_total',
      help: 'Requests on the terminal listener (vendor push protocols), by route and HTTP status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    doorSignals: new Counter({
      name: 'estate_gateway_door_signals_total',
      help: 'Door hardware signals reported by drivers (contact, exit button, forced, held, fire), by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    commands: new Counter({
      name: 'estate_gateway_door_commands_total',
      help: 'Door commands sent, by action',
      labelNames: ['action'] as const,
      registers: [registry],
      collect() {
        commandCounts.flushInto(this);
      },
    }),
    alerts: new Counter({
      name: 'estate_gateway_alerts_total',
      help: 'Alerts raised (new, not coalesced repeats), by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    batchRows: new Histogram({
      name: 'estate_gateway_commit_rows',
      help: 'Reads per group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'estate_gateway_commit_seconds',
      help: 'Duration of one group commit (fsync included)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    answerSeconds: new Histogram({
      name: 'estate_gateway_answer_seconds',
      help: 'From a live read reaching the gateway to its door command leaving: checks, commit and fsync',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    storeErrors: new Counter({
      name: 'estate_gateway_store_errors_total',
      help: 'Failed journal commits',
      registers: [registry],
    }),
    storeState: new Gauge({
      name: 'estate_gateway_store_state',
      help: 'Whether the journal commits: 0 ok, 1 full (SQLITE_FULL), 2 failed (issue 12)',
      registers: [registry],
    }),
    heldReads: new Gauge({
      name: 'estate_gateway_held_reads',
      help: 'Reads held in memory, not acknowledged, while the journal cannot commit',
      registers: [registry],
    }),
    storeFailureAnswers: new Counter({
      name: 'estate_gateway_store_failure_answers_total',
      help: 'Doors answered without a commit, by the door policy (memory, closed, open), while the journal could not commit',
      labelNames: ['policy'] as const,
      registers: [registry],
    }),
    lateAnswersWithheld: new Counter({
      name: 'estate_gateway_late_answers_withheld_total',
      help: 'Door commands not sent because the read was older than checks.staleAfterMs by then: an unlock nobody waits for is a hazard',
      registers: [registry],
    }),
    diskFreeBytes: new Gauge({
      name: 'estate_gateway_disk_free_bytes',
      help: 'Free bytes on the file system holding dataDir (checked every 30 s)',
      registers: [registry],
    }),
    thumbnails: new Counter({
      name: 'estate_gateway_thumbnails_total',
      help: 'Face thumbnails by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: 'estate_gateway_outbox_events',
      help: 'Events waiting for the upstream',
      registers: [registry],
    }),
    outboxBytes: new Gauge({
      name: 'estate_gateway_outbox_bytes',
      help: 'Bytes waiting for the upstream',
      registers: [registry],
    }),
    upstreamSent: new Counter({
      name: 'estate_gateway_upstream_delivered_total',
      help: 'Events acknowledged by the upstream',
      registers: [registry],
    }),
    upstreamDropped: new Counter({
      name: 'estate_gateway_upstream_dropped_total',
      help: 'Events dropped by the outbox disk quota, by class',
      labelNames: ['class'] as const,
      registers: [registry],
    }),
    badRequests: new Counter({
      name: 'estate_gateway_http_bad_requests_total',
      help: 'HTTP requests refused as bad input (schema or content), by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    fingerprintSyncs: new Counter({
      name: 'estate_gateway_fingerprint_syncs_total',
      help: 'Fingerprint module library syncs with the roster, by outcome (ok, partial, failed, skipped)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    fingerprintPages: new Counter({
      name: 'estate_gateway_fingerprint_pages_total',
      help: 'Fingerprint module pages changed by the roster sync, by action (enrolled, replaced, removed, failed)',
      labelNames: ['action'] as const,
      registers: [registry],
    }),
    faceSyncs: new Counter({
      name: 'estate_gateway_face_syncs_total',
      help: 'Face terminal library syncs with the roster, by outcome (ok, partial, failed, skipped)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    facePersons: new Counter({
      name: 'estate_gateway_face_persons_total',
      help: 'Persons changed on face terminals by the roster sync, by action (enrolled, replaced, removed, failed)',
      labelNames: ['action'] as const,
      registers: [registry],
    }),
    cameraSnapshots: new Counter({
      name: 'estate_gateway_camera_snapshots_total',
      help: 'Camera snapshots at reads and door alarms, by result (ok, timeout, dropped, camera_auth, camera_unreachable…)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    cameraEmbeddings: new Counter({
      name: 'estate_gateway_camera_embeddings_total',
      help: 'Face embeddings asked of the embedding service for camera snapshots, by result (ok, no_face, failed)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    rosterSync: new Counter({
      name: 'estate_gateway_roster_sync_total',
      help: 'Roster messages from upstream (issue 14), by kind and outcome (applied, duplicate, current, behind, refused reasons)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    viid: new Counter({
      name: 'estate_gateway_viid_total',
      help: 'GA/T 1400 requests to the police platform (issue 14), by operation and result',
      labelNames: ['op', 'result'] as const,
      registers: [registry],
    }),
    viidQueue: new Gauge({
      name: 'estate_gateway_viid_queue',
      help: 'Faces waiting for the police platform',
      registers: [registry],
    }),
    readersOnline: new Gauge({
      name: 'estate_gateway_readers_online',
      help: 'Readers currently online',
      registers: [registry],
    }),
    brokerRefused: new Counter({
      name: 'estate_gateway_broker_refused_total',
      help: 'Embedded broker connections refused or cut by its guard (packet too large, bytes before login, CONNECT late, connection caps), by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    retentionDeleted: new Counter({
      name: 'estate_gateway_retention_deleted_total',
      help: 'Rows (and thumbnail day folders) deleted by the daily retention run, by table',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    brokerConnections: new Gauge({
      name: 'estate_gateway_broker_connections',
      help: 'Open connections at the embedded broker',
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
