import { readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { rosterTopics } from '../../../core/roster-message.js';
import { Backoff } from '../../mqtt/backoff.js';

/** What the MQTT side of the roster sync is built from. */
export interface MqttRosterOptions {
  url: string;
  clientId: string;
  username?: string;
  /** Read at connect (the secrets file is read by a start step). */
  password?: () => string | undefined;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  topicPrefix: string;
  estateId: string;
  gatewayId: string;
  /** Largest message taken: told to the broker (MQTT 5 Maximum Packet Size) and checked again here. */
  maxBytes: number;
  reconnect: { minMs: number; maxMs: number };
  /** Each message on the pointer or updates topic, in arrival order. Must not throw. */
  onMessage: (payload: Buffer, topic: string) => void;
  /** A (re)connection: the retained pointer follows. */
  onConnect?: () => void;
  log: Logger;
}

/**
 * The roster topics at the district broker (MQTT 5): the retained pointer and the updates
 * (deltas, and snapshots sent on request), QoS 1 on a persistent session, so deltas
 * published while the box was away are queued by the broker; and a request topic the
 * gateway writes "I am at version N" to when it cannot pull over HTTPS.
 */
export class MqttRosterSource {
  readonly #o: MqttRosterOptions;
  readonly #topics: ReturnType<typeof rosterTopics>;
  readonly #backoff: Backoff;
  #client: MqttClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(o: MqttRosterOptions) {
    this.#o = o;
    this.#topics = rosterTopics(o.topicPrefix, o.estateId);
    this.#backoff = new Backoff(o.reconnect);
  }

  /** True while connected to the district broker. */
  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  async start(): Promise<void> {
    const o = this.#o;
    const mqtt = (await import('mqtt')).default;
    const client = mqtt.connect(o.url, {
      clientId: o.clientId,
      username: o.username,
      password: o.password?.(),
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 7 * 86400, maximumPacketSize: o.maxBytes + 4096 },
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      ca: o.tls?.ca ? readFileSync(o.tls.ca) : undefined,
      cert: o.tls?.cert ? readFileSync(o.tls.cert) : undefined,
      key: o.tls?.key ? readFileSync(o.tls.key) : undefined,
      rejectUnauthorized: o.tls?.rejectUnauthorized ?? true,
    });
    this.#client = client;
    client.on('connect', () => {
      if (this.#stopped) return;
      // Reset only once the connection has lasted (issue 12): a broker that accepts and
      // drops us at once is not hammered at the first delay.
      this.#backoff.connected();
      o.log.info({ url: redact(o.url) }, 'roster broker connected');
      client.subscribe([this.#topics.pointer, this.#topics.updates], { qos: 1 }, (err) => {
        if (err) o.log.warn({ err: err.message }, 'roster subscribe failed');
      });
      o.onConnect?.();
    });
    // The sync refuses an oversize message unread (it sees only its length) and alerts.
    client.on('message', (topic, payload) => o.onMessage(payload, topic));
    client.on('error', (err) => o.log.warn({ err: err.message, url: redact(o.url) }, 'roster broker error'));
    client.on('close', () => {
      if (this.#stopped) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        if (!this.#stopped) client.reconnect();
      }, this.#backoff.next());
    });
  }

  /** Asks the district system for what follows `since` (0: a snapshot). */
  request(since: number, why: string): void {
    const c = this.#client;
    if (!c?.connected) return;
    const body = JSON.stringify({ gatewayId: this.#o.gatewayId, estate: this.#o.estateId, since, why });
    c.publish(this.#topics.requests, body, { qos: 1 }, (err) => {
      if (err) this.#o.log.warn({ err: err.message }, 'roster request not sent');
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const c = this.#client;
    if (c) await c.endAsync(false).catch(() => undefined);
  }
}

function redact(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}
