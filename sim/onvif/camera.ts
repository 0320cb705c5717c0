/**
 * A simulated ONVIF camera (issue 13): an HTTP SOAP server answering what the `onvif` 0.8
 * client sends — GetSystemDateAndTime without login, GetCapabilities, GetProfiles and
 * GetSnapshotUri with a WS-Security UsernameToken checked against the camera's own clock
 * — and a JPEG snapshot behind HTTP Digest. The production driver is what the tests run
 * against it. Its knobs are the trouble cameras cause in the field (agsh/onvif issues): a
 * clock that is off, "Unauthorized" where the spec says "Sender not authorized", a camera
 * that only speaks Digest, a slow snapshot, one that dies half-way, no pull-point support.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DigestServer } from '../../core/digest.js';
import { faceImage } from '../images.js';
import * as X from './soap.js';

/** How the simulated camera is set up. */
export interface SimCameraOptions {
  username?: string;
  password: string;
  host?: string;
  /** Default 0: any free port (read `deviceUrl` after start()). */
  port?: number;
  /** The camera's clock runs this far ahead of real time (negative: behind), ms. */
  clockSkewMs?: number;
  /** A UsernameToken created further than this from the camera's clock is refused, ms (default 5000). */
  skewToleranceMs?: number;
  /** The JPEG it serves; by default a synthetic face, one of several, in turn. */
  image?: () => Promise<Buffer>;
}

/** How a camera words and sends an auth refusal. */
export interface AuthFaultStyle {
  /** "Sender not authorized" (the spec), "Unauthorized" (many cameras). */
  text: string;
  /** 400 (the spec for WS-Security), 401 (many cameras). */
  status: 400 | 401;
}

/** What the camera saw, for tests to assert on. */
export interface SimCameraCounts {
  /** SOAP calls by action. */
  calls: Record<string, number>;
  /** SOAP calls refused for their UsernameToken (missing, wrong, stale Created, replayed nonce). */
  refused: number;
  /** Snapshots served whole. */
  snapshots: number;
  /** Snapshot requests refused by Digest (the first of each is the normal challenge). */
  digestChallenges: number;
  /** Most snapshots served at the same time. */
  maxConcurrent: number;
}

const MAX_BODY = 64 * 1024;

/** One simulated camera on a port of its own. */
export class SimOnvifCamera {
  /** Clock skew, ms; a test may change it while running (a camera whose clock drifts). */
  clockSkewMs: number;
  /** How auth refusals read. */
  authFault: AuthFaultStyle = { text: 'Sender not authorized', status: 400 };
  /** The camera demands HTTP Digest on its SOAP calls too (some firmware ignores WS-Security). */
  soapDigest = false;
  /** The snapshot takes this long before its first byte, ms. */
  snapshotDelayMs = 0;
  /** The snapshot's connection is cut after half the bytes (a camera rebooting, a cable). */
  dieMidSnapshot = false;
  /** SOAP requests are accepted and never answered (a camera hung in its web server). */
  hang = false;
  /** GetProfiles answers an empty list element (firmware seen returning nothing useful). */
  brokenProfiles = false;
  /** GetSnapshotUri names this host instead of the camera's own (a NAT, a wrong setting, or worse). */
  snapshotHost: string | null = null;
  /** Called with each SOAP action before it is answered (tests move the clock at a precise step). */
  onCall: ((action: string) => void) | null = null;
  readonly counts: SimCameraCounts = {
    calls: {},
    refused: 0,
    snapshots: 0,
    digestChallenges: 0,
    maxConcurrent: 0,
  };
  #inFlight = 0;
  readonly #o: SimCameraOptions;
  readonly #digest: DigestServer;
  readonly #nonces = new Set<string>();
  readonly #sockets = new Set<import('node:net').Socket>();
  #server: http.Server | undefined;
  #port: number;
  #shot = 0;

