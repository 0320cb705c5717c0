import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../core/cloudevent.js';
import type { OutboxRow } from './outbox.js';
import type { Transport } from './transport.js';

export interface HttpTransportOptions {
  /** https://… endpoint that takes a CloudEvents batch. */
  url: string;
  /** Key for the HMAC-SHA256 signature over the body, read per batch (the secrets are read by a start step). */
  hmacKey: () => string;
  gatewayId: string;
  timeoutMs?: number;
  log: Logger;
}

/** The value of the signature header for a body. */
export function signBody(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/**
 * CloudEvents over HTTPS in batch mode (`application/cloudevents-batch+json`), signed with
 * HMAC-SHA256 over the exact body in `X-Estate-Signature` (design.md §7). A 2xx answer
 * acknowledges the whole batch.
 */
export class HttpTransport implements Transport {
  readonly name = 'http';
  readonly #o: HttpTransportOptions;
  #ready = true;
  readonly #listeners: Array<() => void> = [];

  constructor(o: HttpTransportOptions) {
    this.#o = o;
  }

  /**
   * HTTP has no connection to wait for: every batch is an attempt, and the delivery
   * loop's backoff paces retries after a failure.
   */
  get ready(): boolean {
    return true;
  }

  /** Whether the last request reached the upstream. */
  get reachable(): boolean {
    return this.#ready;
  }

  onReady(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async send(rows: readonly OutboxRow[]): Promise<void> {
    await this.#post(`[${rows.map((r) => r.body).join(',')}]`, 'application/cloudevents-batch+json');
  }

  health(ev: CloudEvent): void {
    this.#post(`[${JSON.stringify(ev)}]`, 'application/cloudevents-batch+json').catch((err: Error) =>
      this.#o.log.debug({ err: err.message }, 'health post failed'),
    );
  }

  async #post(body: string, type: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.#o.url, {
        method: 'POST',
        headers: {
          'content-type': type,
          'x-estate-signature': signBody(this.#o.hmacKey(), body),
          'x-estate-gateway': this.#o.gatewayId,
        },
        body,
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 15_000),
      });
    } catch (err) {
      this.#ready = false;
      throw err;
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`upstream answered HTTP ${res.status}`);
    if (!this.#ready) {
      this.#ready = true;
      for (const l of this.#listeners) l();
    }
  }
}
