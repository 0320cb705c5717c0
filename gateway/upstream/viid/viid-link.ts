import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import {
  faceListBody,
  systemBody,
  VIID_FACES,
  VIID_KEEPALIVE,
  VIID_REGISTER,
  VIID_STATUS,
  VIID_UNREGISTER,
  type ViidFace,
} from '../../../core/viid-wire.js';
import type { Metrics } from '../../metrics.js';
import { Backoff } from '../../mqtt/backoff.js';
import type { ViidClient, ViidReply } from './viid-client.js';
import type { ViidFaces } from './viid-faces.js';
import type { ViidQueue } from './viid-queue.js';
import { communityBody, lostRegistration, ok, RETRYABLE } from './viid-replies.js';

/** What the link is built from. */
export interface ViidLinkDeps {
  client: ViidClient;
  queue: ViidQueue;
  faces: ViidFaces;
  deviceId: string;
  keepaliveMs: number;
  batch: number;
  maxQueue: number;
  /** Community extension resources (/VIID/Community/…) each face is also posted to. */
  resources: readonly string[];
  retry: { minMs: number; maxMs: number };
  metrics: Metrics;
  log: Logger;
  clock: Clock;
}

/** Where the link is. */
export type ViidState = 'stopped' | 'registering' | 'registered' | 'down';

/** The link as /healthz shows it. */
export interface ViidStatusView {
  state: ViidState;
  deviceId: string;
  registeredAt: string | null;
  lastKeepalive: string | null;
  queue: number;
  uploaded: number;
  lastError: string | null;
}

/**
 * The GA/T 1400 link to the police platform (issue 14): Register (Digest), Keepalive every
 * keepaliveMs, faces from the queue in batches, UnRegister on stop. Every operation runs in
 * one serial chain, off the door path: a platform that is down, slow or refusing only makes
 * the queue wait (bounded by maxQueue, oldest dropped and counted) and the link retry with
 * backoff. A lost registration (expired, a platform restart: a 401 that survives a fresh
 * challenge, or status 4 on a keepalive) is taken again before anything else is sent.
 */
export class ViidLink {
  readonly #d: ViidLinkDeps;
  readonly #backoff: Backoff;
  #state: ViidState = 'stopped';
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #draining = false;
  #registeredAt: number | null = null;
  #lastKeepalive: number | null = null;
  #uploaded = 0;
  #lastError: string | null = null;

  constructor(deps: ViidLinkDeps) {
    this.#d = deps;
    this.#backoff = new Backoff(deps.retry);
  }

  /** Starts registering in the background: the gateway does not wait for the police platform. */
  start(): void {
    this.#state = 'registering';
    this.#queueOp(() => this.#register());
  }

