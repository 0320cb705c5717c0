import type { CloudEvent } from '../../core/cloudevent.js';
import type { OutboxRow } from './outbox.js';

/**
 * One way events leave the box. `send` resolves when the upstream acknowledged every
 * row and rejects otherwise; the delivery loop retries the same rows, in order, later.
 */
export interface Transport {
  readonly name: string;
  readonly ready: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  send(rows: readonly OutboxRow[]): Promise<void>;
  /** Latest health snapshot; MQTT keeps it retained and republishes it on every reconnect. */
  health(ev: CloudEvent): void;
  /** Called when the transport becomes ready again after an outage. */
  onReady(listener: () => void): void;
}
