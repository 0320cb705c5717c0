/**
 * The simulated district/city system (区/市平台) that receives the gateway's events:
 * CloudEvents 1.0 batches over HTTP(S), signed with HMAC-SHA256 over the body (design.md
 * §7). It checks what a real receiver must — signature, envelope, duplicate ids — and keeps
 * what arrived for tests and the demo to look at.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { pullSignature } from '../core/roster-message.js';
import { MAX_SKEW_MS, verifyTimestamped } from '../core/upstream-signature.js';
import { type UpstreamEvent, validateBatch } from './upstream-envelope.js';
import type { SimRosterIssuer } from './upstream-roster.js';
import { type StoreCounts, type UpstreamRecord, UpstreamStore } from './upstream-store.js';

export type { UpstreamEvent } from './upstream-envelope.js';
export { HEALTH_TYPE, type UpstreamRecord } from './upstream-store.js';

/** Content type of a CloudEvents batch (§7 batch mode). */
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';

/** Options of SimUpstream. */
export interface SimUpstreamOptions {
  /** Shared key of the HMAC-SHA256 signature (secrets: upstream.hmacKey). */
  hmacKey: string;
  /** Requests whose timestamp is further than this from now are refused as replays (default 300 s). */
  maxSkewMs?: number;
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Address to listen on, default 127.0.0.1. */
  host?: string;
  /** Append every accepted event as one JSON line to this file. */
  file?: string;
  /** Largest body accepted, default 16 MiB (a batch of 64 alerts with thumbnails fits). */
  bodyLimit?: number;
  /** Events kept in memory, oldest forgotten first; default 100,000. Counters keep counting. */
  maxEvents?: number;
  /** Logger for refused batches and write failures (never bodies: they carry personal data). */
  log?: Logger;
  /** The estates' rosters it issues (issue 14): served at GET /v1/roster?estate=…&since=N. */
  rosters?: readonly SimRosterIssuer[];
}

/** Counters, as GET /v1/stats returns them. */
export interface SimUpstreamStats extends StoreCounts {
  /** Batches refused with 400 (bad JSON, bad envelope) or 415. */
  rejected: number;
  /** Requests refused with 401 (signature missing or wrong). */
  unauthorized: number;
  /** Requests answered 503 while down. */
  unavailable: number;
}

/** Events of SimUpstream. */
export interface SimUpstreamEvents {
  /** A new (not duplicate) event other than health. */
  event: [ev: UpstreamEvent, receivedAt: number];
  /** A health report from a gateway. */
  health: [ev: UpstreamEvent];
}

/** The simulated upstream. Constructing it does no I/O; start() listens. */
export class SimUpstream extends EventEmitter<SimUpstreamEvents> {
  readonly #o: SimUpstreamOptions;
  #app: FastifyInstance | undefined;
  #down = false;
  readonly #store: UpstreamStore;
  #port = 0;
  readonly #refused = { rejected: 0, unauthorized: 0, unavailable: 0 };