  /** New faces were committed: send them soon. */
  kick(): void {
    if (this.#state === 'registered' && !this.#draining) this.#queueOp(() => this.#drain());
  }

  /** Stops: no new operation starts, the current one ends, and a registered link unregisters. */
  async stop(): Promise<void> {
    const wasRegistered = this.#state === 'registered';
    this.#state = 'stopped';
    clearTimeout(this.#timer);
    await this.#chain;
    if (!wasRegistered) return;
    try {
      const r = await this.#d.client.post(VIID_UNREGISTER, systemBody('UnRegister', this.#d.deviceId));
      this.#count('unregister', ok(r) ? 'ok' : 'failed');
    } catch (err) {
      this.#count('unregister', 'unreachable');
      this.#d.log.warn({ err: (err as Error).message }, 'VIID unregister failed');
    }
  }

  /** The link for /healthz. */
  status(): ViidStatusView {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return {
      state: this.#state,
      deviceId: this.#d.deviceId,
      registeredAt: iso(this.#registeredAt),
      lastKeepalive: iso(this.#lastKeepalive),
      queue: this.#d.queue.depth,
      uploaded: this.#uploaded,
      lastError: this.#lastError,
    };
  }

  #queueOp(op: () => Promise<void>): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#state === 'stopped') return;
      try {
        await op();
      } catch (err) {
        this.#d.log.error({ err }, 'VIID link operation failed');
      }
    });
  }

  #later(ms: number, op: () => Promise<void>): void {
    clearTimeout(this.#timer);
    if (this.#state === 'stopped') return;
    this.#timer = setTimeout(() => this.#queueOp(op), ms);
    this.#timer.unref();
  }

  /** Keeps the queue within maxQueue while the platform is away: the oldest faces go first. */
  #trim(): void {
    const dropped = this.#d.queue.trim(this.#d.maxQueue);
    if (dropped > 0) {
      this.#count('faces', 'dropped_quota', dropped);
      this.#d.log.error(
        { dropped, max: this.#d.maxQueue },
        'VIID queue over its limit: oldest faces dropped',
      );
    }
  }

  async #register(): Promise<void> {
    this.#state = 'registering';
    this.#trim();
    this.#d.client.reset();
    const r = await this.#call('register', VIID_REGISTER, systemBody('Register', this.#d.deviceId));
    if ((this.#state as ViidState) === 'stopped') return;
    if (r && ok(r)) {
      this.#state = 'registered';
      this.#registeredAt = this.#d.clock.now();
      this.#lastError = null;
      this.#backoff.reset();
      this.#d.log.info({ deviceId: this.#d.deviceId }, 'VIID platform: registered');
      this.#later(this.#d.keepaliveMs, () => this.#keepalive());
      this.#queueOp(() => this.#drain());
      return;
    }
    this.#down(r ? `register refused (HTTP ${r.http}, status ${r.statuses?.[0]?.statusCode ?? '-'})` : null);
  }

  async #keepalive(): Promise<void> {
    const r = await this.#call('keepalive', VIID_KEEPALIVE, systemBody('Keepalive', this.#d.deviceId));
    if (this.#state !== 'registered') return;
    if (r && ok(r)) {
      this.#lastKeepalive = this.#d.clock.now();
      this.#later(this.#d.keepaliveMs, () => this.#keepalive());
      return;
    }
    this.#d.log.warn({ http: r?.http ?? null }, 'VIID keepalive refused: registering again');
    await this.#register();
  }

  async #drain(): Promise<void> {
    if (this.#state !== 'registered' || this.#draining) return;
    this.#draining = true;
    try {
      this.#trim();
      while (this.#state === 'registered') {
        const rows = this.#d.queue.peek(this.#d.batch);
        if (rows.length === 0) break;
        const now = this.#d.clock.now();
        const faces: Array<{ seq: number; face: ViidFace }> = [];
        const gone: number[] = [];
        let waiting = false;
        for (const q of rows) {
          const l = await this.#d.faces.load(q, now);
          if ('face' in l) faces.push({ seq: q.seq, face: l.face });
          else if ('gone' in l) {
            gone.push(q.seq);
            this.#count('faces', l.gone);
          } else waiting = true;
        }
        this.#d.queue.remove(gone);
        if (faces.length === 0) {
          if (waiting) this.#later(5000, () => this.#drain());
          if (waiting || gone.length === 0) break;
          continue;
        }
        if (!(await this.#send(faces))) break;
      }
    } finally {
      this.#draining = false;
      this.#d.metrics.viidQueue.set(this.#d.queue.depth);
    }
  }

  /** Sends a batch; true when the loop may go on. */
  async #send(faces: Array<{ seq: number; face: ViidFace }>): Promise<boolean> {
    const r = await this.#call('faces', VIID_FACES, faceListBody(faces.map((f) => f.face)));
    if (this.#state !== 'registered') return false;
    if (!r) return this.#retryDrain('platform unreachable');
    if (lostRegistration(r)) {
      await this.#register();
      return false;
    }
    const statuses = r.statuses;
    if (r.http < 200 || r.http >= 300 || !statuses) return this.#retryDrain(`faces answered HTTP ${r.http}`);
    const done: number[] = [];
    let retry = false;
    faces.forEach((f, i) => {
      const code = (statuses[i] ?? statuses[0])?.statusCode ?? VIID_STATUS.otherError;
      if (code === VIID_STATUS.ok) done.push(f.seq);
      else if (RETRYABLE.has(code)) retry = true;
      else {
        // A face the platform refuses for its content will not be taken later either.
        done.push(f.seq);
        this.#count('faces', 'refused');
        this.#d.log.warn({ journalSeq: f.face.seq, statusCode: code }, 'VIID platform refused a face');
      }
    });
    for (const resource of this.#d.resources) {
      const body = communityBody(
        resource,
        faces.filter((f) => done.includes(f.seq)).map((f) => f.face),
      );
      const c = await this.#call('community', resource, body);
      if (!c || !ok(c)) return this.#retryDrain(`${resource} not accepted`);
    }
    this.#d.queue.remove(done);
    const sent = done.length;
    this.#uploaded += sent;
    if (sent > 0) this.#count('faces', 'ok', sent);
    this.#backoff.reset();
    return retry ? this.#retryDrain('platform busy') : true;
  }

  #retryDrain(why: string): false {
    this.#lastError = why;
    const delay = this.#backoff.next();
    this.#d.log.warn({ why, retryInMs: delay, queue: this.#d.queue.depth }, 'VIID upload failed');
    this.#later(delay, () => this.#drain());
    return false;
  }

  #down(why: string | null): void {
    this.#state = 'down';
    if (why) this.#lastError = why;
    const delay = this.#backoff.next();
    this.#d.log.warn({ why: this.#lastError, retryInMs: delay }, 'VIID platform: not registered');
    this.#later(delay, () => this.#register());
  }

  /** One call; null (counted, the error kept) when the platform cannot be reached. */
  async #call(op: string, path: string, body: string): Promise<ViidReply | null> {
    try {
      const r = await this.#d.client.post(path, body);
      this.#count(op, ok(r) ? 'ok' : `http_${r.http}`);
      return r;
    } catch (err) {
      this.#lastError = `${op}: ${(err as Error).message}`;
      this.#count(op, 'unreachable');
      if (op !== 'register')
        this.#d.log.debug({ err: (err as Error).message, op }, 'VIID platform unreachable');
      return null;
    }
  }

  #count(op: string, result: string, n = 1): void {
    this.#d.metrics.viid.inc({ op, result }, n);
  }
}
