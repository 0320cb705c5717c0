import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import mqttPacket, { type IConnackPacket, type IPublishPacket, type Packet } from 'mqtt-packet';
import type { Logger } from 'pino';
import {
  type MessageHandler,
  type MqttBus,
  type PublishOptions,
  retryAfterOf,
  type SubscribeOptions,
  Subscriptions,
} from '../../core/bus.js';
import type { LimitedLevel, LogLimiter } from '../log-limit.js';
import { Backoff } from './backoff.js';
import {
  decodePuback,
  decodePublish,
  encodePuback,
  encodePublish,
  MqttFramer,
  PUBACK,
  PUBLISH,
} from './hot-codec.js';
import type { GroupMember, ReconnectGroup } from './reconnect-group.js';

export interface SessionOptions {
  /** mqtt://host:port, mqtts://host:port (tcp:// and tls:// too). */
  url: string;
  clientId: string;
  username?: string;
  /** Read at each connect (the secrets file is read by a start step). */
  password?: () => string | undefined;
  protocolVersion: 4 | 5;
  /** MQTT 5: how long the broker keeps the session (and queues for it) while away. */
  sessionExpirySeconds: number;
  /** MQTT 5: unacknowledged messages the broker may send at once. */
  receiveMaximum: number;
  keepaliveSeconds: number;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  reconnect: { minMs: number; maxMs: number };
  /** The other sessions at the same broker: the first back tells the rest (issue 12). */
  group?: ReconnectGroup;
  /** Lines a broker outage repeats for every session go through this (issue 12 item 6). */
  limiter?: LogLimiter;
  /** A will published by the broker if the session dies. */
  will?: { topic: string; payload: string; qos: 0 | 1; retain: boolean };
  /** Largest packet we accept (MQTT 5 maximumPacketSize). */
  maxPacketBytes?: number;
  /** Messages waiting while disconnected; the oldest go first past this. */
  maxQueued?: number;
  log: Logger;
}

interface Outgoing {
  packet: IPublishPacket;
  queuedAt: number;
  maxAgeMs: number | undefined;
}

/** What #onPublish reads of a PUBLISH, from the hand decoder or mqtt-packet's parser. */
type Incoming = Pick<IPublishPacket, 'topic' | 'payload' | 'qos' | 'retain' | 'messageId'>;

interface AckSlot {
  messageId: number;
  done: boolean;
}

/** One TCP connection and the reads received on it that still await their PUBACK. */
interface Conn {
  socket: net.Socket;
  framer: MqttFramer;
  acks: AckSlot[];
  /** A read was refused until the journal can commit: one redelivery is asked for then. */
  retrying: boolean;
  /**
   * Bytes received and not yet parsed because the replay window is full (see
   * REPLAY_WINDOW); the socket stays paused while there are any, so order is kept.
   */
  rest: Buffer | null;
  /** A #feed of `rest` is queued. */
  feeding: boolean;
  /** Whether the window takes another read (asked by the framer before each packet). */
  more: () => boolean;
  /** Reads parsed ahead of their commit at most now: REPLAY_WINDOW, or less (see #feed). */
  window: number;
  /** PUBACKs sent by the commit being acknowledged (counted until #measure runs). */
  acked: number;
}

const CONNACK_TIMEOUT_MS = 10_000;

/**
 * Reads waiting for their commit past which a session reads at most one socket chunk
 * (~64 KB, a few hundred replayed reads) per turn of the event loop.
 */
const READ_BURST = 64;

/**
 * Reads waiting for their commit past which a replaying session parses nothing more: the
 * rest of a socket chunk waits as raw bytes (~180 bytes a read) until commits take the
 * waiting reads below it. Every parsed read is a Pending with its promise, check and row
 * (~1.5 KB of young heap) until its slice commits; at 1,024 waiting (the receive maximum)
 * they outlived two scavenges and were promoted, a replay filling the old generation and
 * costing a mark-compact every ~15 MB (issue 15, live p99 under replay). The batcher's
 * slices take at most store.batchMaxRows (256) a turn, so a window of that size keeps
 * them full.
 */
