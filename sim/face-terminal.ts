/**
 * A simulated face terminal (人脸门禁终端) speaking reader protocol v1 over MQTT (§5), as
 * the real ones do: retained status with a will, QoS 1 events, an offline buffer replayed
 * after reconnecting, door commands on its commands topic.
 */
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type CommandCounts, CommandLedger } from './command-ledger.js';
import type { SimFaceLibrary } from './face-library.js';
import { answerPersons, type PersonsStats } from './persons-responder.js';
import {
  DEFAULT_TOPIC_PREFIX,
  encodeEvent,
  encodeStatus,
  parseCommand,
  type ReaderTopics,
  readerTopics,
  type TerminalCommand,
  type TerminalCredential,
} from './reader-protocol.js';
import { Waiters } from './waiters.js';

/** Options of a FaceTerminal. */
export interface FaceTerminalOptions {
  /** Broker URL, mqtt://host:port. */
  url: string;
  /** Reader id in config: the `{reader}` of its topics and its MQTT username. */
  readerId: string;
  /** Broker password (the secrets file's readers.{id}); omit when the broker needs none. */
  password?: string;
  /** Topic prefix, default acs/v1. */
  topicPrefix?: string;
  /** How far the terminal's clock is ahead of the host's (negative: behind). Default 0. */
  clockSkewMs?: number;
  /** Delay between reconnect attempts, default 1000 ms. */
  reconnectPeriodMs?: number;
  /** How long start() waits for the first connection, default 10 s. */
  connectTimeoutMs?: number;
  /** Reads kept while offline; past this the oldest are dropped (flash is finite). Default 10,000. */
  offlineBufferMax?: number;
  /** First record number; default Date.now(), so ids never repeat across restarts of the sim. */
  firstSeq?: number;
  /** MQTT protocol version, default 4 (3.1.1: the embedded broker speaks nothing newer). */
  protocolVersion?: 4 | 5;
  /** Logger for connection trouble (debug); reads and commands are never logged. */
  log?: Logger;
  /**
   * A face library the gateway keeps in step with the roster over `persons` (issue 11):
   * given, the terminal subscribes to its persons topic and answers every operation.
   */
  library?: SimFaceLibrary;
  /** Whether it answers `list` (default true); false plays a terminal that cannot list. */
  lists?: boolean;
}

/** Per-presentation options. */
export interface PresentOptions {
  /** JPEG snapshot to attach (face events). */
  image?: Buffer;
  /** Mark as a replay from the offline buffer even though connected (tests). */
  offline?: boolean;
  /** Record id instead of `${readerId}-${n}` (replay tests send the same id twice). */
  id?: string;
  /** When it happened on the host clock, epoch ms; the terminal's skew is added. */
  ts?: number;
}

/** What present() did with a read. */
export interface Presented {
  /** The event's record id (what the door command's `event` echoes). */
  id: string;
  /** Host time (epoch ms) the read was published or buffered. */
  sentAt: number;
  /** True when it went to the offline buffer instead of the broker. */
  buffered: boolean;
}

/** Counters of one terminal: its reads, and the commands that answered them. */
export interface FaceTerminalStats extends CommandCounts {
  presented: number;
  published: number;
  buffered: number;
  replayed: number;
  /** Offline reads dropped because the buffer was full. */
  dropped: number;
}

interface Pending {
  id: string;
  ts: number;
  cred: TerminalCredential;
  image: Buffer | undefined;
}

/** Events of a FaceTerminal. */
export interface FaceTerminalEvents {
  /** The MQTT session is up (status announced, commands subscribed). */
  connect: [];
  /** The session was lost; reads go to the offline buffer until it is back. */
  disconnect: [];
  /** A door command; latency runs from publishing its event (null if not one of ours). */
  command: [cmd: TerminalCommand, latencyMs: number | null];
}

