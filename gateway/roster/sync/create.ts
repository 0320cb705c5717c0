import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import type { AlertCandidate } from '../../alerts/per-entry.js';
import type { Config } from '../../config/schema.js';
import type { SecretsFile } from '../../config/secrets-file.js';
import type { Metrics } from '../../metrics.js';
import type { Store } from '../../store/store.js';
import { MqttRosterSource } from './mqtt-source.js';
import { RosterPull } from './pull-source.js';
import { RosterSync } from './roster-sync.js';
import { RosterSyncPart } from './sync-part.js';
import { trustedKeys } from './trusted-keys.js';

/** What the roster sync is built from, besides the config. */
export interface RosterSyncParts {
  store: Store;
  secrets: SecretsFile;
  /** Swaps the index and syncs reader libraries (RosterWatch.reload). */
  reload: () => void;
  alarms: { raise(c: AlertCandidate): void };
  metrics: Metrics;
  clock: Clock;
  log: Logger;
}

/** The roster sync of config rosterSync; null when it is off. Opens nothing. */
export function createRosterSync(cfg: Config, p: RosterSyncParts): RosterSyncPart | null {
  const rs = cfg.rosterSync;
  if (!rs.enabled) return null;
  const log = p.log.child({ module: 'roster-sync' });
  const keys = trustedKeys(rs.publicKeys);
  const maxBytes = Math.round(rs.maxMessageMB * 1024 * 1024);
  const sync = new RosterSync({
    store: p.store,
    estateId: cfg.estate.id,
    keys,
    idHashKey: () => p.secrets.value.idHashKey,
    maxBytes,
    reload: p.reload,
    alarms: p.alarms,
    metrics: p.metrics,
    log,
    clock: p.clock,
  });
  const pull = rs.pullUrl
    ? new RosterPull({
        url: rs.pullUrl,
        estateId: cfg.estate.id,
        gatewayId: cfg.gateway.id,
        hmacKey: () => p.secrets.value.upstream?.hmacKey ?? '',
        maxBytes,
        timeoutMs: 60_000,
      })
    : null;
  let part: RosterSyncPart | null = null;
  const mqtt = rs.mqttUrl
    ? new MqttRosterSource({
        url: rs.mqttUrl,
        clientId: rs.clientId ?? `estate-gateway-${cfg.estate.id}-${cfg.gateway.id}-roster`,
        username: rs.username,
        password: () => p.secrets.value.rosterSync?.password,
        tls: rs.tls,
        topicPrefix: rs.topicPrefix,
        estateId: cfg.estate.id,
        gatewayId: cfg.gateway.id,
        maxBytes,
        reconnect: rs.reconnect,
        onMessage: (payload) => part?.onMessage(payload),
        log,
      })
    : null;
  part = new RosterSyncPart({
    sync,
    keys,
    mqtt,
    pull,
    pullIntervalMs: rs.pullIntervalSeconds * 1000,
    retry: rs.reconnect,
    log,
  });
  return part;
}
