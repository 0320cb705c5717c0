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

/**
 * Why a handler's promise rejected when the message should come again later rather than
 * now: it is not stored (the journal cannot commit) and `retryAfter` settles when it can
 * be. The link asks for the message again once, when that happens — not at once and in a
 * loop, which churned broker sessions and re-answered doors (issue 12 item 1).
 */
export interface RetryLater extends Error {
  readonly retryAfter: Promise<void>;
}

/** The promise to wait for before asking for a refused message again; undefined: ask now. */
export function retryAfterOf(err: unknown): Promise<void> | undefined {
  const p = (err as Partial<RetryLater> | null | undefined)?.retryAfter;
  return p instanceof Promise ? p : undefined;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  /** Drop instead of resending after a reconnect once older than this (door commands). */
  maxAgeMs?: number;
  /** Send through the session of this shard (the reader's own), when the link has several. */
  shard?: string;
}

export interface SubscribeOptions {
  /**
   * Traffic of one shard (a reader) gets its own broker session where the link can:
   * one reader replaying its offline buffer then never queues another reader's live
   * reads behind it in a shared broker queue.
   */
  shard?: string;
  /** Receives only what no other subscription matched (reads of unknown readers). */
  fallback?: boolean;
}

/**
 * The gateway's MQTT link, embedded broker or external session alike.
 * Emits 'connect' and 'disconnect'.
 */
export interface MqttBus extends EventEmitter {
  readonly connected: boolean;
  /** Registers a handler before start(); filters use MQTT wildcards. */
  subscribe(filter: string, handler: MessageHandler, opts?: SubscribeOptions): void;
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

interface Entry {
  filter: string;
  handler: MessageHandler;
}

/**
 * The handlers of a link and the matching of topics to them: exact topics by map
 * lookup (one per reader, so this is the common case), wildcard filters by scan,
 * fallback handlers only when nothing else matched. Handlers that throw are reported,
 * never propagated into the broker's or socket's callback.
 */
export class Subscriptions {
  readonly #exact = new Map<string, Entry[]>();
  readonly #wild: Entry[] = [];
  readonly #fallback: Entry[] = [];

  add(filter: string, handler: MessageHandler, fallback = false): void {
    const e = { filter, handler };
    if (fallback) this.#fallback.push(e);
    else if (filter.includes('+') || filter.includes('#')) this.#wild.push(e);
    else {
      const list = this.#exact.get(filter);
      if (list) list.push(e);
      else this.#exact.set(filter, [e]);
    }
  }

  /** Filters to subscribe at a broker (fallbacks are local only). */
  get filters(): string[] {
    return [...this.#exact.keys(), ...this.#wild.map((e) => e.filter)];
  }

  /** Runs every matching handler; returns the promises that hold the acknowledgement. */
  dispatch(
    topic: string,
    payload: Buffer,
    info: MessageInfo,
    onError: (err: unknown) => void,
  ): Array<Promise<void>> {
    const out: Array<Promise<void>> = [];
    let matched = false;
    const run = (e: Entry) => {
      matched = true;
      try {
        const r = e.handler(topic, payload, info);
        if (r !== undefined) out.push(r);
      } catch (err) {
        onError(err);
      }
    };
    const exact = this.#exact.get(topic);
    if (exact) for (const e of exact) run(e);
    for (const e of this.#wild) if (topicMatches(e.filter, topic)) run(e);
    if (!matched) for (const e of this.#fallback) if (topicMatches(e.filter, topic)) run(e);
    return out;
  }
}
