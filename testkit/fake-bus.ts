import { EventEmitter } from 'node:events';
import {
  type MessageHandler,
  type MessageInfo,
  type MqttBus,
  type PublishOptions,
  type SubscribeOptions,
  Subscriptions,
} from '../core/bus.js';

/**
 * An MqttBus without a broker, for driver tests of MQTT protocols: a test delivers a
 * message as the broker would (and awaits what holds its acknowledgement); what the driver
 * publishes is kept in order.
 */
export class FakeBus extends EventEmitter implements MqttBus {
  readonly published: Array<{ topic: string; payload: string; opts: PublishOptions; at: number }> = [];
  readonly #subs = new Subscriptions();
  readonly errors: unknown[] = [];
  connected = true;

  subscribe(filter: string, handler: MessageHandler, opts: SubscribeOptions = {}): void {
    this.#subs.add(filter, handler, opts.fallback);
  }

  publish(topic: string, payload: string | Buffer, opts: PublishOptions): void {
    this.published.push({ topic, payload: payload.toString(), opts, at: Date.now() });
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Delivers one message; resolves when every handler's acknowledgement promise settled. */
  async deliver(
    topic: string,
    payload: string | Buffer | object,
    info: Partial<MessageInfo> = {},
  ): Promise<void> {
    const bytes = Buffer.isBuffer(payload)
      ? payload
      : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    await Promise.all(
      this.#subs.dispatch(topic, bytes, { retain: false, ...info }, (err) => this.errors.push(err)),
    );
  }

  /** Resolves with the next message published to `topic` (already there: the first one not yet taken). */
  async next(topic: string, from = 0, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.published.slice(from).find((p) => p.topic === topic);
      if (hit) return JSON.parse(hit.payload) as Record<string, unknown>;
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`nothing published to ${topic} within ${timeoutMs} ms`);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** What was published to a topic, parsed as JSON. */
  sent(topic: string): Array<Record<string, unknown>> {
    return this.published
      .filter((p) => p.topic === topic)
      .map((p) => JSON.parse(p.payload) as Record<string, unknown>);
  }
}
