/**
 * A simulated terminal's outgoing pushes: events go out one at a time, in order; one that is
 * not answered 200 stays at the head and is tried again after a pause, as the firmware's
 * buffer does while the gateway is down.
 */
import { postSigned } from './http-post.js';

/** What a queued event becomes on the wire, given how long it waited. */
export type PushEncoder<E> = (ev: E, waitedMs: number) => { body: Buffer; contentType: string };

/** Options of a PushQueue. */
export interface PushQueueOptions<E> {
  encode: PushEncoder<E>;
  /** Pause before a failed push is tried again, ms. Default 500. */
  retryMs?: number;
  login?: { username: string; password: string };
  /** Called after each event the target answered 200. */
  pushed?: (ev: E) => void;
}

/** One terminal's push buffer: ordered, one in flight, the head retried until answered. */
export class PushQueue<E> {
  readonly #o: PushQueueOptions<E>;
  #target: URL | null = null;
  #queue: Array<{ ev: E; queuedAt: number }> = [];
  #busy = false;
  #timer: NodeJS.Timeout | null = null;
  /** Pushes the target did not answer 200 (refused, unreachable), each retried. */
  failures = 0;

  constructor(o: PushQueueOptions<E>) {
    this.#o = o;
  }

  /** Where pushes go; null stops pushing (what is queued stays). */
  target(url: string | null): void {
    this.#target = url ? new URL(url) : null;
    void this.#next();
  }

  /** Queues an event while a target is set (a terminal with no HTTP host configured keeps nothing). */
  add(ev: E): void {
    if (!this.#target) return;
    this.#queue.push({ ev, queuedAt: Date.now() });
    void this.#next();
  }

  /** Powers off: the retry timer is cleared and nothing more is sent. */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#target = null;
  }

  async #next(): Promise<void> {
    const target = this.#target;
    const head = this.#queue[0];
    if (this.#busy || !target || !head) return;
    this.#busy = true;
    const { body, contentType } = this.#o.encode(head.ev, Date.now() - head.queuedAt);
    const ok = await postSigned(target, body, contentType, this.#o.login);
    this.#busy = false;
    if (ok) {
      this.#queue.shift();
      this.#o.pushed?.(head.ev);
      void this.#next();
    } else if (this.#target) {
      this.failures++;
      this.#timer = setTimeout(() => void this.#next(), this.#o.retryMs ?? 500);
    }
  }
}