/** One face terminal on one door. Constructing it does no I/O; start() connects. */
export class FaceTerminal extends EventEmitter<FaceTerminalEvents> {
  readonly #o: FaceTerminalOptions;
  readonly #topics: ReaderTopics;
  #client: MqttClient | undefined;
  #seq: number;
  #buffer: Pending[] = [];
  readonly #ledger = new CommandLedger();
  #inflight = 0;
  #up = false;
  #idleWaiters: Array<() => void> = [];
  readonly #commandWaiters = new Waiters<TerminalCommand>();
  readonly #reads = { presented: 0, published: 0, buffered: 0, replayed: 0, dropped: 0 };
  /** Face-library operations answered (issue 11). */
  readonly persons: PersonsStats = { upserts: 0, deletes: 0, lists: 0, refused: 0, badOps: 0 };

  constructor(opts: FaceTerminalOptions) {
    super();
    this.#o = opts;
    this.#topics = readerTopics(opts.topicPrefix ?? DEFAULT_TOPIC_PREFIX, opts.readerId);
    this.#seq = opts.firstSeq ?? Date.now();
  }

  /** The face library it keeps, when it keeps one (issue 11). */
  get library(): SimFaceLibrary | undefined {
    return this.#o.library;
  }

  /** The reader id. */
  get readerId(): string {
    return this.#o.readerId;
  }

  /** True while the MQTT session is up. */
  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Reads waiting in the offline buffer. */
  get bufferedCount(): number {
    return this.#buffer.length;
  }

