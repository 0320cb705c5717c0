/**
 * The HTTP seam for terminals that push to the gateway (issue 11): a Hikvision terminal's
 * "HTTP listening" host, a Dahua `/notification` push, a ZKTeco iclock client. A driver
 * registers its routes on the gateway's terminal listener through this interface and never
 * sees the server: the gateway owns the socket, the limits and the counters.
 *
 * A request is authorised from its head (source address, headers) before its body is read,
 * so an unauthenticated client can never make the gateway buffer a body; the body is then
 * read up to the route's cap and handed over whole.
 */

/** The methods terminals use. */
export type IngressMethod = 'GET' | 'POST' | 'PUT';

/** What a route's authorisation sees: everything but the body. */
export interface IngressHead {
  method: IngressMethod;
  /** The path without the query string, e.g. `/iclock/cdata`. */
  path: string;
  query: URLSearchParams;
  /** Header names lower-case; a repeated header's values joined with ", ". */
  headers: Readonly<Record<string, string>>;
  /** The peer's address, IPv4-mapped IPv6 addresses given as IPv4. */
  remoteAddress: string;
}

/** A request with its body, read whole up to the route's `maxBodyBytes`. */
export interface IngressRequest extends IngressHead {
  body: Buffer;
}

/** What the route answers. Terminals retry storms on slow or failed replies: answer fast. */
export interface IngressReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A route's answer to a request head: go on, or refuse with this reply (the body is never read). */
export type IngressVerdict = { ok: true } | { ok: false; reply: IngressReply };

/** How one route is served. */
export interface IngressRouteOptions {
  /** Bodies larger than this are refused with 413 before they are buffered. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Decides from the head alone; without it every request is let through to the handler. */
  authorize?: (head: IngressHead) => IngressVerdict;
  /**
   * The answer to an authorised request whose body passes `maxBodyBytes`, instead of the
   * 413: the body is read and dropped (never buffered, at most 16 times the cap), then this
   * reply is sent. For vendors that resend a refused push without end: the driver answers
   * as if it arrived, counts it, and fetches the record another way (a catch-up search).
   */
  oversize?: (head: IngressHead) => IngressReply;
}

/** Handles one request. A throw or rejection becomes a 500 with a fixed text, counted and logged. */
export type IngressHandler = (req: IngressRequest) => IngressReply | Promise<IngressReply>;

/** Where drivers register the routes their terminals push to. */
export interface HttpIngress {
  /**
   * Serves `method path`. `path` is exact, or ends in `/*` for every path below it. Register
   * while being built; the listener starts before the drivers do. A second registration of
   * the same method and path is a programming error and throws.
   */
  route(method: IngressMethod, path: string, handler: IngressHandler, opts?: IngressRouteOptions): void;
}