  constructor(opts: SimUpstreamOptions) {
    super();
    this.#o = opts;
    this.#store = new UpstreamStore({
      ...(opts.file === undefined ? {} : { file: opts.file }),
      maxEvents: opts.maxEvents ?? 100_000,
      onEvent: (ev, at) => this.emit('event', ev, at),
      onHealth: (ev) => this.emit('health', ev),
    });
  }

  /** The URL to configure as upstream.url, e.g. http://127.0.0.1:18080/v1/events. */
  get url(): string {
    return `http://${this.#o.host ?? '127.0.0.1'}:${this.#port}/v1/events`;
  }

  /** True while simulating an outage. */
  get down(): boolean {
    return this.#down;
  }

  /** Outage simulation: while down, POSTs are answered 503 (GETs still work, for inspection). */
  setDown(down: boolean): void {
    this.#down = down;
  }

  /** Listens; returns the bound port. */
  async start(): Promise<number> {
    const app = Fastify({
      ...(this.#o.log ? { loggerInstance: this.#o.log as FastifyBaseLogger } : { logger: false }),
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: this.#o.bodyLimit ?? 16 * 1024 * 1024,
    });
    // The signature covers the exact bytes: take every body raw, whatever its content type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post('/v1/events', async (req, reply) =>
      this.#post(req.headers, Buffer.isBuffer(req.body) ? req.body : null, reply),
    );
    app.get('/v1/events', async (req) => {
      const q = req.query as { type?: string; limit?: string };
      const limit = Math.min(Math.max(Number(q.limit) || 1000, 1), 10_000);
      return this.events(q.type).slice(-limit);
    });
    app.get('/v1/roster', async (req, reply) => this.#roster(req.url, req.headers, reply));
    app.get('/v1/stats', async () => this.stats());
    app.get('/v1/health', async () => this.health());
    await app.listen({ port: this.#o.port, host: this.#o.host ?? '127.0.0.1' });
    this.#app = app;
    const a = app.server.address();
    this.#port = typeof a === 'object' && a ? a.port : this.#o.port;
    return this.#port;
  }

  /** Stops listening and waits for pending file writes. */
  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    if (app) await app.close();
    await this.#store.flushed();
  }

  /** Accepted events (health excluded), oldest first; optionally only types starting with `typePrefix`. */
  events(typePrefix?: string): UpstreamEvent[] {
    const all = this.#store.records().map((r) => r.event);
    return typePrefix ? all.filter((e) => e.type.startsWith(typePrefix)) : all;
  }

  /** Accepted events with their arrival times, oldest first. */
  records(): UpstreamRecord[] {
    return this.#store.records();
  }

  /** The latest health report of each source. */
  health(): Record<string, UpstreamEvent> {
    return this.#store.health();
  }

  /** A copy of the counters. */
  stats(): SimUpstreamStats {
    return { ...this.#store.counts(), ...this.#refused };
  }

  /** Resolves with the first event (already received or future) matching `pred`; rejects after timeoutMs. */
  waitFor(pred: (ev: UpstreamEvent) => boolean, timeoutMs = 10_000): Promise<UpstreamEvent> {
    const found = this.#store.records().find((r) => pred(r.event));
    if (found) return Promise.resolve(found.event);
    return new Promise((resolve, reject) => {
      const onEvent = (ev: UpstreamEvent) => {
        if (!pred(ev)) return;
        clearTimeout(timer);
        this.off('event', onEvent);
        resolve(ev);
      };
      const timer = setTimeout(() => {
        this.off('event', onEvent);
        reject(new Error(`no matching upstream event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('event', onEvent);
    });
  }

  async #post(
    headers: Record<string, string | string[] | undefined>,
    body: Buffer | null,
    reply: FastifyReply,
  ): Promise<unknown> {
    if (this.#down) {
      this.#refused.unavailable++;
      return reply.code(503).header('retry-after', '5').send({ error: 'upstream down (simulated)' });
    }
    const raw = body ?? Buffer.alloc(0);
    if (!this.#signed(headers['x-estate-signature'], raw)) {
      this.#refused.unauthorized++;
      return reply.code(401).send({ error: 'signature missing or wrong' });
    }
    // The timestamped signature: a request replayed later than the allowed skew is refused.
    const stamped = verifyTimestamped(
      this.#o.hmacKey,
      headers,
      raw,
      Date.now(),
      this.#o.maxSkewMs ?? MAX_SKEW_MS,
    );
    if (stamped !== 'ok') {
      this.#refused.unauthorized++;
      return reply.code(401).send({ error: `timestamped signature ${stamped.replace('_', ' ')}` });
    }
    const type = String(headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (type !== BATCH_CONTENT_TYPE) {
      this.#refused.rejected++;
      return reply.code(415).send({ error: `content-type must be ${BATCH_CONTENT_TYPE}` });
    }
    const batch = validateBatch(raw);
    if (!batch.ok) {
      this.#refused.rejected++;
      this.#o.log?.warn({ problems: batch.problems.slice(0, 5) }, 'upstream batch rejected');
      return reply.code(400).send({ error: 'bad batch', problems: batch.problems });
    }
    try {
      return await this.#store.accept(batch.events);
    } catch (err) {
      this.#o.log?.error({ err }, 'upstream could not write its event file');
      return reply.code(500).send({ error: 'could not store the batch' });
    }
  }

  /** `GET since version N` (issue 14): the signed messages after N, for a gateway that signed the request. */
  #roster(url: string, headers: Record<string, string | string[] | undefined>, reply: FastifyReply): unknown {
    const u = new URL(url, 'http://sim');
    const sig = headers['x-estate-signature'];
    const want = pullSignature(this.#o.hmacKey, `${u.pathname}${u.search}`);
    if (
      typeof sig !== 'string' ||
      sig.length !== want.length ||
      !timingSafeEqual(Buffer.from(sig), Buffer.from(want))
    ) {
      this.#refused.unauthorized++;
      return reply.code(401).send({ error: 'signature missing or wrong' });
    }
    const issuer = this.#o.rosters?.find((r) => r.estate === u.searchParams.get('estate'));
    const since = Number(u.searchParams.get('since'));
    if (!issuer) return reply.code(404).send({ error: 'no roster for this estate' });
    if (!Number.isSafeInteger(since) || since < 0)
      return reply.code(400).send({ error: 'since must be a version' });
    return { messages: issuer.since(since) };
  }

  /** Checks `sha256=<hex HMAC-SHA256(key, body)>` in constant time. */
  #signed(header: string | string[] | undefined, body: Buffer): boolean {
    if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
    const want = createHmac('sha256', this.#o.hmacKey).update(body).digest();
    const got = Buffer.from(header.slice(7), 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  }
}