  /** Connects; resolves on the first CONNACK, rejects after connectTimeoutMs (it keeps retrying: call stop()). */
  start(): Promise<void> {
    if (this.#client) return Promise.reject(new Error('terminal already started'));
    const client = mqtt.connect(this.#o.url, {
      clientId: `term-${this.#o.readerId}`,
      username: this.#o.readerId,
      ...(this.#o.password === undefined ? {} : { password: this.#o.password }),
      protocolVersion: this.#o.protocolVersion ?? 4,
      clean: true,
      keepalive: 30,
      reconnectPeriod: this.#o.reconnectPeriodMs ?? 1000,
      connectTimeout: 5000,
      will: { topic: this.#topics.status, payload: Buffer.from(encodeStatus(false)), qos: 1, retain: true },
    });
    this.#client = client;
    client.on('connect', () => this.#onConnect(client));
    client.on('close', () => {
      // 'close' also follows every failed reconnect attempt; report only a lost session.
      if (!this.#up) return;
      this.#up = false;
      this.emit('disconnect');
    });
    client.on('message', (topic, payload) => {
      if (topic === this.#topics.commands) this.#onCommand(payload);
      else if (topic === this.#topics.persons && this.#o.library) {
        const ack = answerPersons(this.#o.library, payload, this.persons, this.#o.lists ?? true);
        if (ack) client.publish(this.#topics.personsAck, ack, { qos: 1 });
      }
    });
    // Refused logins and unreachable brokers are normal states for a terminal: log, retry.
    client.on('error', (err) =>
      this.#o.log?.debug({ reader: this.#o.readerId, err: err.message }, 'mqtt error'),
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('connect', ok);
        reject(new Error(`terminal ${this.#o.readerId} did not connect to ${this.#o.url}`));
      }, this.#o.connectTimeoutMs ?? 10_000);
      const ok = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once('connect', ok);
    });
  }

  /**
   * Presents a credential: publishes one event at QoS 1, or buffers it while offline.
   * Buffered reads go out after reconnecting with `offline: true` (§5).
   */
  present(cred: TerminalCredential, opts: PresentOptions = {}): Presented {
    this.#reads.presented++;
    const p: Pending = {
      id: opts.id ?? `${this.#o.readerId}-${++this.#seq}`,
      ts: (opts.ts ?? Date.now()) + (this.#o.clockSkewMs ?? 0),
      cred,
      image: opts.image,
    };
    if (!this.connected) {
      this.#reads.buffered++;
      this.#buffer.push(p);
      if (this.#buffer.length > (this.#o.offlineBufferMax ?? 10_000)) {
        this.#buffer.shift();
        this.#reads.dropped++;
      }
      return { id: p.id, sentAt: Date.now(), buffered: true };
    }
    this.#publish(p, opts.offline === true);
    return { id: p.id, sentAt: Date.now(), buffered: false };
  }

  /** Publishes arbitrary bytes on the events topic at QoS 1 (bad-input tests); resolves on PUBACK. */
  async publishRaw(payload: Buffer | string): Promise<void> {
    if (!this.#client) throw new Error('terminal not started');
    await this.#client.publishAsync(this.#topics.events, payload, { qos: 1 });
  }

  /** Publishes arbitrary bytes on any topic at QoS 1 (bad-input tests); resolves on PUBACK. */
  async publishRawTo(topic: string, payload: Buffer | string): Promise<void> {
    if (!this.#client) throw new Error('terminal not started');
    await this.#client.publishAsync(topic, payload, { qos: 1 });
  }

  /** Resolves once nothing is buffered or awaiting a PUBACK (within timeoutMs, else rejects). */
  idle(timeoutMs = 10_000): Promise<void> {
    if (this.#inflight === 0 && this.#buffer.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.#o.readerId} not idle`)), timeoutMs);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Resolves with the next door command (from now on) that `predicate` accepts; rejects
   * after `timeoutMs`. Tests wait for the answer they expect, not for a time (issue 8).
   */
  expect(
    predicate: (cmd: TerminalCommand) => boolean,
    timeoutMs = 5000,
    what = 'a matching door command',
  ): Promise<TerminalCommand> {
    return this.#commandWaiters.add(predicate, timeoutMs, `${this.#o.readerId}: ${what}`);
  }

  /** Times a command came back for event `id` (tests assert "answered at most once"). */
  commandCount(id: string): number {
    return this.#ledger.count(id);
  }

  /** Command latencies in ms (first command of each live event), oldest first; at least the last 100,000. */
  latencies(): number[] {
    return this.#ledger.latencies();
  }

  /** A copy of the counters. */
  stats(): FaceTerminalStats {
    return { ...this.#reads, ...this.#ledger.counts() };
  }

  /** Graceful: announces offline (retained), then disconnects. Unsent buffered reads are lost. */
  async stop(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    if (client.connected) {
      const now = Date.now() + (this.#o.clockSkewMs ?? 0);
      const bye = client.publishAsync(this.#topics.status, encodeStatus(false, now), {
        qos: 1,
        retain: true,
      });
      await withTimeout(bye, 3000).catch(() => undefined);
      await withTimeout(client.endAsync(), 3000).catch(() => client.end(true));
    } else await client.endAsync(true);
  }

  /** Abrupt: destroys the socket without DISCONNECT, so the broker publishes the will. */
  async kill(): Promise<void> {
    await this.#client?.endAsync(true);
  }

  #onConnect(client: MqttClient): void {
    // Door commands are latency-critical and tiny: no Nagle delay on the terminal side either.
    (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    // Subscribed before announcing itself (docs/protocol-v1.md): the broker handles one
    // connection's packets in order, so nothing the gateway sends on "online" is missed.
    client.subscribe(this.#topics.commands, { qos: 1 });
    if (this.#o.library) client.subscribe(this.#topics.persons, { qos: 1 });
    client.publish(this.#topics.status, encodeStatus(true, Date.now() + (this.#o.clockSkewMs ?? 0)), {
      qos: 1,
      retain: true,
    });
    this.#up = true;
    this.emit('connect');
    // Replay the offline buffer, oldest first, until the link drops again.
    while (client.connected && this.#buffer.length > 0) {
      const p = this.#buffer.shift() as Pending;
      this.#reads.replayed++;
      this.#publish(p, true);
    }
  }

  #publish(p: Pending, offline: boolean): void {
    const client = this.#client as MqttClient;
    if (!offline) this.#ledger.sent(p.id);
    this.#reads.published++;
    this.#inflight++;
    client.publish(this.#topics.events, encodeEvent({ ...p, offline }), { qos: 1 }, () => {
      this.#inflight--;
      if (this.#inflight === 0 && this.#buffer.length === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const w of waiters) w();
      }
    });
  }

  #onCommand(payload: Buffer): void {
    const cmd = parseCommand(payload);
    if (!cmd) {
      this.#ledger.bad();
      return;
    }
    this.emit('command', cmd, this.#ledger.answer(cmd));
    this.#commandWaiters.seen(cmd);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
