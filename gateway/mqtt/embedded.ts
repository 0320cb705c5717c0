import { timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Aedes, AuthenticateError, Client, PublishPacket, Subscription } from 'aedes';
import type { Logger } from 'pino';
import {
  type MessageHandler,
  type MqttBus,
  type PublishOptions,
  retryAfterOf,
  type SubscribeOptions,
  Subscriptions,
} from '../../core/bus.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** Readers must log in as their reader id with their password. */
  requireAuth: boolean;
  /** The password of a reader id, looked up at each login (the secrets file is read by a start step). */
  passwords: (readerId: string) => string | undefined;
  /** Reader protocol v1 prefix: a reader may only use `{prefix}/readers/{its id}/…`. */
  topicPrefix: string;
  log: Logger;
}

/** aedes keeps no username on the client; it is noted at authentication. */
const USERS = new WeakMap<Client, string>();

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The embedded broker (aedes, MQTT 3.1.1) for estates without one. The gateway is not a
 * client of it: it sits in the broker's publish path. A reader's PUBLISH is handed to the
 * handler before the broker acknowledges it, and aedes sends the PUBACK only when the
 * handler's promise settles — so the reader's own PUBACK means "on the gateway's disk".
 * aedes handles every packet of one socket read concurrently, which feeds group commit.
 */
export class EmbeddedBroker extends EventEmitter implements MqttBus {
  readonly #o: EmbeddedBrokerOptions;
  readonly #subs = new Subscriptions();
  #broker: Aedes | undefined;
  #server: net.Server | undefined;
  #authFailures = 0;

  constructor(opts: EmbeddedBrokerOptions) {
    super();
    this.#o = opts;
  }

  get connected(): boolean {
    return this.#server?.listening ?? false;
  }

  /** The port actually bound (useful with port 0 in tests). */
  get port(): number {
    const a = this.#server?.address();
    return typeof a === 'object' && a ? a.port : this.#o.port;
  }

  get authFailures(): number {
    return this.#authFailures;
  }

  subscribe(filter: string, handler: MessageHandler, opts: SubscribeOptions = {}): void {
    this.#subs.add(filter, handler, opts.fallback);
  }

  publish(topic: string, payload: string | Buffer, opts: PublishOptions): void {
    const b = this.#broker;
    if (!b) return;
    b.publish(
      {
        cmd: 'publish',
        topic,
        payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        qos: opts.qos,
        retain: opts.retain ?? false,
        dup: false,
      },
      (err) => {
        if (err) this.#o.log.warn({ err, topic }, 'embedded publish failed');
      },
    );
  }

  async start(): Promise<void> {
    const prefix = `${this.#o.topicPrefix}/readers/`;
    // Loaded only when the box runs its own broker.
    const { Aedes } = await import('aedes');
    this.#broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) =>
        this.#authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.#authorizePublish(prefix, client, packet, done),
      authorizeSubscribe: (client, sub, done) => this.#authorizeSubscribe(prefix, client, sub, done),
    });
    this.#broker.on('clientError', (client: Client, err: Error) => {
      this.#o.log.debug({ client: client?.id, err: err.message }, 'embedded broker client error');
    });
    const broker = this.#broker;
    const server = net.createServer({ noDelay: true }, broker.handle);
    this.#server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#o.port, this.#o.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      // A port already taken: leave nothing behind, the lifecycle stops what started before.
      this.#server = undefined;
      this.#broker = undefined;
      await new Promise<void>((r) => broker.close(() => r()));
      throw err;
    }
    this.#o.log.info(
      { host: this.#o.host, port: this.port, auth: this.#o.requireAuth },
      'embedded MQTT broker listening',
    );
    this.emit('connect', { sessionPresent: true });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    // Stop accepting first, then let aedes close every client (server.close alone waits
    // for connected readers forever), then wait for the listener to finish.
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    if (broker) await new Promise<void>((r) => broker.close(() => r()));
    await closed;
    this.emit('disconnect');
  }

  #authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (err: AuthenticateError | null, ok: boolean | null) => void,
  ): void {
    if (!this.#o.requireAuth) {
      done(null, true);
      return;
    }
    const expected = username ? this.#o.passwords(username) : undefined;
    if (username && expected && password && safeEqual(password.toString(), expected)) {
      USERS.set(client, username);
      done(null, true);
      return;
    }
    this.#authFailures++;
    this.#o.log.warn({ client: client.id, username: username ?? null }, 'reader failed to authenticate');
    const err = new Error('bad username or password') as AuthenticateError;
    err.returnCode = 4;
    done(err, null);
  }

  /** A reader (username = reader id) may publish only events and status under its own id. */
  #allowedPublish(prefix: string, client: Client | null, topic: string): boolean {
    if (!this.#o.requireAuth) return true;
    const user = client ? USERS.get(client) : undefined;
    if (!user) return false;
    return topic === `${prefix}${user}/events` || topic === `${prefix}${user}/status`;
  }

  #authorizePublish(
    prefix: string,
    client: Client | null,
    packet: PublishPacket,
    done: (err?: Error | null) => void,
  ): void {
    if (!this.#allowedPublish(prefix, client, packet.topic)) {
      this.#o.log.warn({ client: client?.id, topic: packet.topic }, 'publish refused by ACL');
      done(new Error('not authorized'));
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const info = { retain: false, clientId: client?.id, username: client ? USERS.get(client) : undefined };
    const pending = this.#subs.dispatch(packet.topic, payload, info, (err) =>
      this.#o.log.error({ err, topic: packet.topic }, 'message handler threw'),
    );
    if (pending.length === 0) {
      done(null);
      return;
    }
    Promise.all(pending).then(
      () => done(null),
      // Not stored: refuse, so the reader keeps the read and sends it again — once the
      // journal can take it when the refusal says so (issue 12): until then the reader's
      // PUBACK simply waits, and its connection is not dropped over and over.
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        const later = retryAfterOf(err);
        if (later !== undefined) void later.then(() => done(e));
        else done(e);
      },
    );
  }

  /** A reader may subscribe only to its own commands and persons topics. */
  #authorizeSubscribe(
    prefix: string,
    client: Client,
    sub: Subscription,
    done: (err: Error | null, s?: Subscription | null) => void,
  ): void {
    if (!this.#o.requireAuth) {
      done(null, sub);
      return;
    }
    const user = USERS.get(client);
    if (user && (sub.topic === `${prefix}${user}/commands` || sub.topic === `${prefix}${user}/persons`)) {
      done(null, sub);
      return;
    }
    this.#o.log.warn({ client: client.id, topic: sub.topic }, 'subscription refused by ACL');
    done(null, null);
  }
}
