import type { DoorCommand, Driver, Snapshot, SnapshotRequest } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { optionsCheck, ReaderOptions } from '../serial/options.js';
import type { DriverContext } from '../types.js';
import { type CameraFailure, cameraError, failureOf, oneLine } from './calls.js';
import { type CameraSettings, OnvifCamera } from './camera.js';
import { AUTH_BACKOFF_MS, DEFAULT_PROBE_MS } from './constants.js';

/** A camera reader's options, read and range-checked; the driver and check-config share it. */
export function onvifOptions(o: ReaderOptions): Omit<CameraSettings, 'readerId' | 'username' | 'password'> & {
  probeMs: number;
} {
  const url = o.string('url');
  const snapshotUrl = o.optionalString('snapshotUrl');
  return {
    url: httpUrl(o, 'url', url) ?? new URL('http://invalid.invalid/'),
    profile: o.optionalString('profile'),
    snapshotUrl: snapshotUrl === undefined ? undefined : httpUrl(o, 'snapshotUrl', snapshotUrl),
    wsSecurity: o.bool('wsSecurity', true),
    probeMs: o.int('probeSeconds', DEFAULT_PROBE_MS / 1000, 5, 3600) * 1000,
  };
}

function httpUrl(o: ReaderOptions, key: string, text: string): URL | undefined {
  try {
    const u = new URL(text);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u;
  } catch {
    // reported below
  }
  o.problem(key, 'must be an http:// or https:// URL');
  return undefined;
}

/** Counters of one camera, shown with its reader on the devices page. */
type CameraStats = Record<'snapshots' | 'probes' | 'sessions' | `failed_${CameraFailure}`, number>;

/**
 * ONVIF cameras beside doors (issue 13; protocols.md "ONVIF cameras"), on the npm package
 * `onvif` 0.8. Each configured "reader" is a camera: the gateway asks it for a snapshot at a
 * read or a door alarm (`snapshot`); it switches nothing. A probe reads each camera's clock
 * every `probeSeconds` (default 30) and reports it online or offline, with its clock, so a
 * dead camera raises device_offline like any device. Snapshots of one camera are taken one
 * at a time: cheap cameras fail when asked twice at once. Pull-point events (motion, tamper)
 * are not subscribed: cheap cameras refuse them and the library's polling loop cannot be
 * bounded the way the rest of this driver is.
 *
 * Reader `options`: `url` (required): the device service, `http://192.168.1.64/onvif/device_service`;
 * `profile`: a profile token; `snapshotUrl`: a URL that replaces GetSnapshotUri;
 * `wsSecurity`: false for cameras that only take HTTP Digest on SOAP; `probeSeconds`.
 * The login is in the secrets file: `cameras: { <reader id>: { username, password } }`.
 */
export class OnvifDriver implements Driver {
  readonly name = 'onvif';
  readonly #ctx: DriverContext;
  readonly #cams = new Map<
    string,
    { cam: OnvifCamera; probeMs: number; stats: CameraStats; queue: Promise<unknown> }
  >();
  readonly #timers = new Set<NodeJS.Timeout>();
  #authRefusedUntil = new Map<string, number>();
  #running = false;

  constructor(ctx: DriverContext) {
    this.#ctx = ctx;
    for (const r of ctx.readers) {
      const o = onvifOptions(new ReaderOptions(r));
      const stats = { snapshots: 0, probes: 0, sessions: 0 } as CameraStats;
      const cam = new OnvifCamera({ ...o, readerId: r.id, username: undefined, password: undefined });
      this.#cams.set(r.id, { cam, probeMs: o.probeMs, stats, queue: Promise.resolve() });
    }
  }

  async start(): Promise<void> {
    this.#running = true;
    for (const [id, c] of this.#cams) {
      const login = this.#ctx.secrets?.cameraLogin(id);
      if (!login)
        this.#ctx.log.warn(
          { reader: id },
          'no login for this camera in the secrets file (cameras.<id>); trying without',
        );
      // The login is read now, after the secrets file, and never logged.
      const fresh = new OnvifCamera({ ...c.cam.s, username: login?.username, password: login?.password });
      c.cam = fresh;
      this.#probe(id, 0);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** Cameras open no door: a command sent here is a config mistake, logged. */
  command(readerId: string, cmd: DoorCommand): void {
    this.#ctx.log.debug({ reader: readerId, action: cmd.action }, 'cameras switch no door; command ignored');
  }

  stats(readerId: string): Readonly<Record<string, number>> {
    const c = this.#cams.get(readerId);
    if (!c) throw new GatewayError('UNKNOWN_READER', `no camera ${readerId}`);
    return { ...c.stats, sessions: c.cam.sessions };
  }

  /** One snapshot, queued behind the camera's others; rejects with a coded camera error. */
  snapshot(readerId: string, req: SnapshotRequest): Promise<Snapshot> {
    const c = this.#cams.get(readerId);
    if (!c) return Promise.reject(new GatewayError('UNKNOWN_READER', `no camera ${readerId}`));
    const deadline = Date.now() + req.timeoutMs;
    const run = async (): Promise<Snapshot> => {
      const refusedUntil = this.#authRefusedUntil.get(readerId) ?? 0;
      if (Date.now() < refusedUntil) throw cameraError('auth', 'login refused recently; not retried yet');
      if (Date.now() >= deadline)
        throw cameraError('timeout', 'waited behind other snapshots past the deadline');
      try {
        const data = await c.cam.snapshot(deadline, req.maxBytes);
        c.stats.snapshots++;
        this.#online(readerId, true);
        return { mime: 'image/jpeg', data, takenAt: this.#ctx.clock.now() };
      } catch (err) {
        this.#failed(readerId, err, 'snapshot');
        throw err;
      }
    };
    const p = c.queue.then(run, run);
    c.queue = p.catch(() => undefined);
    return p;
  }

  #probe(readerId: string, afterMs: number): void {
    const c = this.#cams.get(readerId);
    if (!c || !this.#running) return;
    const t = setTimeout(async () => {
      this.#timers.delete(t);
      try {
        const camTime = await c.cam.clock(Date.now() + 5000);
        c.stats.probes++;
        this.#online(readerId, true, camTime);
      } catch (err) {
        this.#failed(readerId, err, 'probe');
      }
      this.#probe(readerId, c.probeMs);
    }, afterMs);
    t.unref();
    this.#timers.add(t);
  }

  #failed(readerId: string, err: unknown, what: string): void {
    const c = this.#cams.get(readerId);
    if (!c) return;
    const kind = failureOf(err);
    c.stats[`failed_${kind}`] = (c.stats[`failed_${kind}`] ?? 0) + 1;
    if (kind === 'auth') this.#authRefusedUntil.set(readerId, Date.now() + AUTH_BACKOFF_MS);
    if (kind === 'unreachable' || kind === 'timeout') this.#online(readerId, false);
    this.#ctx.log.warn(
      { reader: readerId, failure: kind, err: oneLine((err as Error).message) },
      `camera ${what} failed`,
    );
  }

  #online(readerId: string, online: boolean, camTime?: number): void {
    if (!this.#running) return;
    if (online) this.#authRefusedUntil.delete(readerId);
    this.#ctx.sink.status(readerId, camTime === undefined ? { online } : { online, ts: camTime });
  }
}

/** Factory for the registry. */
export function createOnvifDriver(ctx: DriverContext): OnvifDriver {
  return new OnvifDriver(ctx);
}
/** check-config: problems in a camera's options. */
createOnvifDriver.checkOptions = optionsCheck(onvifOptions);
/** Its readers are cameras: a door's `camera` may name one. */
createOnvifDriver.takesSnapshots = true;
