import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';

export interface LoadReaderOptions {
  url: string;
  readerId: string;
  password?: string;
  topicPrefix?: string;
  /** The face person id every read presents (a resident, so the door opens). */
  personId?: string | null;
  /** Or a different person for each read. */
  nextPerson?: () => string;
  /** Clean session (default) or a persistent one. */
  clean?: boolean;
  reconnectPeriodMs?: number;
}

/**
 * A lean reader for load, latency and durability runs: publishes protocol v1 face events
 * at QoS 1 and times the door command that answers each. Everything it learns is kept:
 * which reads the broker acknowledged, which were answered and how often, latencies.
 */
export class LoadReader {
  readonly #o: LoadReaderOptions;
  #client: MqttClient | undefined;
  #n = 0;
  readonly sentAt = new Map<string, number>();
  /** Reads whose PUBACK reached us (the broker, or the embedded gateway, has them). */
  readonly acked = new Set<string>();
  /** Door commands received, by event id. */
  readonly answers = new Map<string, number>();
  readonly latencies: number[] = [];
  /** When (performance.now()) the first door command for each event arrived. */
  readonly answeredAt = new Map<string, number>();
  #waiters = new Map<string, () => void>();

  constructor(o: LoadReaderOptions) {
    this.#o = o;
  }

  get id(): string {
    return this.#o.readerId;
  }

  get #prefix(): string {
    return `${this.#o.topicPrefix ?? 'acs/v1'}/readers/${this.#o.readerId}`;
  }

  async start(): Promise<void> {
    const client = mqtt.connect(this.#o.url, {
      clientId: `load-${this.#o.readerId}-${Math.random().toString(36).slice(2, 8)}`,
      username: this.#o.readerId,
      password: this.#o.password,
      clean: this.#o.clean ?? true,
      reconnectPeriod: this.#o.reconnectPeriodMs ?? 200,
      connectTimeout: 5000,
      protocolVersion: 4,
    });
    this.#client = client;
    client.on('connect', () => (client.stream as Socket).setNoDelay?.(true));
    client.on('error', () => undefined);
    client.on('message', (_topic, payload) => {
      const at = performance.now();
      let cmd: { event?: string };
      try {
        cmd = JSON.parse(payload.toString()) as { event?: string };
      } catch {
        return;
      }
      const ev = cmd.event ?? '';
      const count = (this.answers.get(ev) ?? 0) + 1;
      this.answers.set(ev, count);
      const sent = this.sentAt.get(ev);
      if (count === 1) this.answeredAt.set(ev, at);
      if (sent !== undefined && count === 1) this.latencies.push(at - sent);
      const w = this.#waiters.get(ev);
      if (w) {
        this.#waiters.delete(ev);
        w();
      }
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(`${this.#prefix}/commands`, { qos: 1 });
    await client.publishAsync(
      `${this.#prefix}/status`,
      JSON.stringify({ online: true, ts: new Date().toISOString() }),
      { qos: 1, retain: true },
    );
  }

  /**
   * Resolves at the client's next connection (a reconnect after the broker came back).
   * Call it before the broker returns, so the event is not missed.
   */
  waitReconnected(): Promise<void> {
    const c = this.#client as MqttClient;
    return new Promise((resolve) => c.once('connect', () => resolve()));
  }

  /** Publishes one read; resolves on its PUBACK. */
  send(extra: Record<string, unknown> = {}): { id: string; acked: Promise<void> } {
    const id = `${this.#o.readerId}-${++this.#n}`;
    const body = JSON.stringify({
      id,
      ts: new Date().toISOString(),
      type: 'face',
      face: {
        personId: this.#o.personId === undefined ? 'F-R00001' : this.#o.personId,
        score: 0.95,
        liveness: true,
      },
      ...extra,
    });
    this.sentAt.set(id, performance.now());
    const acked = (this.#client as MqttClient)
      .publishAsync(`${this.#prefix}/events`, body, { qos: 1 })
      .then(() => {
        this.acked.add(id);
      });
    return { id, acked };
  }

  /** Publishes a read and resolves when its door command arrives (or after timeoutMs). */
  roundTrip(timeoutMs = 5000, extra: Record<string, unknown> = {}): Promise<boolean> {
    const { id } = this.send(extra);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#waiters.delete(id);
        resolve(false);
      }, timeoutMs);
      this.#waiters.set(id, () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Publishes raw bytes on the events topic (bad input). */
  raw(payload: string | Buffer): Promise<void> {
    return (this.#client as MqttClient)
      .publishAsync(`${this.#prefix}/events`, payload, { qos: 1 })
      .then(() => undefined);
  }

  async stop(): Promise<void> {
    await this.#client?.endAsync(true).catch(() => undefined);
  }
}
