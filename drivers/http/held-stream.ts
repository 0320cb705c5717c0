import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import { Backoff } from './backoff.js';
import type { DeviceHttp, DeviceReply } from './device-http.js';
import { boundaryOf, MultipartParser, type PartEvent } from './multipart.js';

/** How a terminal's event stream is held. */
export interface HeldStreamOptions {
  readerId: string;
  log: Logger;
  http: DeviceHttp;
  /** The stream's path and query (alertStream, eventManager attach). */
  path: string;
  /** Used when the reply's Content-Type names no boundary. */
  boundary: string;
  /** Parts larger than this (a picture from odd firmware) are skipped unread. */
  maxPartBytes: number;
  /** No byte for this long (heartbeats included) and the stream is taken for dead, ms. */
  idleMs: number;
  /** Reconnect delays, ms. */
  minRetryMs: number;
  maxRetryMs: number;
  /** Each part, or what the parser made of bad bytes. */
  onPart: (e: PartEvent) => void;
  /** The stream is open (the terminal is reachable). */
  onOpen: () => void;
  /** The stream ended or could not be opened; it is reopened after a pause. */
  onClose: (err: unknown) => void;
  /** A refusal to open (not 200): the error to report and a least pause before the next try. */
  refusal?: (reply: DeviceReply) => { err: GatewayError; minDelayMs: number };
}

/**
 * Holds one event stream open to one terminal — one subscription per device, since a
 * second is refused while the first holds the slot — and reopens it with backoff whenever
 * it ends, stalls or is refused, for as long as the driver runs. Bytes go through the
 * multipart parser as they come; nothing is buffered beyond one part.
 */
export class HeldStream {
  readonly stats = { opened: 0, closed: 0, refused: 0, idleTimeouts: 0, bytes: 0 };
  readonly #o: HeldStreamOptions;
  readonly #backoff: Backoff;
  #running = false;
  #close: (() => void) | null = null;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;

  constructor(o: HeldStreamOptions) {
    this.#o = o;
    this.#backoff = new Backoff(o.minRetryMs, o.maxRetryMs);
  }

  /** True while the stream is open. */
  get open(): boolean {
    return this.#close !== null;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Closes the stream and stops reopening it. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#close?.();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let minDelay = 0;
      try {
        const s = await this.#o.http.open(this.#o.path);
        if (!this.#running) {
          // stop() came while the stream was opening: close it, or it would be held forever.
          if (s.ok) s.close();
          break;
        }
        if (!s.ok) {
          this.stats.refused++;
          const r = this.#o.refusal?.(s.reply) ?? {
            err: new GatewayError(
              'STREAM_REFUSED',
              `the terminal answered ${s.reply.status} to the stream request`,
            ),
            minDelayMs: 0,
          };
          minDelay = r.minDelayMs;
          this.#o.onClose(r.err);
        } else {
          this.stats.opened++;
          this.#o.onOpen();
          const boundary = boundaryOf(String(s.headers['content-type'] ?? '')) ?? this.#o.boundary;
          await this.#consume(s.body, boundary, s.close);
          this.stats.closed++;
          // Closed by stop(): no news of the terminal.
          if (!this.#running) break;
          this.#o.onClose(new GatewayError('STREAM_ENDED', 'the terminal closed the event stream'));
        }
      } catch (err) {
        if (!this.#running) break;
        this.#o.onClose(err);
      }
      if (!this.#running) break;
      await this.#sleep(Math.max(minDelay, this.#backoff.next()));
    }
  }

  #consume(body: NodeJS.ReadableStream, boundary: string, close: () => void): Promise<void> {
    const parser = new MultipartParser(boundary, { maxPartBytes: this.#o.maxPartBytes });
    return new Promise((resolve) => {
      let idle: NodeJS.Timeout | null = null;
      let gotPart = false;
      const arm = () => {
        if (idle) clearTimeout(idle);
        idle = setTimeout(() => {
          this.stats.idleTimeouts++;
          this.#o.log.info(
            { reader: this.#o.readerId, idleMs: this.#o.idleMs },
            'event stream silent; reopening',
          );
          close();
        }, this.#o.idleMs);
      };
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        if (idle) clearTimeout(idle);
        for (const e of parser.end()) this.#part(e);
        this.#close = null;
        resolve();
      };
      this.#close = close;
      arm();
      body.on('data', (chunk: Buffer) => {
        this.stats.bytes += chunk.length;
        arm();
        for (const e of parser.push(chunk)) {
          // A stream that delivers is a good one: the next drop starts the backoff over.
          if (!gotPart && e.kind === 'part') {
            gotPart = true;
            this.#backoff.reset();
          }
          this.#part(e);
        }
      });
      body.once('end', finish);
      body.once('error', finish);
      body.once('close', finish);
    });
  }

  /** A part to the driver: whatever it throws is logged, never thrown into the socket's callbacks. */
  #part(e: PartEvent): void {
    try {
      this.#o.onPart(e);
    } catch (err) {
      this.#o.log.error({ err, reader: this.#o.readerId }, 'event stream part not handled');
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        this.#wake = null;
        resolve();
      };
    });
  }
}
