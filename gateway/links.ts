import type { Logger } from 'pino';
import type { MqttBus, TopicGrants } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import { DRIVERS } from '../drivers/registry.js';
import type { Config } from './config/schema.js';
import type { SecretsFile } from './config/secrets-file.js';
import { LogLimiter, logLimits } from './log-limit.js';
import type { Metrics } from './metrics.js';
import { EmbeddedBroker } from './mqtt/embedded.js';
import { MqttSessions } from './mqtt/sessions.js';
import type { UpstreamEvents } from './upstream/health-event.js';
import { HttpTransport } from './upstream/http-transport.js';
import { MqttTransport } from './upstream/mqtt-transport.js';
import type { Outbox } from './upstream/outbox.js';
import type { Transport } from './upstream/transport.js';
import { Upstream } from './upstream/upstream.js';

/**
 * The readers' MQTT link: the embedded broker, or sessions at an external one. Secrets are
 * read when used (a login, a connect), after the secrets step has read the file.
 */
export function createBus(cfg: Config, secrets: SecretsFile, log: Logger, metrics: Metrics): MqttBus {
  const e = cfg.mqtt.embedded;
  if (cfg.mqtt.url === null) {
    // Vendor MQTT protocols (mqtt-face) use topics of their own: each reader may use its own.
    const grants = new Map<string, TopicGrants>();
    for (const r of cfg.readers) {
      const g = DRIVERS[r.driver]?.mqttTopics?.(r);
      if (g) grants.set(r.id, g);
    }
    return new EmbeddedBroker({
      host: e.host,
      port: e.port,
      requireAuth: e.requireAuth,
      passwords: (readerId) => secrets.value.readers[readerId],
      topicPrefix: cfg.mqtt.topicPrefix,
      grants: (readerId) => grants.get(readerId),
      log: log.child({ module: 'broker' }),
      plain: e.plain,
      tls: e.tls ? { ...e.tls, host: e.tls.host ?? e.host } : undefined,
      limits: {
        maxPacketBytes: e.maxPacketBytes,
        maxPreAuthBytes: e.maxPreAuthBytes,
        connectTimeoutMs: e.connectTimeoutMs,
        maxConnections: e.maxConnections,
        maxConnectionsPerSource: e.maxConnectionsPerSource,
      },
      events: {
        refused: (reason) => metrics.brokerRefused.inc({ reason }),
        connections: (n) => metrics.brokerConnections.set(n),
      },
    });
  }
  const mqttLog = log.child({ module: 'mqtt' });
  return new MqttSessions({
    url: cfg.mqtt.url,
    clientId: cfg.mqtt.clientId ?? `estate-gateway-${cfg.gateway.id}`,
    username: cfg.mqtt.username,
    password: () => secrets.value.mqtt?.password,
    protocolVersion: cfg.mqtt.protocolVersion,
    sessionExpirySeconds: cfg.mqtt.sessionExpirySeconds,
    receiveMaximum: cfg.mqtt.receiveMaximum,
    keepaliveSeconds: cfg.mqtt.keepaliveSeconds,
    tls: cfg.mqtt.tls,
    reconnect: cfg.mqtt.reconnect,
    log: mqttLog,
    limiter: new LogLimiter(mqttLog, logLimits(cfg)),
  });
}

/** What the upstream link is built from, besides the config. */
export interface UpstreamParts {
  outbox: Outbox;
  events: UpstreamEvents;
  secrets: SecretsFile;
  metrics: Metrics;
  clock: Clock;
  log: Logger;
}

/**
 * The delivery of the outbox to the district system, over HTTPS or MQTT as its URL says;
 * null when the upstream is off.
 */
export function createUpstream(cfg: Config, p: UpstreamParts): Upstream | null {
  const url = cfg.upstream.url;
  if (!cfg.upstream.enabled || !url) return null;
  const log = p.log.child({ module: 'upstream' });
  const transport: Transport = /^https?:/.test(url)
    ? new HttpTransport({
        url,
        hmacKey: () => p.secrets.value.upstream?.hmacKey ?? '',
        gatewayId: cfg.gateway.id,
        tls: cfg.upstream.tls,
        log,
      })
    : new MqttTransport({
        url,
        clientId: cfg.upstream.clientId ?? `estate-gateway-${cfg.estate.id}-${cfg.gateway.id}`,
        username: cfg.upstream.username,
        password: () => p.secrets.value.upstream?.password,
        protocolVersion: cfg.upstream.protocolVersion,
        tls: cfg.upstream.tls,
        topicBase: `${cfg.upstream.topicPrefix}/${cfg.estate.id}`,
        gatewayId: cfg.gateway.id,
        reconnect: cfg.upstream.reconnect,
        log,
      });
  return new Upstream(
    p.outbox,
    transport,
    {
      window: cfg.upstream.inflight,
      maxOutboxBytes: cfg.upstream.maxOutboxMB * 1024 * 1024,
      healthIntervalMs: cfg.upstream.healthIntervalSeconds * 1000,
      retry: cfg.upstream.reconnect,
    },
    { log, metrics: p.metrics, clock: p.clock, health: () => p.events.health() },
  );
}
