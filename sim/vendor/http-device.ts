/**
 * The HTTP side of a simulated vendor terminal (Hikvision ISAPI, Dahua CGI): a server on
 * 127.0.0.1 that wants Digest (core/digest.ts) as the real ones do — a nonce good for a few
 * uses only if told so, `stale=true` when it ran out, Basic refused — and locks the account
 * after repeated refused logins, each try during the lock extending it. Routes are the
 * vendor's; this only authenticates, reads bodies and counts.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DigestServer } from '../../core/digest.js';

/** A request as a route sees it. */
export interface SimRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The raw response, for routes that hold a stream open. */
  res: http.ServerResponse;
}

/** A route's answer; `held` when the route keeps `res` open itself (an event stream). */
export type SimReply = { status: number; type?: string; body?: string | Buffer } | 'held';

/** A route: exact path, or a prefix ending in `*`. */
type Handler = (req: SimRequest) => SimReply | Promise<SimReply>;

/** How the device authenticates. */
export interface SimHttpDeviceOptions {
  realm: string;
  username: string;
  password: string;
  /** Uses of one nonce before it is stale (one Hikvision firmware: 2). Default unlimited. */
  nonceMaxUses?: number;
  /** Refused logins in a row before the account locks. Default 5. */
  lockAfter?: number;
  /** Lock length, seconds. Default 30. */
  lockSeconds?: number;
  /** The 401 body: `locked` with the seconds left, or the plain challenge body. */
  body401: (lockedSeconds: number | null) => { type: string; body: string };
  port?: number;
}

/** Counters the tests read. */
export interface SimHttpStats {
  requests: number;
  challenges: number;
  refusedLogins: number;
  /** Requests that came while locked (each extends the lock). */
  triedWhileLocked: number;
  basicAttempts: number;
  /** Requests answered by a route (authenticated). */
  served: number;
}

/** A simulated terminal's HTTP server. Constructing it does no I/O; start() listens. */
export class SimHttpDevice {
  readonly stats: SimHttpStats = {
    requests: 0,
    challenges: 0,
    refusedLogins: 0,
    triedWhileLocked: 0,
    basicAttempts: 0,
    served: 0,
  };
  readonly #o: SimHttpDeviceOptions;
  readonly #digest: DigestServer;
  readonly #routes: Array<{ method: string; path: string; prefix: boolean; handler: Handler }> = [];
  readonly #sockets = new Set<Socket>();
  #server: http.Server | null = null;
  #failures = 0;
  #lockedUntil = 0;
  /** While true the device accepts connections and never answers (a hung terminal). */
  hung = false;

  constructor(o: SimHttpDeviceOptions) {
    this.#o = o;
    this.#digest = new DigestServer({
      realm: o.realm,
      users: (name) => (name === o.username ? o.password : undefined),
      maxUses: o.nonceMaxUses,
    });
  }

  /** Serves `method path` (a trailing `*` matches every path below). */
  route(method: string, path: string, handler: Handler): void {
    const prefix = path.endsWith('*');
    this.#routes.push({ method, path: prefix ? path.slice(0, -1) : path, prefix, handler });
  }

  /** The port it listens on (after start). */
  get port(): number {
    return (this.#server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** True while the account is locked. */
  get locked(): boolean {
    return this.#lockedUntil > Date.now();
  }

  async start(port = this.#o.port ?? 0): Promise<void> {
    const server = http.createServer((req, res) => void this.#serve(req, res));
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  /** Stops listening and drops every connection (a terminal powered off). */
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const sock of this.#sockets) sock.destroy();
    await closed;
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    const body = await readBody(req);
    if (this.hung) return; // never answers; the client's timeout has to save it
    const url = new URL(req.url ?? '/', 'http://device');
    const auth = req.headers.authorization ?? '';
    if (this.locked) {
      // Every try during the lock extends it (protocols.md §2).
      this.stats.triedWhileLocked++;
      this.#lockedUntil = Date.now() + (this.#o.lockSeconds ?? 30) * 1000;
      return this.#unauthorized(res, false);
    }
    if (/^Basic\s/i.test(auth)) {
      this.stats.basicAttempts++;
      this.#refused();
      return this.#unauthorized(res, false);
    }
    const v = this.#digest.verify(auth || undefined, req.method ?? 'GET');
    if (!v.ok) {
      if (v.why === 'bad_response' || v.why === 'unknown_user') this.#refused();
      return this.#unauthorized(res, v.why === 'stale_nonce');
    }
    this.#failures = 0;
    const route = this.#match(req.method ?? 'GET', url.pathname);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    this.stats.served++;
    let reply: SimReply;
    try {
      reply = await route.handler({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        res,
      });
    } catch (err) {
      reply = { status: 500, body: String((err as Error).message) };
    }
    if (reply === 'held' || res.headersSent) return;
    res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/json' });
    res.end(reply.body ?? '');
  }

  #refused(): void {
    this.stats.refusedLogins++;
    this.#failures++;
    if (this.#failures >= (this.#o.lockAfter ?? 5)) {
      this.#lockedUntil = Date.now() + (this.#o.lockSeconds ?? 30) * 1000;
      this.#failures = 0;
    }
  }

  #unauthorized(res: http.ServerResponse, stale: boolean): void {
    this.stats.challenges++;
    const left = this.locked ? Math.ceil((this.#lockedUntil - Date.now()) / 1000) : null;
    const b = this.#o.body401(left);
    res.writeHead(401, { 'www-authenticate': this.#digest.challenge(stale), 'content-type': b.type });
    res.end(b.body);
  }

  #match(method: string, path: string) {
    return this.#routes.find(
      (r) => r.method === method && (r.prefix ? path.startsWith(r.path) : r.path === path),
    );
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', () => resolve(Buffer.concat(parts)));
  });
}
