/**
 * One ONVIF camera (issue 13): GetSystemDateAndTime (the camera's clock, which WS-Security
 * is checked against), GetCapabilities (where its media service is), GetProfiles,
 * GetSnapshotUri; then snapshots over HTTP Digest with the URI kept until it fails. A
 * session is built on a fresh library object each time, so a call abandoned at its
 * deadline cannot touch the next one. When a call is refused as unauthorised the clock is
 * read again and the call tried once more: most "Sender not authorized" are a clock that
 * drifted, not a password. The snapshot URI must point at the camera itself: a camera (or
 * someone who took it over) cannot send the gateway, with the camera's password, elsewhere.
 */
import type { Cam, CamProfile } from 'onvif';
import { DigestClient } from '../../core/digest.js';
import { call, cameraError, failureOf } from './calls.js';
import { fetchSnapshot } from './snapshot-fetch.js';

/** A camera's settings (reader options and secrets). */
export interface CameraSettings {
  readerId: string;
  /** The device service URL. */
  url: URL;
  username: string | undefined;
  password: string | undefined;
  /** Profile whose snapshot to take; default the first with a video encoder. */
  profile: string | undefined;
  /** A snapshot URL that replaces GetSnapshotUri (cameras whose answer is wrong). */
  snapshotUrl: URL | undefined;
  /** Send WS-Security headers (false: a camera that only takes HTTP Digest on SOAP). */
  wsSecurity: boolean;
}

interface Session {
  snapshotUrl: URL;
  profile: string;
}

/** The connection state and snapshot path of one camera. */
export class OnvifCamera {
  readonly s: CameraSettings;
  readonly #digest: DigestClient;
  #session: Session | null = null;
  /** Camera clock minus gateway clock at the last reading, ms (1 s resolution). */
  clockOffsetMs: number | null = null;
  /** Sessions built since start: more than one means the camera was lost and found again. */
  sessions = 0;

  constructor(s: CameraSettings) {
    this.s = s;
    this.#digest = new DigestClient(s.username ?? '', s.password ?? '');
  }

  /** Reads the camera's clock (no login needed by the spec); returns its time. */
  async clock(deadline: number): Promise<number> {
    const cam = await this.#cam(deadline);
    const t = await call<Date>(deadline, 'GetSystemDateAndTime', (cb) => cam.getSystemDateAndTime(cb));
    const camTime = t instanceof Date ? t.getTime() : Number.NaN;
    if (!Number.isFinite(camTime))
      throw cameraError('protocol', 'GetSystemDateAndTime: no time in the answer');
    const offset = camTime - Date.now();
    // A clock that moved by more than a few seconds since the session was built makes its
    // WS-Security stale: build the next session afresh.
    if (this.clockOffsetMs !== null && Math.abs(offset - this.clockOffsetMs) > 3000) this.#session = null;
    this.clockOffsetMs = offset;
    return camTime;
  }

  /** One snapshot JPEG, connecting first if needed; rejects with a camera error. */
  async snapshot(deadline: number, maxBytes: number): Promise<Buffer> {
    const session = this.#session ?? (await this.#connect(deadline));
    try {
      return await fetchSnapshot(session.snapshotUrl, { deadline, maxBytes, digest: this.#digest });
    } catch (err) {
      // A snapshot URI that stopped working (404, a reboot that changed it) is asked for again next time.
      const kind = failureOf(err);
      if (kind === 'protocol' || kind === 'unreachable') this.#session = null;
      throw err;
    }
  }

  /** Forgets the session (the next snapshot connects again). */
  reset(): void {
    this.#session = null;
  }

  async #connect(deadline: number): Promise<Session> {
    const cam = await this.#cam(deadline);
    const t = await call<Date>(deadline, 'GetSystemDateAndTime', (cb) => cam.getSystemDateAndTime(cb));
    if (t instanceof Date) this.clockOffsetMs = t.getTime() - Date.now();
    await this.#authed(cam, deadline, 'GetCapabilities', (cb) => cam.getCapabilities(cb));
    if (!cam.uri?.media) throw cameraError('protocol', 'GetCapabilities: no media service');
    const profiles = await this.#authed<CamProfile[]>(cam, deadline, 'GetProfiles', (cb) =>
      cam.getProfiles(cb),
    );
    const profile = this.#pickProfile(profiles);
    let url = this.s.snapshotUrl;
    if (!url) {
      const answer = await this.#authed<{ uri?: unknown }>(cam, deadline, 'GetSnapshotUri', (cb) =>
        cam.getSnapshotUri({ profileToken: profile }, cb),
      );
      url = this.#checkedUri(answer?.uri);
    }
    const session = { snapshotUrl: url, profile };
    this.#session = session;
    this.sessions++;
    return session;
  }

  /** A call that needs the login: refused once, the clock is read again and it is tried again. */
  async #authed<T>(
    cam: Cam,
    deadline: number,
    what: string,
    start: Parameters<typeof call<T>>[2],
  ): Promise<T> {
    try {
      return await call<T>(deadline, what, start);
    } catch (err) {
      if (failureOf(err) !== 'auth') throw err;
      cam.timeShift = undefined; // the library keeps the first offset it saw; make it take a new one
      const t = await call<Date>(deadline, 'GetSystemDateAndTime', (cb) => cam.getSystemDateAndTime(cb));
      if (t instanceof Date) this.clockOffsetMs = t.getTime() - Date.now();
      return call<T>(deadline, what, start);
    }
  }

  #pickProfile(profiles: CamProfile[] | undefined): string {
    const list = Array.isArray(profiles) ? profiles : [];
    const token = (p: CamProfile) => (p as { $?: { token?: string } }).$?.token ?? p.token;
    if (this.s.profile) {
      if (!list.some((p) => token(p) === this.s.profile))
        throw cameraError('protocol', `GetProfiles: no profile "${this.s.profile}"`);
      return this.s.profile;
    }
    const withVideo = list.find((p) => p.videoEncoderConfiguration && token(p)) ?? list.find((p) => token(p));
    const t = withVideo ? token(withVideo) : undefined;
    if (!t) throw cameraError('protocol', 'GetProfiles: the camera has no profile');
    return t;
  }

  /** The snapshot URI, if it is an http(s) URL on the camera's own host. */
  #checkedUri(raw: unknown): URL {
    let url: URL;
    try {
      url = new URL(String(raw ?? ''));
    } catch {
      throw cameraError('protocol', 'GetSnapshotUri: not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw cameraError('protocol', `GetSnapshotUri: ${url.protocol} is not http(s)`);
    if (url.hostname !== this.s.url.hostname)
      throw cameraError(
        'protocol',
        `GetSnapshotUri: host ${url.hostname} is not the camera (set snapshotUrl if it must be)`,
      );
    return url;
  }

  /**
   * A fresh library object. The library (and its XML stack, ~2 MB of heap) is loaded on the
   * first call, so a gateway without cameras never carries it.
   */
  async #cam(deadline: number): Promise<Cam> {
    const { Cam } = await import('onvif');
    const u = this.s.url;
    const https = u.protocol === 'https:';
    return new Cam({
      hostname: u.hostname,
      port: u.port ? Number(u.port) : https ? 443 : 80,
      path: u.pathname,
      useSecure: https,
      username: this.s.username,
      password: this.s.password,
      useWSSecurity: this.s.wsSecurity,
      // The library's own timeout is socket idleness; the deadline above bounds the call.
      timeout: Math.max(1000, deadline - Date.now()),
      autoconnect: false,
      // Cameras behind NAT or with a wrong network setting name other hosts in their XAddrs.
      preserveAddress: true,
    });
  }
}
