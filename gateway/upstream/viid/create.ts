import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import type { Config } from '../../config/schema.js';
import type { SecretsFile } from '../../config/secrets-file.js';
import type { Metrics } from '../../metrics.js';
import type { Store } from '../../store/store.js';
import { ViidClient } from './viid-client.js';
import { ViidFaces } from './viid-faces.js';
import { ViidLink } from './viid-link.js';
import { ViidFaceSelector, ViidQueue } from './viid-queue.js';

/** What the VIID link is built from, besides the config. */
export interface ViidParts {
  store: Store;
  secrets: SecretsFile;
  dataDir: string;
  metrics: Metrics;
  clock: Clock;
  log: Logger;
}

/**
 * The GA/T 1400 link of config viid: the selector the record stage runs (it queues faces in
 * the journal's transaction) and the link that registers and uploads. Null when off. Opens
 * nothing.
 */
export function createViid(cfg: Config, p: ViidParts): { selector: ViidFaceSelector; link: ViidLink } | null {
  const v = cfg.viid;
  if (!v.enabled || !v.url || !v.deviceId) return null;
  const deviceId = v.deviceId;
  const queue = new ViidQueue(p.store);
  const client = new ViidClient({
    url: v.url,
    deviceId,
    username: v.username ?? deviceId,
    password: () => p.secrets.value.viid?.password ?? '',
    timeoutMs: v.timeoutMs,
  });
  const link = new ViidLink({
    client,
    queue,
    faces: new ViidFaces(p.dataDir, (readerId) => v.readerDeviceIds[readerId] ?? deviceId),
    deviceId,
    keepaliveMs: v.keepaliveSeconds * 1000,
    batch: v.batch,
    maxQueue: v.maxQueue,
    resources: v.resources,
    retry: v.retry,
    metrics: p.metrics,
    log: p.log.child({ module: 'viid' }),
    clock: p.clock,
  });
  return { selector: new ViidFaceSelector(queue, v.faces, () => p.clock.now()), link };
}
