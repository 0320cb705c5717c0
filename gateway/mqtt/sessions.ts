import { EventEmitter } from 'node:events';
import type { MessageHandler, MqttBus, PublishOptions, SubscribeOptions } from '../../core/bus.js';
import { isLoopbackHost } from '../loopback-host.js';
import { redactUrl } from '../redact-url.js';
import { ReconnectGroup } from './reconnect-group.js';
import { MqttSession, type SessionOptions } from './session.js';

/**
 * The gateway's link to an external broker: one persistent session for everything
 * shared (reader status, the face library) and one per shard — per reader — for its
 * events and commands. A broker keeps one queue per session and delivers it in order,
 * so with a single session a reader replaying 100,000 offline records would sit in front
 * of every other reader's live reads; with a session each, it sits only in front of its
 * own. Client ids are `{clientId}` and `{clientId}~{reader}`: stable, so each reader's
 * queue survives restarts and reconfiguration.
 *
 * The sessions reconnect as a group (issue 12 item 2): the first to get through after
 * an outage wakes the rest. The link logs an outage once, when the first session drops,
 * and its end once, when the last is back; each session's own lines go through the
 * shared log limiter.
 */
export class MqttSessions extends EventEmitter implements MqttBus {
  readonly #base: SessionOptions;
  readonly #sessions = new Map<string, MqttSession>();
  readonly #group = new ReconnectGroup();
  /** When the first session of an outage dropped (ms); null while all are up or before start. */
  #downSince: number | null = null;
  #stopped = true;

  constructor(base: SessionOptions) {
    super();
    this.#base = { ...base, group: this.#group };
    this.#session('');
  }

  /** Every session is connected. */
  get connected(): boolean {
    for (const s of this.#sessions.values()) if (!s.connected) return false;
    return true;
  }

  /**
   * Whether the session carrying a shard (a reader's events and commands) is connected;
   * undefined for a shard the link does not know. While it is not, nothing can be known
   * of the reader: its status and will cannot reach the gateway.
   */
  shardConnected(shard: string): boolean | undefined {
    return this.#sessions.get(shard)?.connected;
  }

  /** Sessions connected / all, paused for backpressure, reads awaiting acknowledgement. */
  get status(): { connected: number; total: number; paused: number; unacked: number; dropped: number } {
    let connected = 0;
    let paused = 0;
    let unacked = 0;
    let dropped = 0;
    for (const s of this.#sessions.values()) {
      if (s.connected) connected++;
      if (s.paused) paused++;
      unacked += s.unacked;
      dropped += s.dropped;
    }
    return { connected, total: this.#sessions.size, paused, unacked, dropped };
  }

  #session(shard: string): MqttSession {
    let s = this.#sessions.get(shard);
    if (!s) {
      s = new MqttSession({
        ...this.#base,
        clientId: shard ? `${this.#base.clientId}~${shard}` : this.#base.clientId,
        log: shard ? this.#base.log.child({ session: shard }) : this.#base.log,
      });
      s.on('connect', (info) => {
        this.emit('connect', { ...info, shard });
        if (this.#downSince !== null && this.connected) {
          this.#base.log.info(
            { downMs: Date.now() - this.#downSince, sessions: this.#sessions.size },
            'broker link restored: every session is back',
          );
          this.#downSince = null;
        }
      });
      s.on('disconnect', () => {
        this.emit('disconnect', { shard });
        if (this.#downSince === null && !this.#stopped) {
          this.#downSince = Date.now();
          this.#base.log.warn({ sessions: this.#sessions.size }, 'broker link lost; reconnecting');
        }
      });
      this.#sessions.set(shard, s);
    }
    return s;
  }

  subscribe(filter: string, handler: MessageHandler, opts: SubscribeOptions = {}): void {
    this.#session(opts.shard ?? '').subscribe(filter, handler, opts);
  }

  publish(topic: string, payload: string | Buffer, opts: PublishOptions): void {
    (this.#sessions.get(opts.shard ?? '') ?? this.#session('')).publish(topic, payload, opts);
  }

  /**
   * Starts every session and waits (up to `readyTimeoutMs`) until each is connected and
   * subscribed, so that "started" means the broker is queueing every reader's reads for
   * us. A broker that is down does not hold the gateway's start-up: the sessions keep
   * trying in the background and the health report says so.
   */
  async start(readyTimeoutMs = 10_000): Promise<void> {
    this.#stopped = false;
    // The gateway's own link carries the roster's faces and names: in clear only on this box.
    const url = new URL(this.#base.url);
    if ((url.protocol === 'mqtt:' || url.protocol === 'tcp:') && !isLoopbackHost(url.hostname))
      this.#base.log.warn(
        { broker: redactUrl(this.#base.url) },
        'plain MQTT to a broker that is not on this box: reads and the face library cross the network unencrypted; use mqtts:// with mqtt.tls',
      );
    for (const s of this.#sessions.values()) await s.start();
    const ready = await Promise.all([...this.#sessions.values()].map((s) => s.waitReady(readyTimeoutMs)));
    const late = ready.filter((r) => !r).length;
    if (late > 0)
      this.#base.log.warn(
        { sessions: late, of: ready.length },
        'broker sessions not ready yet; retrying in the background',
      );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#sessions.values()].map((s) => s.stop()));
    this.#base.limiter?.flush();
  }

  /** Waits until every session is connected, up to `ms`. */
  async waitConnected(ms: number): Promise<boolean> {
    const all = await Promise.all([...this.#sessions.values()].map((s) => s.waitConnected(ms)));
    return all.every(Boolean);
  }
}
