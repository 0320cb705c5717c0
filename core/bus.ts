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

/**
 * The topics one reader may use at the broker besides reader protocol v1's: a vendor
 * protocol's own (mqtt-face, issue 11). The embedded broker enforces them; for an estate
 * broker the installer writes the same into its ACL (docs/mosquitto.acl).
 */
export interface TopicGrants {
  /** Filters (with + and #) the reader may publish to. */
  publish: readonly string[];
  /** Exact topics the reader may subscribe to. */
  subscribe: readonly string[];
}

/** MQTT topic filter match (+ one level, # the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  return levelsMatch(filter.split('/'), topic);
}

/**
 * A filter already split into its levels against a topic, walked in place: every read's
 * topic meets the wildcard subscriptions, and splitting it for each cost two arrays a
 * subscription a read (issue 15). A `#` also matches its parent level (`a/#` matches `a`).
 */
export function levelsMatch(levels: readonly string[], topic: string): boolean {
  let pos = 0; // where the topic's level i starts; past the end once its levels are used up
  for (let i = 0; i < levels.length; i++) {
    const seg = levels[i] as string;
    const exhausted = pos > topic.length;
    if (seg === '#') return !exhausted || i > 0;
    if (exhausted) return false;
    let end = topic.indexOf('/', pos);
    if (end === -1) end = topic.length;
    if (seg !== '+' && (end - pos !== seg.length || !topic.startsWith(seg, pos))) return false;
    pos = end + 1;
  }
  return pos > topic.length;
}

interface Entry {
  filter: string;
  /** The filter's levels, split once. */
  levels: readonly string[];
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
    const e = { filter, levels: filter.split('/'), handler };
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
    const exact = this.#exact.get(topic);
    if (exact)
      for (const e of exact) {
        matched = true;
        run(e, topic, payload, info, onError, out);
      }
    for (const e of this.#wild)
      if (levelsMatch(e.levels, topic)) {
        matched = true;
        run(e, topic, payload, info, onError, out);
      }
    if (!matched)
      for (const e of this.#fallback)
        if (levelsMatch(e.levels, topic)) run(e, topic, payload, info, onError, out);
    return out;
  }
}

/** Runs one handler; what it throws is reported, a promise it returns is kept in `out`. */
function run(
  e: Entry,
  topic: string,
  payload: Buffer,
  info: MessageInfo,
  onError: (err: unknown) => void,
  out: Array<Promise<void>>,
): void {
  try {
    const r = e.handler(topic, payload, info);
    if (r !== undefined) out.push(r);
  } catch (err) {
    onError(err);
  }
}
