/**
 * The simulated district system on MQTT (issue 14): publishes the signed pointer (retained)
 * and every delta or snapshot its issuer makes on the estate's roster topics, and answers a
 * gateway's request ("I am at version N") with what follows. Speaks the same topics as
 * the real district broker (core/roster-message.ts rosterTopics).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type RosterMessage, rosterTopics } from '../core/roster-message.js';
import type { SimRosterIssuer } from './upstream-roster.js';

/** Options of the broadcaster. */
export interface SimRosterBroadcasterOptions {
  brokerUrl: string;
  topicPrefix: string;
  issuer: SimRosterIssuer;
  username?: string;
  password?: string;
  log?: Logger;
}

/** Publishes an issuer's messages to a broker and answers catch-up requests. */
export class SimRosterBroadcaster {
  readonly #o: SimRosterBroadcasterOptions;
  readonly #topics: ReturnType<typeof rosterTopics>;
  #client: MqttClient | undefined;
  #requests = 0;
  readonly #onDelta = (d: RosterMessage, p: RosterMessage) => this.#send(d, p);
  readonly #onSnapshot = (s: RosterMessage, p: RosterMessage) => this.#send(s, p);

  constructor(o: SimRosterBroadcasterOptions) {
    this.#o = o;
    this.#topics = rosterTopics(o.topicPrefix, o.issuer.estate);
  }

  /** Catch-up requests answered. */
  get requests(): number {
    return this.#requests;
  }

  /** Connects, publishes the current pointer (retained), and follows the issuer. */
  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.#o.brokerUrl, {
      clientId: `sim-district-${this.#o.issuer.estate}`,
      protocolVersion: 5,
      username: this.#o.username,
      password: this.#o.password,
      reconnectPeriod: 1000,
    });
    this.#client = client;
    client.on('message', (_topic, payload) => this.#answer(payload));
    await client.subscribeAsync(this.#topics.requests, { qos: 1 });
    await client.publishAsync(this.#topics.pointer, JSON.stringify(this.#o.issuer.pointer()), {
      qos: 1,
      retain: true,
    });
    this.#o.issuer.on('delta', this.#onDelta);
    this.#o.issuer.on('snapshot', this.#onSnapshot);
  }

  async stop(): Promise<void> {
    this.#o.issuer.off('delta', this.#onDelta);
    this.#o.issuer.off('snapshot', this.#onSnapshot);
    await this.#client?.endAsync();
  }

  /** Publishes any message on the updates topic (tests publish forged ones this way). */
  async publishRaw(body: string | Buffer, topic: 'updates' | 'pointer' = 'updates'): Promise<void> {
    await this.#client?.publishAsync(this.#topics[topic], body, { qos: 1, retain: topic === 'pointer' });
  }

  #send(msg: RosterMessage, pointer: RosterMessage): void {
    const c = this.#client;
    if (!c) return;
    // The update first, then the pointer: a box that reads the pointer first catches up anyway.
    c.publish(this.#topics.updates, JSON.stringify(msg), { qos: 1 });
    c.publish(this.#topics.pointer, JSON.stringify(pointer), { qos: 1, retain: true });
  }

  #answer(payload: Buffer): void {
    let since: unknown;
    try {
      since = (JSON.parse(payload.toString('utf8')) as { since?: unknown }).since;
    } catch {
      this.#o.log?.warn('roster request is not JSON');
      return;
    }
    if (!Number.isSafeInteger(since) || (since as number) < 0) return;
    this.#requests++;
    for (const m of this.#o.issuer.since(since as number))
      this.#client?.publish(this.#topics.updates, JSON.stringify(m), { qos: 1 });
  }
}
