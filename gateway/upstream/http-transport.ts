import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../core/cloudevent.js';
import { signatureHeaders } from '../../core/upstream-signature.js';
import { isLoopbackHost } from '../loopback-host.js';
import { redactUrl } from '../redact-url.js';
import type { OutboxRow } from './outbox.js';
import type { Transport } from './transport.js';

export { signBody } from '../../core/upstream-signature.js';

/** TLS files of the HTTPS upstream (config upstream.tls): paths, read when the transport starts. */
export interface HttpTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

export interface HttpTransportOptions {
  /** https://… endpoint that takes a CloudEvents batch. */
  url: string;
  /** Key for the HMAC-SHA256 signatures, read per batch (the secrets are read by a start step). */
  hmacKey: () => string;
  gatewayId: string;
  /** CA, client certificate and key for https:// (issue 9 item 10: they were ignored). */
  tls?: HttpTlsFiles;
  timeoutMs?: number;
  log: Logger;
}

/** Largest answer body read (the upstream's reply is a small JSON acknowledgement). */
const MAX_REPLY_BYTES = 64 * 1024;

/**
 * CloudEvents over HTTPS in batch mode (`application/cloudevents-batch+json`), signed with
 * HMAC-SHA256 over the exact body (`X-Estate-Signature`, design.md §7) and over its time
 * and body (`X-Estate-Timestamp`, `X-Estate-Signature-V2`: a receiver refuses replays).
 * A 2xx answer acknowledges the whole batch. Redirects are never followed: a 3xx is a
 * failed attempt, so a hijacked endpoint cannot send the batch elsewhere. `upstream.tls`
 * sets the CA, and a client certificate for mutual TLS.
 */
export class HttpTransport implements Transport {
  readonly name = 'http';
  readonly #o: HttpTransportOptions;
  readonly #url: URL;
  #agent: http.Agent | undefined;
  #ready = true;
  readonly #listeners: Array<() => void> = [];

  constructor(o: HttpTransportOptions) {
    this.#o = o;
    this.#url = new URL(o.url);
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

  /** Reads the TLS files (a missing one fails the start); warns of plain HTTP across the network. */
  async start(): Promise<void> {
    if (this.#url.protocol === 'https:') {
      const t = this.#o.tls;
      const read = (f: string | undefined) => (f ? readFile(f) : Promise.resolve(undefined));
      const [ca, cert, key] = await Promise.all([read(t?.ca), read(t?.cert), read(t?.key)]);
      this.#agent = new https.Agent({
        keepAlive: true,
        ca,
        cert,
        key,
        rejectUnauthorized: t?.rejectUnauthorized ?? true,
        minVersion: 'TLSv1.2',
      });
    } else {
      this.#agent = new http.Agent({ keepAlive: true });
      if (!isLoopbackHost(this.#url.hostname))
        this.#o.log.warn(
          { url: redactUrl(this.#o.url) },
          'upstream over plain http:// to a host that is not this box: alerts cross the network unencrypted; use https://',
        );
    }
  }

  async stop(): Promise<void> {
    this.#agent?.destroy();
  }

  async send(rows: readonly OutboxRow[]): Promise<void> {
    await this.#post(`[${rows.map((r) => r.body).join(',')}]`, 'application/cloudevents-batch+json');
  }

  health(ev: CloudEvent): void {
    this.#post(`[${JSON.stringify(ev)}]`, 'application/cloudevents-batch+json').catch((err: Error) =>
      this.#o.log.debug({ err: err.message }, 'health post failed'),
    );
  }

  async #post(body: string, type: string): Promise<void> {
    let status: number;
    try {
      status = await this.#request(body, type);
    } catch (err) {
      this.#ready = false;
      throw err;
    }
    if (status >= 300 && status < 400)
      throw new Error(`upstream answered a redirect (HTTP ${status}): not followed; fix upstream.url`);
    if (status < 200 || status >= 300) throw new Error(`upstream answered HTTP ${status}`);
    if (!this.#ready) {
      this.#ready = true;
      for (const l of this.#listeners) l();
    }
  }

  /** One POST; resolves with the status once the (bounded) answer is read. */
  #request(body: string, type: string): Promise<number> {
    const lib = this.#url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        this.#url,
        {
          method: 'POST',
          agent: this.#agent,
          timeout: this.#o.timeoutMs ?? 15_000,
          headers: {
            'content-type': type,
            'content-length': Buffer.byteLength(body),
            'x-estate-gateway': this.#o.gatewayId,
            // The wall clock, not the gateway's event clock (a replay or the simulator may
            // run that one fast): the receiver compares this time with its own.
            ...signatureHeaders(this.#o.hmacKey(), body, Date.now()),
          },
        },
        (res) => {
          let read = 0;
          res.on('data', (c: Buffer) => {
            read += c.length;
            if (read > MAX_REPLY_BYTES) res.destroy();
          });
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('close', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('upstream did not answer in time')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