  constructor(o: SimCameraOptions) {
    this.#o = o;
    this.#port = o.port ?? 0;
    this.clockSkewMs = o.clockSkewMs ?? 0;
    this.#digest = new DigestServer({
      realm: 'IP Camera',
      users: (name) => (name === this.username ? o.password : undefined),
    });
  }

  get username(): string {
    return this.#o.username ?? 'admin';
  }

  /** Base URL, http://host:port. */
  get base(): string {
    return `http://${this.#o.host ?? '127.0.0.1'}:${this.#port}`;
  }

  /** The device service URL a camera reader's `options.url` names. */
  get deviceUrl(): string {
    return `${this.base}/onvif/device_service`;
  }

  /** Listens (again, on the same port after stop()). */
  async start(): Promise<void> {
    const server = http.createServer((req, res) => void this.#handle(req, res));
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#o.host ?? '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and cuts every connection (a camera losing power). */
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  #now(): number {
    return Date.now() + this.clockSkewMs;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    if (req.method === 'GET' && url.pathname === '/onvif/snapshot.jpg') return this.#snapshot(req, res);
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const body = await readBody(req);
    if (body === null) return void res.writeHead(413).end();
    const action = X.soapAction(req.headers['content-type'], body) ?? '?';
    this.counts.calls[action] = (this.counts.calls[action] ?? 0) + 1;
    this.onCall?.(action);
    if (this.hang) return; // the socket stays open, nothing comes back
    const send = (status: number, xml: string): void =>
      void res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(xml);
    if (action === 'GetSystemDateAndTime') return send(200, X.systemDateAndTime(this.#now()));
    if (this.soapDigest) {
      const v = this.#digest.verify(req.headers.authorization, 'POST');
      if (!v.ok) {
        res.setHeader('www-authenticate', this.#digest.challenge(v.why === 'stale_nonce'));
        return void res
          .writeHead(401, { 'content-type': 'text/html' })
          .end('<html><body>401 Unauthorized</body></html>');
      }
    } else if (!this.#authorised(body)) {
      this.counts.refused++;
      return send(this.authFault.status, X.fault('NotAuthorized', this.authFault.text));
    }
    switch (action) {
      case 'GetCapabilities':
        return send(200, X.capabilities(this.base));
      case 'GetProfiles':
        return send(200, this.brokenProfiles ? X.envelope('<trt:GetProfilesResponse/>') : X.profiles());
      case 'GetSnapshotUri': {
        const token = X.element(body, 'ProfileToken') ?? '';
        if (!/^Profile_[12]$/.test(token)) return send(400, X.fault('NoProfile', 'No such profile'));
        const base = this.snapshotHost ? `http://${this.snapshotHost}:${this.#port}` : this.base;
        return send(200, X.snapshotUri(`${base}/onvif/snapshot.jpg?profile=${token}`));
      }
      default:
        // CreatePullPointSubscription among them: cheap cameras refuse pull points.
        return send(400, X.fault('ActionNotSupported', 'Optional Action Not Implemented', 'Receiver'));
    }
  }

  /** The UsernameToken is right, fresh by the camera's clock, and its nonce not seen before. */
  #authorised(body: string): boolean {
    const t = X.usernameToken(body);
    if (!t || t.username !== this.username) return false;
    if (X.passwordDigest(t.nonce, t.created, this.#o.password) !== t.digest) return false;
    const created = Date.parse(t.created);
    if (!Number.isFinite(created) || Math.abs(created - this.#now()) > (this.#o.skewToleranceMs ?? 5000))
      return false;
    if (this.#nonces.has(t.nonce)) return false; // a replayed request
    this.#nonces.add(t.nonce);
    if (this.#nonces.size > 10_000) this.#nonces.delete(this.#nonces.values().next().value as string);
    return true;
  }

  async #snapshot(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const v = this.#digest.verify(req.headers.authorization, 'GET');
    if (!v.ok) {
      this.counts.digestChallenges++;
      res.setHeader('www-authenticate', this.#digest.challenge(v.why === 'stale_nonce'));
      return void res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
    }
    this.#inFlight++;
    this.counts.maxConcurrent = Math.max(this.counts.maxConcurrent, this.#inFlight);
    try {
      const jpeg = await (this.#o.image?.() ?? faceImage(this.#shot++));
      if (this.snapshotDelayMs > 0) await new Promise((r) => setTimeout(r, this.snapshotDelayMs));
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length });
      if (this.dieMidSnapshot) {
        await new Promise<void>((r) => res.write(jpeg.subarray(0, jpeg.length >> 1), () => r()));
        res.destroy();
        return;
      }
      await new Promise<void>((r) => res.end(jpeg, () => r()));
      this.counts.snapshots++;
    } finally {
      this.#inFlight--;
    }
  }
}

async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > MAX_BODY) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
