import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import { GatewayError } from '../core/errors.js';
import type {
  HttpIngress,
  IngressHandler,
  IngressHead,
  IngressMethod,
  IngressReply,
  IngressRouteOptions,
} from '../core/ingress.js';
import type { Metrics } from './metrics.js';

/** Where and how the terminal listener serves (config `terminals.http`). */
export interface TerminalIngressOptions {
  host: string;
  port: number;
  /** Open connections at once, all terminals together; more are closed at accept. */
  maxConnections: number;
  /** A request whose head has not arrived within this is dropped (slowloris). */
  headersTimeoutMs: number;
  /** A request whose body has not arrived within this is dropped. */
  requestTimeoutMs: number;
  log: Logger;
  metrics: Metrics;
}

interface Route {
  method: IngressMethod;
  path: string;
  prefix: boolean;
  handler: IngressHandler;
  maxBodyBytes: number;
  authorize: NonNullable<IngressRouteOptions['authorize']> | null;
  oversize: NonNullable<IngressRouteOptions['oversize']> | null;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
/** An oversize body a route answers (`oversize`) is dropped up to this many times its cap. */
const DRAIN_FACTOR = 16;
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT']);

/**
 * The gateway's listener for terminals that push (core/ingress.ts), apart from the
 * dashboard: it serves only what drivers registered, on its own port, so the estate LAN
 * can reach the terminals' routes without reaching the dashboard. It listens only when a
 * driver registered a route. Every refusal is answered, counted by route and status, and
 * logged without the body.
 */
export class TerminalIngress implements HttpIngress {
  readonly #o: TerminalIngressOptions;
  readonly #routes: Route[] = [];
  readonly #sockets = new Set<Socket>();
  #server: http.Server | null = null;

  constructor(o: TerminalIngressOptions) {
    this.#o = o;
  }

  route(method: IngressMethod, path: string, handler: IngressHandler, opts: IngressRouteOptions = {}): void {
    const prefix = path.endsWith('/*');
    const p = prefix ? path.slice(0, -1) : path;
    if (this.#routes.some((r) => r.method === method && r.path === p && r.prefix === prefix)) {
      throw new GatewayError('BAD_ROUTE', `terminal route ${method} ${path} registered twice`);
    }
    this.#routes.push({
      method,
      path: p,
      prefix,
      handler,
      maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY,
      authorize: opts.authorize ?? null,
      oversize: opts.oversize ?? null,
    });
  }

  /** True when some driver registered a route (else the listener is not opened). */
  get used(): boolean {
    return this.#routes.length > 0;
  }

  /** Listens when a route was registered. */
  async start(): Promise<void> {
    if (!this.used) return;
    const o = this.#o;
    const server = http.createServer({
      requestTimeout: o.requestTimeoutMs,
      headersTimeout: o.headersTimeoutMs,
    });
    server.maxConnections = o.maxConnections;
    server.on('connection', (s: Socket) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    server.on('request', (req, res) => void this.#serve(req, res));
    server.on('clientError', (err, socket) => {
      this.#count('-', 400);
      o.log.debug({ err: (err as Error).message }, 'terminal connection dropped');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    o.log.info({ host: o.host, port: this.port, routes: this.#routes.length }, 'terminal listener up');
  }

  /** Stops listening and drops open connections (terminals retry). */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  /** The bound port (tests listen on 0); null when not listening. */
  get port(): number | null {
    return (this.#server?.address() as AddressInfo | null)?.port ?? null;
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://terminal');
    const method = req.method ?? '';
    const route = METHODS.has(method) ? this.#match(method as IngressMethod, url.pathname) : undefined;
    const label = route ? `${route.method} ${route.path}${route.prefix ? '*' : ''}` : '-';
    const reply = (r: IngressReply): void => {
      this.#count(label, r.status);
      if (res.headersSent) return;
      res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
      res.end(r.body ?? '');
    };
    if (!route) {
      reply({ status: 404, body: 'no such route' });
      req.resume();
      return;
    }
    const head: IngressHead = {
      method: route.method,
      path: url.pathname,
      query: url.searchParams,
      headers: headersOf(req),
      remoteAddress: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    };
    const verdict = route.authorize ? route.authorize(head) : { ok: true as const };
    if (!verdict.ok) {
      // Refused from its head: the body is never buffered (core/ingress.ts).
      res.setHeader('connection', 'close');
      reply(verdict.reply);
      req.destroy();
      return;
    }
    const tooLarge = async (): Promise<void> => {
      res.setHeader('connection', 'close');
      const drainCap = DRAIN_FACTOR * route.maxBodyBytes;
      if (route.oversize && declared <= drainCap && (await drain(req, drainCap))) {
        reply(route.oversize(head));
        return;
      }
      reply({ status: 413, body: 'body too large' });
      req.destroy();
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > route.maxBodyBytes) return tooLarge();
    const body = await readCapped(req, route.maxBodyBytes);
    if (body === null) {
      if (req.complete || req.destroyed) {
        reply({ status: 413, body: 'body too large' });
        req.destroy();
        return;
      }
      return tooLarge();
    }
    try {
      reply(await route.handler({ ...head, body }));
    } catch (err) {
      this.#o.log.error({ err, route: label }, 'terminal route failed');
      reply({ status: 500, body: 'internal error' });
    }
  }

  #match(method: IngressMethod, path: string): Route | undefined {
    let best: Route | undefined;
    for (const r of this.#routes) {
      if (r.method !== method) continue;
      if (!r.prefix && r.path === path) return r;
      if (r.prefix && path.startsWith(r.path) && (!best || r.path.length > best.path.length)) best = r;
    }
    return best;
  }

  #count(route: string, status: number): void {
    this.#o.metrics.ingressRequests.inc({ route, status: String(status) });
  }
}

function headersOf(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** The whole body, or null as soon as it passes `max` bytes (what came is dropped). */
function readCapped(req: http.IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let n = 0;
    let done = false;
    const finish = (v: Buffer | null) => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        parts.length = 0;
        finish(null);
        return;
      }
      parts.push(c);
    });
    req.on('end', () => finish(Buffer.concat(parts, n)));
    req.on('error', () => finish(null));
    // A close without an end is a client that gave up mid-body: nothing to hand over.
    req.on('close', () => finish(null));
  });
}

/**
 * Reads the rest of a body and drops it; true when it ended within `max` bytes in all,
 * false (the caller closes the connection) when it went past or the client gave up.
 */
function drain(req: http.IncomingMessage, max: number): Promise<boolean> {
  return new Promise((resolve) => {
    let n = 0;
    const done = (v: boolean) => {
      req.removeAllListeners('data');
      resolve(v);
    };
    if (req.complete) return done(true);
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) done(false);
    });
    req.once('end', () => done(true));
    req.once('close', () => done(req.complete));
    req.once('error', () => done(false));
  });
}
