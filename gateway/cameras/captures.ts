/**
 * Camera snapshots at the doors (issue 13): on every live read at a door with a camera
 * (at the read, or `cameraDelayMs` after it) and at every door alarm, one snapshot becomes
 * the thumbnail the check stage already named, through the same sharp path as a terminal's
 * image (re-encoded: metadata stripped, size-capped). Strictly after the door's answer and
 * off its path: a camera that is slow, dead or refusing costs a counter and a log line with
 * its id, never a delayed door. Per camera at most `maxPending` snapshots wait; past that
 * they are dropped and counted. Each outcome is a row of camera_captures (migration 011),
 * with the face embedding when an embedding service is configured.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Snapshot, SnapshotRequest } from '../../core/contracts.js';
import type { Config } from '../config/schema.js';
import { doorHardware } from '../config/schema-doors.js';
import type { Metrics } from '../metrics.js';
import { embeddingToBlob } from '../passes/model.js';
import type { Checked } from '../pipeline/check.js';
import { type Thumbnailer, thumbPath } from '../pipeline/thumbnails.js';
import type { Store } from '../store/store.js';
import type { EmbeddingService } from './embedding.js';

/** Where snapshots come from: the camera readers' driver (DriverSet). */
export interface SnapshotSource {
  snapshot(readerId: string, req: SnapshotRequest): Promise<Snapshot>;
}

/** What the captures part is built from. */
export interface CameraCapturesDeps {
  config: Config;
  store: Store;
  cameras: SnapshotSource;
  thumbnails: Thumbnailer;
  embedding: EmbeddingService | null;
  metrics: Metrics;
  clock: Clock;
  log: Logger;
}

/** What one capture is for. */
interface Job {
  camera: string;
  doorId: string;
  readerId: string | null;
  recordId: string;
  thumb: string;
  at: number;
}

/** A camera's failures are logged at warn once a minute, then counted only (a dead camera at a busy door). */
const WARN_EVERY_MS = 60_000;

const INSERT = `INSERT INTO camera_captures(camera_id, door_id, reader_id, record_id, ts, outcome, thumb, embedding, detail)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Snapshots of the doors' cameras. */
export class CameraCaptures {
  readonly #d: CameraCapturesDeps;
  readonly #cameraOf = new Map<string, { camera: string; delayMs: number }>();
  readonly #pending = new Map<string, number>();
  readonly #warned = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(d: CameraCapturesDeps) {
    this.#d = d;
    for (const door of d.config.doors) {
      const hw = doorHardware(door);
      if (hw.camera) this.#cameraOf.set(door.id, { camera: hw.camera, delayMs: hw.cameraDelayMs });
    }
  }

  /** Whether a door has a camera. */
  has(doorId: string): boolean {
    return this.#cameraOf.has(doorId);
  }

  /** A read was answered: snapshot it when its door has a camera and the check named a thumbnail for it. */
  read(c: Checked): void {
    const cam = this.#cameraOf.get(c.read.doorId);
    if (!cam || !c.thumb || c.read.offline || c.read.stale) return;
    const n = c.read;
    this.#queue(
      {
        camera: cam.camera,
        doorId: n.doorId,
        readerId: n.readerId,
        recordId: n.recordId,
        thumb: c.thumb,
        at: n.receivedAt,
      },
      cam.delayMs,
    );
  }

  /** A door alarm: snapshot it now; returns the thumbnail it will be, or null (no camera at the door). */
  alarm(doorId: string, why: string, at: number): string | null {
    const cam = this.#cameraOf.get(doorId);
    if (!cam) return null;
    const recordId = `${why}-${at}`;
    const thumb = thumbPath(cam.camera, recordId, at, this.#d.config.thumbnails.format);
    this.#queue({ camera: cam.camera, doorId, readerId: null, recordId, thumb, at }, 0);
    return thumb;
  }

  /** Cancels snapshots still waiting for their delay (shutdown). */
  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** Retention: forgets captures (and their embeddings) older than the thumbnails. */
  sweep(days: number, now: number): number {
    return this.#d.store.statement('DELETE FROM camera_captures WHERE ts < ?').run(now - days * 86_400_000)
      .changes;
  }

  #queue(job: Job, delayMs: number): void {
    if (this.#stopped) return;
    const waiting = this.#pending.get(job.camera) ?? 0;
    if (waiting >= this.#d.config.cameras.maxPending) {
      this.#done(job, 'dropped', null, 'too many snapshots waiting for this camera');
      return;
    }
    this.#pending.set(job.camera, waiting + 1);
    const go = () =>
      void this.#take(job).finally(() =>
        this.#pending.set(job.camera, (this.#pending.get(job.camera) ?? 1) - 1),
      );
    if (delayMs <= 0) {
      go();
      return;
    }
    const t = setTimeout(() => {
      this.#timers.delete(t);
      go();
    }, delayMs);
    t.unref();
    this.#timers.add(t);
  }

  async #take(job: Job): Promise<void> {
    const { cameras, thumbnails, config } = this.#d;
    let shot: Snapshot;
    try {
      shot = await cameras.snapshot(job.camera, {
        timeoutMs: config.cameras.snapshotTimeoutMs,
        maxBytes: config.cameras.maxBytes,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'CAMERA_ERROR';
      this.#done(job, code === 'CAMERA_TIMEOUT' ? 'timeout' : 'failed', null, code);
      return;
    }
    if (this.#stopped || !thumbnails.enqueue(job.thumb, shot.data)) {
      this.#done(job, 'dropped', null, 'the thumbnail queue is full');
      return;
    }
    let embedding: Float32Array | null = null;
    if (this.#d.embedding) {
      try {
        embedding = await this.#d.embedding.embed(shot.data);
        this.#d.metrics.cameraEmbeddings.inc({ result: embedding ? 'ok' : 'no_face' });
      } catch (err) {
        this.#d.metrics.cameraEmbeddings.inc({ result: 'failed' });
        this.#d.log.warn({ camera: job.camera, err: (err as Error).message }, 'embedding service failed');
      }
    }
    this.#done(job, 'ok', embedding, null);
  }

  #done(
    job: Job,
    outcome: 'ok' | 'timeout' | 'failed' | 'dropped',
    embedding: Float32Array | null,
    detail: string | null,
  ): void {
    const { metrics, log, clock } = this.#d;
    metrics.cameraSnapshots.inc({
      result: outcome === 'failed' ? (detail ?? 'failed').toLowerCase() : outcome,
    });
    if (outcome !== 'ok') {
      const now = clock.now();
      const last = this.#warned.get(job.camera) ?? 0;
      const line = { camera: job.camera, door: job.doorId, outcome, detail };
      if (now - last >= WARN_EVERY_MS) {
        this.#warned.set(job.camera, now);
        log.warn(line, 'camera snapshot not taken');
      } else log.debug(line, 'camera snapshot not taken');
    }
    try {
      this.#d.store
        .statement(INSERT)
        .run(
          job.camera,
          job.doorId,
          job.readerId,
          job.recordId,
          job.at,
          outcome,
          outcome === 'ok' ? job.thumb : null,
          embedding ? embeddingToBlob(embedding) : null,
          detail,
        );
    } catch (err) {
      // The store closing under a late snapshot: the thumbnail (if any) stands without its row.
      log.debug({ err: (err as Error).message, camera: job.camera }, 'capture not recorded');
    }
  }
}
