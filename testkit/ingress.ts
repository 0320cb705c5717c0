import type {
  HttpIngress,
  IngressHandler,
  IngressHead,
  IngressMethod,
  IngressReply,
  IngressRouteOptions,
} from '../core/ingress.js';

/** One registered route, as a driver under test registered it. */
export interface RecordedRoute {
  method: IngressMethod;
  path: string;
  handler: IngressHandler;
  opts: IngressRouteOptions;
}

/**
 * An HttpIngress for driver tests: keeps the routes a driver registers and serves a request
 * through them the way the gateway's listener does (authorise from the head, cap the body),
 * without a socket. Integration tests use the real listener (gateway/terminal-ingress.ts).
 */
export class RecordingIngress implements HttpIngress {
  readonly routes: RecordedRoute[] = [];

  route(method: IngressMethod, path: string, handler: IngressHandler, opts: IngressRouteOptions = {}): void {
    this.routes.push({ method, path, handler, opts });
  }

  /** Serves one request: 404 without a route, the route's refusal, 413 past its cap, else its handler. */
  async request(
    method: IngressMethod,
    url: string,
    o: { headers?: Record<string, string>; body?: Buffer | string; remoteAddress?: string } = {},
  ): Promise<IngressReply> {
    const u = new URL(url, 'http://terminal');
    const route = this.routes.find(
      (r) =>
        r.method === method &&
        (r.path.endsWith('/*') ? u.pathname.startsWith(r.path.slice(0, -1)) : r.path === u.pathname),
    );
    if (!route) return { status: 404, body: 'no such route' };
    const head: IngressHead = {
      method,
      path: u.pathname,
      query: u.searchParams,
      headers: Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      remoteAddress: o.remoteAddress ?? '127.0.0.1',
    };
    const verdict = route.opts.authorize?.(head) ?? { ok: true };
    if (!verdict.ok) return verdict.reply;
    const body = typeof o.body === 'string' ? Buffer.from(o.body) : (o.body ?? Buffer.alloc(0));
    if (body.length > (route.opts.maxBodyBytes ?? 1024 * 1024))
      return { status: 413, body: 'body too large' };
    return route.handler({ ...head, body });
  }
}
