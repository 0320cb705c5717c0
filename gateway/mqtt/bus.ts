import type { EventEmitter } from 'node:events';

/** What a subscriber learns about a message besides topic and payload. */
export interface MessageInfo {
  /** Delivered from the broker's retained store (not a live publish). */
  retain: boolean;
  /** Client id of the publisher when the broker is embedded; undefined otherwise. */
  clientId?: string;
  /** Username the publisher authenticated with (embedded broker only). */
  username?: string;
}

/**
 * Handles one message. A returned promise holds the acknowledgement: the broker (or, on
 * the embedded broker, the publishing reader) gets its PUBACK only after it settles, so a
 * read is acknowledged only once it is on disk (design.md §4).
 */
export type MessageHandler = (topic: string, payload: Buffer, info: MessageInfo) => Promise<void> | undefined;

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  /** Drop instead of resending after a reconnect once older than this (door commands). */
  maxAgeMs?: number;
}

/**
 * The gateway's MQTT link, embedded broker or external session alike.
 * Emits 'connect' and 'disconnect'.
 */
export interface MqttBus extends EventEmitter {
  readonly connected: boolean;
  /** Registers a handler before start(); filters use MQTT wildcards. */
  subscribe(filter: string, handler: MessageHandler): void;
  publish(topic: string, payload: string | Buffer, opts: PublishOptions): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** MQTT topic filter match (+ one level, # the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const seg = f[i];
    if (seg === '#') return i < t.length || (i === t.length && i > 0);
    if (i >= t.length) return false;
    if (seg !== '+' && seg !== t[i]) return false;
  }
  return f.length === t.length;
}