const REPLAY_WINDOW = 256;

/**
 * The smallest window: while doors answer, the batcher's slices take a few dozen rows (as
 * many as fit in store.replaySliceMs), and a window of two slices keeps the next one full.
 */
const MIN_WINDOW = 32;

// mqtt-packet pre-builds a 2-byte Buffer for each of the 65,536 packet ids at its first
// generate: ~6 MB of heap held for the life of the daemon (issue 15, RSS). Building the two
// bytes per packet costs a pooled 2-byte slice; the setting is the library's own and covers
// every user of mqtt-packet in the process (MQTT.js upstream, aedes).
mqttPacket.writeToStream.cacheNumbers = false;

/**
 * A persistent MQTT session purpose-built for ingest (MQTT.js cannot do this: it handles
 * incoming packets one at a time and holds the next until the previous PUBACK is sent,
 * which rules out group commit). Here every QoS 1 message is handed to its handler at
 * once; its PUBACK waits for the handler's promise (the read is on disk), and PUBACKs go
 * out in arrival order as MQTT requires (MQTT 3.1.1 §4.6). A large receive maximum lets
 * the broker push a replayed backlog to us, where live reads can overtake it, instead of
 * holding live reads behind it in its own queue.
 *
 * Also: TCP_NODELAY (Nagle + delayed ACK cost ~40 ms a round trip), reconnect with
 * exponential backoff and full jitter (reset by a connection that lasted, or by another
 * session of the group getting through), keepalive, resend of unacknowledged publishes
 * except those too old to matter (door commands).
 */
export class MqttSession extends EventEmitter implements MqttBus, GroupMember {
  readonly #o: SessionOptions;
  readonly #subs = new Subscriptions();
  readonly #backoff: Backoff;
  readonly #inflight = new Map<number, Outgoing>();
  /** Packet ids of SUBSCRIBEs not yet acknowledged: ids are shared with publishes. */
  readonly #subIds = new Set<number>();
  #queue: Outgoing[] = [];
  #socket: net.Socket | undefined;
  /** The socket corked for this callback's writes (see #send). */
  #corked: net.Socket | undefined;
  #connected = false;
  #stopped = true;
  #nextId = 1;
  #serverReceiveMax = 65535;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #lastSent = 0;
  #pingSentAt = 0;
  #dropped = 0;
  #unacked = 0;
  /** Packet id of the SUBSCRIBE sent at connect; its SUBACK makes the session ready. */
  #readyId = -1;
  #ready = false;
  /** The last attempts never reached the broker (no TCP connection): it is down or away. */
  #unreachable = false;
  /** A reconnect is scheduled and not yet begun. */
  #waiting = false;
  /** Woken by the group since the last failure: one wake per outage is enough. */
  #woken = false;

