/**
 * A stand-in gateway for the sim tests: the embedded broker with a handler that checks
 * every event with the production parser and answers live ones on the commands topic,
 * as design.md §5 says the gateway does.
 */

import type { CredentialRead, ReaderStatus } from '../../core/contracts.js';
import { parseEvent, parseStatus } from '../../drivers/mqtt-v1/parse.js';
import { silentLogger } from '../../gateway/log.js';
import { EmbeddedBroker } from '../../gateway/mqtt/embedded.js';

/** What the responder saw. */
export interface Responder {
  broker: EmbeddedBroker;
  url: string;
  /** Events that parsed, in arrival order. */
  reads: CredentialRead[];
  /** Events that did not parse: reader and reason. */
  rejects: Array<{ reader: string; reason: string }>;
  /** Status messages by reader, in arrival order. */
  statuses: Map<string, ReaderStatus[]>;
}

/**
 * Starts the broker on a free port. Live reads of a face with a person id are unlocked,
 * everything else denied; offline replays get no answer (§5).
 */
export async function startResponder(): Promise<Responder> {
  const broker = new EmbeddedBroker({
    host: '127.0.0.1',
    port: 0,
    requireAuth: false,
    passwords: () => undefined,
    topicPrefix: 'acs/v1',
    log: silentLogger(),
  });
  const r: Responder = { broker, url: '', reads: [], rejects: [], statuses: new Map() };
  broker.subscribe('acs/v1/readers/+/events', (topic, payload) => {
    const reader = topic.split('/')[3] ?? '';
    const res = parseEvent(reader, payload, Date.now());
    if (!res.ok) {
      r.rejects.push({ reader, reason: res.reason });
      return undefined;
    }
    r.reads.push(res.read);
    if (res.read.offline) return undefined;
    const c = res.read.credential;
    const ok = c.type === 'card' || (c.type === 'face' && c.personId !== null);
    const cmd = { id: `c-${res.read.recordId}`, event: res.read.recordId, action: ok ? 'unlock' : 'deny' };
    broker.publish(`acs/v1/readers/${reader}/commands`, JSON.stringify(cmd), { qos: 1 });
    return undefined;
  });
  broker.subscribe('acs/v1/readers/+/status', (topic, payload) => {
    const reader = topic.split('/')[3] ?? '';
    const s = parseStatus(payload);
    if ('online' in s) r.statuses.set(reader, [...(r.statuses.get(reader) ?? []), s]);
    return undefined;
  });
  await broker.start();
  r.url = `mqtt://127.0.0.1:${broker.port}`;
  return r;
}
