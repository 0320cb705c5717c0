import { timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
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
import { isLoopbackHost } from '../loopback-host.js';
import { BrokerGuard, type GuardEvents, type GuardLimits } from './broker-guard.js';

/** The mqtts listener (paths of PEM files; read when the broker starts). */
export interface EmbeddedTlsOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  ca?: string;
  requireClientCert: boolean;
}

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
  /** Listen for plain MQTT on host:port (default true). */
  plain?: boolean;
  /** The mqtts listener, if any. */
  tls?: EmbeddedTlsOptions;
  /** Packet size, pre-authentication, CONNECT time and connection limits (issue 9 item 5). */
  limits?: GuardLimits;
  /** Told of every refused connection (counter) and of the open count (gauge). */
  events?: GuardEvents;
}

/** Limits when none are given (the config's defaults). */
export const DEFAULT_GUARD_LIMITS: GuardLimits = {
  maxPacketBytes: 1024 * 1024,
  maxPreAuthBytes: 64 * 1024,
  connectTimeoutMs: 5000,
  maxConnections: 1000,
  maxConnectionsPerSource: 16,
};

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
  #tlsServer: tls.Server | undefined;
  #authFailures = 0;

  constructor(opts: EmbeddedBrokerOptions) {
    super();
    this.#o = opts;
  }

  get connected(): boolean {
    return (this.#server?.listening ?? false) || (this.#tlsServer?.listening ?? false);
  }

  /** The port actually bound (useful with port 0 in tests). */
  get port(): number {
    const a = this.#server?.address();
    return typeof a === 'object' && a ? a.port : this.#o.port;
  }

  /** The TLS port actually bound; null without a TLS listener. */
  get tlsPort(): number | null {
    const a = this.#tlsServer?.address();
    return typeof a === 'object' && a ? a.port : null;
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
      // A backstop behind the guard's own CONNECT timer (it counts, aedes only closes).
      connectTimeout: (this.#o.limits ?? DEFAULT_GUARD_LIMITS).connectTimeoutMs * 2,
      authenticate: (client, username, password, done) =>
        this.#authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => this.#authorizePublish(prefix, client, packet, done),
      authorizeSubscribe: (client, sub, done) => this.#authorizeSubscribe(prefix, client, sub, done),
    });
    this.#broker.on('clientError', (client: Client, err: Error) => {
      this.#o.log.debug({ client: client?.id, err: err.message }, 'embedded broker client error');
    });
    const broker = this.#broker;
    const guard = new BrokerGuard(
      this.#o.limits ?? DEFAULT_GUARD_LIMITS,
      this.#o.events ?? { refused: () => {}, connections: () => {} },
      this.#o.log,
    );
    // The guard's pre-authentication limits end when aedes accepts the login.
    broker.on('client', (client: Client) => guard.authenticated(client.conn));
    // Every connection passes the guard before aedes reads a byte of it (issue 9 item 5).
    const handle = (socket: net.Socket) => {
      const stream = guard.accept(socket);
      if (stream) broker.handle(stream);
    };
    try {
      if (this.#o.plain !== false) {
        this.#server = net.createServer({ noDelay: true }, handle);
        await listen(this.#server, this.#o.port, this.#o.host);
      }
      const t = this.#o.tls;
      if (t) {
        const [cert, key, ca] = await Promise.all([
          readFile(t.cert),
          readFile(t.key),
          t.ca ? readFile(t.ca) : Promise.resolve(undefined),
        ]);
        this.#tlsServer = tls.createServer(
          {
            cert,
            key,
            ca,
            requestCert: t.requireClientCert,
            rejectUnauthorized: t.requireClientCert,
            minVersion: 'TLSv1.2',
            // A handshake that does not finish in time is dropped before any MQTT is read.
            handshakeTimeout: (this.#o.limits ?? DEFAULT_GUARD_LIMITS).connectTimeoutMs,
            noDelay: true,
          },
          handle,
        );
        this.#tlsServer.on('tlsClientError', (err) =>
          this.#o.log.warn({ err: err.message }, 'TLS handshake with a reader failed'),
        );
        await listen(this.#tlsServer, t.port, t.host);
      }
    } catch (err) {
      // A port already taken, a certificate missing: leave nothing behind, the lifecycle
      // stops what started before.
      await this.stop().catch(() => undefined);
      throw err;
    }
    this.#o.log.info(
      {
        host: this.#o.host,
        port: this.#server ? this.port : null,
        tlsPort: this.tlsPort,
        clientCerts: this.#o.tls?.requireClientCert ?? false,
        auth: this.#o.requireAuth,
      },
      'embedded MQTT broker listening',
    );
    // Readers send ID numbers, names and faces: plain MQTT beyond this box is allowed (old
    // firmware) but never silent (issue 9 item 6).
    if (this.#server && !isLoopbackHost(this.#o.host))
      this.#o.log.warn(
        { host: this.#o.host, port: this.port },
        'plain MQTT listener reachable from the network: readers’ ID numbers, names and faces cross the LAN unencrypted; set mqtt.embedded.tls and keep the plain listener on 127.0.0.1 (or plain: false)',
      );
    this.emit('connect', { sessionPresent: true });
  }

  async stop(): Promise<void> {
    const servers = [this.#server, this.#tlsServer].filter((x): x is net.Server => x !== undefined);
    const broker = this.#broker;
    this.#server = undefined;
    this.#tlsServer = undefined;
    this.#broker = undefined;
    // Stop accepting first, then let aedes close every client (server.close alone waits
    // for connected readers forever), then wait for the listeners to finish.
    const closed = Promise.all(
      servers.map((s) => (s.listening ? new Promise<void>((r) => s.close(() => r())) : Promise.resolve())),
    );
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

/** Listens, rejecting on an error (a port taken) instead of emitting it later. */
function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