  constructor(opts: SessionOptions) {
    super();
    this.#o = opts;
    this.#backoff = new Backoff(opts.reconnect);
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The socket is paused because too many reads wait for their acknowledgement. */
  get paused(): boolean {
    return this.#socket?.isPaused() ?? false;
  }

  /** Reads received and not yet acknowledged. */
  get unacked(): number {
    return this.#unacked;
  }

  /** Publishes dropped because they were too old to resend or the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  subscribe(filter: string, handler: MessageHandler, opts: SubscribeOptions = {}): void {
    this.#subs.add(filter, handler, opts.fallback);
    // Fallbacks are matched locally among what the other subscriptions bring.
    if (this.#connected && !opts.fallback) this.#sendSubscribe([filter]);
  }

  publish(topic: string, payload: string | Buffer, opts: PublishOptions): void {
    const packet: IPublishPacket = {
      cmd: 'publish',
      topic,
      payload,
      qos: opts.qos,
      retain: opts.retain ?? false,
      dup: false,
    };
    if (opts.qos === 0) {
      if (this.#connected) this.#send(packet);
      else this.#dropped++;
      return;
    }
    const out: Outgoing = { packet, queuedAt: Date.now(), maxAgeMs: opts.maxAgeMs };
    if (this.#connected && this.#inflight.size < this.#serverReceiveMax) this.#transmit(out);
    else {
      this.#queue.push(out);
      const max = this.#o.maxQueued ?? 10_000;
      if (this.#queue.length > max) {
        this.#queue.shift();
        this.#dropped++;
      }
    }
  }

  /** Starts connecting; resolves at once — the session keeps retrying in the background. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#o.group?.join(this);
    this.#connect();
  }

  /**
   * Another session of the group reached the broker after it had been unreachable: the
   * broker is back. This one forgets its failures (an attempt under way that still fails
   * retries soon) and, if it is waiting out a backoff, tries again after `delayMs`.
   */
  wake(delayMs: number): boolean {
    if (this.#stopped || this.#connected || this.#woken) return false;
    this.#woken = true;
    this.#backoff.reset();
    if (!this.#waiting) return false;
    clearTimeout(this.#reconnectTimer);
    this.#schedule(delayMs);
    return true;
  }

  #schedule(delayMs: number): void {
    this.#waiting = true;
    this.#reconnectTimer = setTimeout(() => {
      this.#waiting = false;
      this.#connect();
    }, delayMs);
  }

  /** A line every session may repeat in an outage: through the limiter when there is one. */
  #limited(level: LimitedLevel, key: string, obj: Record<string, unknown>, msg: string): void {
    const l = this.#o.limiter;
    if (l) l.write(level, `mqtt ${key}`, { ...obj, session: this.#o.clientId }, msg);
    else this.#o.log[level](obj, msg);
  }

  /** Waits for the first connection, up to `ms`. */
  waitConnected(ms: number): Promise<boolean> {
    if (this.#connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.off('connect', on);
        resolve(false);
      }, ms);
      const on = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.once('connect', on);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waiting = false;
    this.#o.group?.leave(this);
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#pingTimer);
    const s = this.#socket;
    if (!s) return;
    if (this.#connected) {
      // Keep the session: a clean DISCONNECT without session expiry 0 leaves it queued.
      this.#send({ cmd: 'disconnect' });
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.destroy();
        resolve();
      }, 2000);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      s.end();
    });
  }

  #subscription(filter: string) {
    // MQTT 5 retain handling 1: retained messages only for a new subscription, so a
    // resumed session is not flooded with old retained states on every reconnect.
    return this.#o.protocolVersion === 5
      ? { topic: filter, qos: 1 as const, rh: 1 }
      : { topic: filter, qos: 1 as const };
  }

  #sendSubscribe(filters: string[]): number {
    const messageId = this.#allocId();
    this.#subIds.add(messageId);
    this.#send({ cmd: 'subscribe', messageId, subscriptions: filters.map((f) => this.#subscription(f)) });
    return messageId;
  }

  #setReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.emit('ready');
  }

  /**
   * Connected and subscribed: from here on the broker queues every read for this session.
   * Before the first SUBACK of a new session a read published has nowhere to go.
   */
  get ready(): boolean {
    return this.#ready && this.#connected;
  }

  /** Waits until ready, up to `ms`; false if it did not get there. */
  waitReady(ms: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.off('ready', on);
        resolve(false);
      }, ms);
      const on = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.once('ready', on);
    });
  }

  #allocId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.#nextId;
      this.#nextId = (this.#nextId % 65535) + 1;
      if (!this.#inflight.has(id) && !this.#subIds.has(id)) return id;
    }
    throw new Error('no free MQTT message id');
  }

  #connect(): void {
    const u = new URL(this.#o.url);
    const secure = u.protocol === 'mqtts:' || u.protocol === 'tls:';
    const port = Number(u.port) || (secure ? 8883 : 1883);
    const host = u.hostname;
    const t = this.#o.tls;
    const socket = secure
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ca: t?.ca ? readFileSync(t.ca) : undefined,
          cert: t?.cert ? readFileSync(t.cert) : undefined,
          key: t?.key ? readFileSync(t.key) : undefined,
          rejectUnauthorized: t?.rejectUnauthorized ?? true,
        })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    this.#socket = socket;
    const parser = mqttPacket.parser({ protocolVersion: this.#o.protocolVersion });
    // Acks of this connection only: after a reconnect the broker redelivers what we did
    // not acknowledge, and an old packet id must never be acknowledged on a new
    // connection (it would acknowledge a different message there).
    let connackTimer: NodeJS.Timeout | undefined;
    // Whether TCP got through: a close without it means the broker is down or unreachable.
    let reached = false;

    socket.once('connect', () => {
      reached = true;
    });
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const props =
        this.#o.protocolVersion === 5
          ? {
              sessionExpiryInterval: this.#o.sessionExpirySeconds,
              receiveMaximum: this.#o.receiveMaximum,
              maximumPacketSize: this.#o.maxPacketBytes ?? 1024 * 1024,
            }
          : undefined;
      const password = this.#o.password?.();
      this.#send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: this.#o.protocolVersion,
        clientId: this.#o.clientId,
        clean: false,
        keepalive: this.#o.keepaliveSeconds,
        username: this.#o.username,
        password: password === undefined ? undefined : Buffer.from(password),
        will: this.#o.will ? { ...this.#o.will, payload: Buffer.from(this.#o.will.payload) } : undefined,
        properties: props,
      });
      connackTimer = setTimeout(() => {
        this.#limited(
          'warn',
          'no connack',
          { url: this.#redactedUrl() },
          'no CONNACK from broker; reconnecting',
        );
        socket.destroy();
      }, CONNACK_TIMEOUT_MS);
    });
    const malformed = (err: Error) => {
      framer.fail();
      this.#limited('error', 'malformed', { err: err.message }, 'malformed packet from broker; reconnecting');
      socket.destroy();
    };
    // Whole packets: a read's PUBLISH and a command's PUBACK are decoded by hand (issue 15,
    // hot-codec.ts); every other packet, and any the hand decoder leaves, go to mqtt-packet.
    const framer = new MqttFramer((frame, bodyAt) => {
      const type = (frame[0] as number) >> 4;
      if (type === PUBLISH) {
        const p = decodePublish(frame, bodyAt, this.#o.protocolVersion);
        if (p) return this.#onPublish(p, conn);
      } else if (type === PUBACK && frame[0] === PUBACK << 4) {
        const id = decodePuback(frame, bodyAt);
        if (id !== null) return this.#onPuback(id);
      }
      parser.parse(frame);
    }, malformed);
    const conn: Conn = {
      socket,
      framer,
      acks: [],
      retrying: false,
      rest: null,
      feeding: false,
      more: () => conn.acks.length < conn.window,
      window: REPLAY_WINDOW,
      acked: 0,
    };
    socket.on('data', (buf: Buffer) => {
      if (conn.rest !== null) {
        // Paused already; a chunk the stream had buffered still comes after the rest.
        conn.rest = Buffer.concat([conn.rest, buf]);
        return;
      }
      this.#parse(conn, buf);
      // Paced reading (issue 15): a reader replaying its offline buffer fills the socket
      // faster than slices commit, and libuv reads a readable socket up to 32 times in one
      // poll: hundreds of reads parsed before the live reads' commit of this turn. Once a
      // chunk leaves this many reads waiting, the next chunk waits for the next turn; a
      // live reader (a few reads outstanding) is never paced.
      if (conn.acks.length >= READ_BURST && !socket.isPaused()) {
        socket.pause();
        setImmediate(() => {
          if (conn.rest === null && conn.acks.length < this.#o.receiveMaximum && !socket.destroyed)
            socket.resume();
        });
      }
    });
    parser.on('error', malformed);
    parser.on('packet', (p: Packet) => {
      switch (p.cmd) {
        case 'connack':
          clearTimeout(connackTimer);
          this.#onConnack(p);
          break;
        case 'publish':
          this.#onPublish(p, conn);
          break;
        case 'puback':
          this.#onPuback(p.messageId ?? 0);
          break;
        case 'suback': {
          this.#subIds.delete(p.messageId ?? 0);
          if (p.messageId === this.#readyId) this.#setReady();
          const granted = (p as { granted?: number[] }).granted ?? [];
          if (granted.some((g) => g >= 0x80))
            this.#o.log.error({ granted }, 'broker refused a subscription (check ACLs)');
          break;
        }
        case 'pingresp':
          this.#pingSentAt = 0;
          break;
        case 'disconnect':
          this.#limited(
            'warn',
            'disconnected',
            { reason: (p as { reasonCode?: number }).reasonCode },
            'broker disconnected the session',
          );
          break;
        default:
          break;
      }
    });
    socket.on('error', (err) => {
      this.#limited(
        'warn',
        'connection error',
        { err: err.message, url: this.#redactedUrl() },
        'broker connection error',
      );
    });
    socket.on('close', () => {
      clearTimeout(connackTimer);
      clearInterval(this.#pingTimer);
      const was = this.#connected;
      this.#connected = false;
      this.#ready = false;
      if (!reached) this.#unreachable = true;
      if (this.#socket === socket) this.#socket = undefined;
      if (was) this.emit('disconnect');
      if (!this.#stopped) {
        this.#woken = false;
        const delay = this.#backoff.next();
        // Every session repeats this through an outage: debug, the link summarises.
        this.#o.log.debug({ delayMs: delay, attempt: this.#backoff.attempts }, 'reconnecting to broker');
        this.#schedule(delay);
      }
    });
  }

  #onConnack(p: IConnackPacket): void {
    const code = p.reasonCode ?? p.returnCode ?? 0;
    if (code !== 0) {
      this.#limited(
        'error',
        'refused',
        { code, url: this.#redactedUrl() },
        'broker refused the connection (credentials? client id?)',
      );
      this.#socket?.destroy();
      return;
    }
    this.#connected = true;
    this.#backoff.connected();
    const back = this.#unreachable;
    this.#unreachable = false;
    this.#serverReceiveMax = p.properties?.receiveMaximum ?? 65535;
    this.#subIds.clear();
    const filters = this.#subs.filters;
    if (filters.length > 0) this.#readyId = this.#sendSubscribe(filters);
    else this.#setReady();
    // Resend what the broker never acknowledged, with the same packet id and DUP set
    // (MQTT 3.1.1 §4.4), unless it is too old to matter: an unlock nobody waits for.
    const now = Date.now();
    for (const [id, out] of this.#inflight) {
      if (out.maxAgeMs !== undefined && now - out.queuedAt > out.maxAgeMs) {
        this.#inflight.delete(id);
        this.#dropped++;
      } else {
        out.packet.dup = true;
        this.#send(out.packet);
      }
    }
    this.#pump();
    this.#startPing();
    this.#limited(
      'info',
      'connected',
      { url: this.#redactedUrl(), sessionPresent: p.sessionPresent },
      'connected to broker',
    );
    this.emit('connect', { sessionPresent: p.sessionPresent });
    // The broker is back: the sessions still waiting out their backoff need not.
    if (back && this.#o.group) {
      const woken = this.#o.group.back(this);
      if (woken > 0)
        this.#limited('info', 'broker back', { woken }, 'broker back: the sessions waiting to retry try now');
    }
  }

  #onPublish(p: Incoming, conn: Conn): void {
    const acks = conn.acks;
    const topic = p.topic;
    const payload = typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload;
    const info = { retain: p.retain };
    const pending = this.#subs.dispatch(topic, payload, info, (err) =>
      this.#limited('error', 'handler threw', { err, topic }, 'message handler threw'),
    );
    if (p.qos === 0) return;
    if (p.qos === 2) {
      // We subscribe at QoS 1; a broker must downgrade. Say so rather than hang.
      this.#o.log.warn({ topic }, 'unexpected QoS 2 delivery ignored');
      return;
    }
    const slot: AckSlot = { messageId: p.messageId ?? 0, done: false };
    acks.push(slot);
    this.#unacked = acks.length;
    // Brokers do not all honour our receive maximum (mosquitto 2.0.11 does not while acks
    // flow): past it, stop reading the socket and let TCP hold the broker back, so a
    // flood waits at the broker instead of filling this process.
    if (acks.length >= this.#o.receiveMaximum && !conn.socket.isPaused()) conn.socket.pause();
    if (pending.length === 0) {
      slot.done = true;
      this.#flushAcks(conn);
      return;
    }
    const all =
      pending.length === 1 ? (pending[0] as Promise<void>) : Promise.all(pending).then(() => undefined);
    all.then(
      () => {
        slot.done = true;
        this.#flushAcks(conn);
      },
      (err: unknown) => {
        // Not on disk: never acknowledged. Reconnecting makes the broker deliver it again —
        // once the journal can take it, when the refusal says so: no session churn while
        // the disk is full (acknowledgements after it wait, in order, meanwhile).
        const later = retryAfterOf(err);
        if (later !== undefined) {
          if (conn.retrying) return;
          conn.retrying = true;
          this.#limited(
            'warn',
            'not stored',
            { topic },
            'message not stored; asking again once the journal commits',
          );
          void later.then(() => {
            if (!conn.socket.destroyed) conn.socket.destroy();
          });
          return;
        }
        this.#limited(
          'error',
          'not stored',
          { err, topic },
          'message not stored; reconnecting so the broker redelivers',
        );
        conn.socket.destroy();
      },
    );
  }

  #flushAcks(conn: Conn): void {
    const { socket: s, acks } = conn;
    if (s !== this.#socket || s.destroyed || !this.#connected || acks[0]?.done !== true) return;
    while (acks.length > 0 && acks[0]?.done) {
      const slot = acks.shift() as AckSlot;
      this.#write(encodePuback(slot.messageId));
      if (conn.acked++ === 0) queueMicrotask(() => this.#measure(conn));
    }
    this.#unacked = acks.length;
    if (conn.rest !== null) {
      // A slice committed: its reads' places in the window go to the bytes held back.
      if (!conn.feeding && acks.length < conn.window) {
        conn.feeding = true;
        queueMicrotask(() => this.#feed(conn));
      }
    } else if (s.isPaused() && acks.length < this.#o.receiveMaximum / 2) s.resume();
  }

  /**
   * Parses a socket chunk up to REPLAY_WINDOW reads waiting: what is left is kept as bytes,
   * the socket paused, until commits make room (#flushAcks → #feed). A live reader has a
   * few reads waiting and never reaches it.
   */
  #parse(conn: Conn, buf: Buffer): void {
    const rest = conn.framer.push(buf, conn.more);
    if (rest === null) return;
    conn.rest = rest;
    conn.socket.pause();
  }

  /**
   * Sizes the window by the commit just acknowledged: twice what it took of this session
   * (MIN_WINDOW to REPLAY_WINDOW). Queued at a commit's first PUBACK, so it runs after the
   * promise callbacks of all its reads, and before the #feed they queue. A replay at night
   * (slices of batchMaxRows) keeps 256 parsed ahead; while doors answer (slices of a few
   * dozen) two slices, not 256 reads: those waited several slices as Pendings and parsed
   * reads and were copied by every scavenge on the way, 40 % of what outlived a scavenge
   * during the replay (issue 15, live p99 under replay: promoted bytes make mark-compacts).
   */
  #measure(conn: Conn): void {
    conn.window = Math.min(REPLAY_WINDOW, Math.max(MIN_WINDOW, 2 * conn.acked));
    conn.acked = 0;
  }

  /** Parses what the window held back, as far as the window allows; then reads the socket again. */
  #feed(conn: Conn): void {
    conn.feeding = false;
    const rest = conn.rest;
    if (rest === null) return;
    if (conn.socket.destroyed || conn.socket !== this.#socket) {
      // Never acknowledged: the broker delivers them again on the next connection.
      conn.rest = null;
      return;
    }
    conn.rest = null;
    this.#parse(conn, rest);
    if (conn.rest === null && conn.acks.length < this.#o.receiveMaximum) conn.socket.resume();
  }

  #onPuback(id: number): void {
    this.#inflight.delete(id);
    this.#pump();
  }

  #pump(): void {
    const now = Date.now();
    while (this.#connected && this.#queue.length > 0 && this.#inflight.size < this.#serverReceiveMax) {
      const out = this.#queue.shift() as Outgoing;
      if (out.maxAgeMs !== undefined && now - out.queuedAt > out.maxAgeMs) {
        this.#dropped++;
        continue;
      }
      this.#transmit(out);
    }
  }

  #transmit(out: Outgoing): void {
    out.packet.messageId = this.#allocId();
    this.#inflight.set(out.packet.messageId, out);
    this.#send(out.packet);
  }

  /**
   * Writes a packet. The packets of one callback leave in one write (issue 15: a commit's
   * door commands and their PUBACKs went out as a syscall and a TCP segment each, for the
   * gateway and the broker alike): the socket is corked at the first and uncorked two
   * microtask hops later, once the commit's promise callbacks (the PUBACKs) have written
   * too. Not later: until the next check phase (as before) a live read's door command
   * waited behind the replay slice committed after it and the next turn's I/O.
   */
  #send(packet: Packet): void {
    const v = this.#o.protocolVersion;
    // A door command (and every publish of ours: string topic, no properties) by hand.
    if (packet.cmd === 'publish' && packet.properties === undefined && typeof packet.topic === 'string')
      this.#write(
        encodePublish(
          packet.topic,
          packet.payload,
          packet.qos,
          packet.retain,
          packet.dup,
          packet.messageId,
          v,
        ),
      );
    else this.#write(mqttPacket.generate(packet, { protocolVersion: v }));
  }

  /** The corked write of one packet's bytes (see #send). */
  #write(bytes: Buffer): void {
    const s = this.#socket;
    if (!s || s.destroyed) return;
    if (this.#corked !== s) {
      this.#corked = s;
      s.cork();
      queueMicrotask(this.#uncorkSoon);
    }
    s.write(bytes);
    this.#lastSent = Date.now();
  }

  /**
   * The first hop: a commit resolves its reads' promises after it writes their door
   * commands, so their PUBACK callbacks are queued before the uncork this queues.
   */
  readonly #uncorkSoon = (): void => {
    queueMicrotask(this.#uncork);
  };

  readonly #uncork = (): void => {
    const s = this.#corked;
    this.#corked = undefined;
    s?.uncork();
  };

  #startPing(): void {
    clearInterval(this.#pingTimer);
    const ka = this.#o.keepaliveSeconds * 1000;
    this.#pingSentAt = 0;
    this.#pingTimer = setInterval(
      () => {
        const now = Date.now();
        if (this.#pingSentAt && now - this.#pingSentAt > ka) {
          this.#o.log.warn('broker stopped answering pings; reconnecting');
          this.#socket?.destroy();
          return;
        }
        if (!this.#pingSentAt && now - this.#lastSent >= ka / 2) {
          this.#pingSentAt = now;
          this.#send({ cmd: 'pingreq' });
        }
      },
      Math.max(1000, ka / 4),
    );
    this.#pingTimer.unref();
  }

  #redactedUrl(): string {
    const u = new URL(this.#o.url);
    u.password = '';
    return u.toString();
  }
}
