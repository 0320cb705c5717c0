/**
 * The simulated estate's cameras (issue 13): an ONVIF camera for every camera reader of the
 * config whose URL is on this machine (http://127.0.0.1:port/…), each on its port with the
 * login the gateway's secrets file gives it. Cameras on real addresses are hardware.
 */
import type { Logger } from 'pino';
import { SimOnvifCamera } from './onvif/camera.js';
import { type SimSite, simCameraPort } from './site.js';

/** The simulated cameras of a site. */
export class SimCameras {
  readonly cameras = new Map<string, SimOnvifCamera>();
  readonly #log: Logger | undefined;

  /** `logins`: each camera's user name and password by reader id (cameras without one are skipped). */
  constructor(
    site: Pick<SimSite, 'readers'>,
    logins: (readerId: string) => { username: string; password: string } | undefined,
    log?: Logger,
  ) {
    this.#log = log;
    for (const r of site.readers) {
      const port = simCameraPort(r);
      const login = logins(r.id);
      if (port === null || !login) continue;
      this.cameras.set(
        r.id,
        new SimOnvifCamera({ port, username: login.username, password: login.password }),
      );
    }
  }

  async start(): Promise<void> {
    await Promise.all([...this.cameras.values()].map((c) => c.start()));
    if (this.cameras.size > 0) this.#log?.info({ cameras: [...this.cameras.keys()] }, 'cameras simulated');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.cameras.values()].map((c) => c.stop()));
  }

  /** Snapshots served so far, all cameras. */
  get snapshots(): number {
    let n = 0;
    for (const c of this.cameras.values()) n += c.counts.snapshots;
    return n;
  }
}
