import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { CloudEvent } from '../../core/cloudevent.js';
import { Backoff } from '../mqtt/backoff.js';
import type { OutboxRow } from './outbox.js';
import type { Transport } from './transport.js';

export interface MqttTransportOptions {
  url: string;
  clientId: string;
  username?: string;
  /** Read at start (the secrets file is read by a start step). */
  password?: () => string | undefined;
  protocolVersion: 4 | 5;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  /** `{prefix}/{estateId}` — events go to `/alerts` and `/access` below it. */
  topicBase: string;
  gatewayId: string;
  reconnect: { minMs: number; maxMs: number };
  /** How long a batch may wait for its acknowledgements before it is retried. */
  ackTimeoutMs?: number;
  log: Logger;
}

/**
 * CloudEvents to the district/city broker over MQTT 5, QoS 1 (design.md §7). A retained
 * health message on `{topicBase}/health/{gatewayId}`, republished on every reconnect and
 * replaced by the will if the box dies, lets the upstream see the box is alive.
 */
export class MqttTransport implements Transport {
  readonly name = 'mqtt';
  readonly #o: MqttTransportOptions;
  readonly #backoff: Backoff;
  #client: MqttClient | undefined;
  #lastHealth: CloudEvent | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** When the link was lost (ms), null while it is up: an outage is logged once, not per retry. */
  #downSince: number | null = null;
  readonly #listeners: Array<() => void> = [];

  constructor(o: MqttTransportOptions) {
    this.#o = o;
    this.#backoff = new Backoff(o.reconnect);
  }

  get ready(): boolean {
    return this.#client?.connected ?? false;
  }

  get healthTopic(): string {
    return `${this.#o.topicBase}/health/${this.#o.gatewayId}`;
  }

  onReady(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async start(): Promise<void> {
    const o = this.#o;
    // MQTT.js is loaded only by gateways that report over MQTT.
    const mqtt = (await import('mqtt')).default;
    const client = mqtt.connect(o.url, {
      clientId: o.clientId,
      username: o.username,
      password: o.password?.(),
      protocolVersion: o.protocolVersion,
      clean: false,
      properties: o.protocolVersion === 5 ? { sessionExpiryInterval: 86400 } : undefined,
      // Reconnects are ours: backoff with jitter instead of MQTT.js's fixed period.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      ca: o.tls?.ca ? readFileSync(o.tls.ca) : undefined,
      cert: o.tls?.cert ? readFileSync(o.tls.cert) : undefined,
      key: o.tls?.key ? readFileSync(o.tls.key) : undefined,
      rejectUnauthorized: o.tls?.rejectUnauthorized ?? true,
      will: {
        topic: this.healthTopic,
        payload: Buffer.from(JSON.stringify({ online: false, gatewayId: o.gatewayId })),
        qos: 1,
        retain: true,
      },
    });
    this.#client = client;
    client.on('connect', () => {
      // A CONNACK can still arrive after stop() ended the client (a stop right after
      // start): an ended client throws on publish, and nobody is listening any more.
      if (this.#stopped) return;
      (client.stream as Socket).setNoDelay?.(true);
      // Reset only once the connection has lasted: an upstream that accepts and drops us
      // at once is not hammered at the first delay (issue 12).
      this.#backoff.connected();
      const downMs = this.#downSince === null ? undefined : Date.now() - this.#downSince;
      this.#downSince = null;
      o.log.info({ url: redact(o.url), downMs }, 'upstream connected');
      if (this.#lastHealth) this.#publishHealth(this.#lastHealth);
      for (const l of this.#listeners) l();
    });
    client.on('error', (err) => {
      // The first error of an outage is news; the retries' repeats of it are not (issue 12).
      const level = this.#downSince === null ? 'warn' : 'debug';
      o.log[level]({ err: err.message, url: redact(o.url) }, 'upstream error');
      this.#downSince ??= Date.now();
    });
    client.on('close', () => {
      if (this.#stopped) return;
      if (this.#downSince === null) {
        this.#downSince = Date.now();
        o.log.warn({ url: redact(o.url) }, 'upstream connection lost; reconnecting with backoff');
      }
      clearTimeout(this.#timer);
      const delay = this.#backoff.next();
      this.#timer = setTimeout(() => {
        if (!this.#stopped) client.reconnect();
      }, delay);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const c = this.#client;
    if (c) await c.endAsync(false).catch(() => undefined);
  }

  send(rows: readonly OutboxRow[]): Promise<void> {
    const c = this.#client;
    if (!c?.connected) return Promise.reject(new Error('upstream not connected'));
    const timeout = this.#o.ackTimeoutMs ?? 30_000;
    const all = Promise.all(
      rows.map((r) =>
        c.publishAsync(`${this.#o.topicBase}/${r.channel}`, r.body, { qos: 1 }).then(() => undefined),
      ),
    );
    let t: NodeJS.Timeout | undefined;
    const expire = new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error('upstream did not acknowledge in time')), timeout);
    });
    return Promise.race([all, expire])
      .then(() => undefined)
      .finally(() => clearTimeout(t));
  }

  health(ev: CloudEvent): void {
    this.#lastHealth = ev;
    if (this.#client?.connected) this.#publishHealth(ev);
  }

  #publishHealth(ev: CloudEvent): void {
    this.#client?.publish(this.healthTopic, JSON.stringify(ev), { qos: 1, retain: true }, (err) => {
      if (err) this.#o.log.debug({ err: err.message }, 'health publish failed');
    });
  }
}

function redact(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}
