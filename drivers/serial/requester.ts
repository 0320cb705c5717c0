import { GatewayError } from '../../core/errors.js';
import type { Timers } from './timers.js';

/** How one request waits for its reply. */
export interface WaitOptions<F> {
  /** True for the frame that answers this request. */
  accept: (frame: F) => boolean;
  /** How long to wait for the reply to each attempt, ms. */
  timeoutMs: number;
  /** Further attempts after a timeout (the request is written again). */
  retries: number;
  /** Names the request in errors and logs. */
  label: string;
}

/** Inside an exclusive section: write and wait without another request interleaving. */
export interface Channel<F> {
  /** Writes `bytes` and resolves with the accepted reply; retries on timeout. */
  send(bytes: Buffer, wait: WaitOptions<F>): Promise<F>;
  /** Writes bytes that get no reply (e.g. the data packets of a template download). */
  write(bytes: Buffer): Promise<void>;
}

interface Waiter<F> {
  accept: (frame: F) => boolean;
  resolve: (frame: F) => void;
  reject: (err: Error) => void;
}

/**
 * Serialised request/reply over one line (herdsman's waitress, reduced): one request at
 * a time, its waiter registered *before* the bytes are written so that a fast reply
 * cannot be missed, every wait bounded by a timeout, timeouts retried.
 */
export class Requester<F> {
  readonly #write: (bytes: Buffer) => Promise<void>;
  readonly #timers: Timers;
  #tail: Promise<unknown> = Promise.resolve();
  #waiter: Waiter<F> | undefined;
  /** Attempts that timed out. */
  timeouts = 0;

  constructor(write: (bytes: Buffer) => Promise<void>, timers: Timers) {
    this.#write = write;
    this.#timers = timers;
  }

  /** One request and its reply. */
  request(bytes: Buffer, wait: WaitOptions<F>): Promise<F> {
    return this.exclusive((ch) => ch.send(bytes, wait));
  }

  /** Runs `fn` with the line to itself; later requests queue behind it. */
  exclusive<T>(fn: (ch: Channel<F>) => Promise<T>): Promise<T> {
    const ch: Channel<F> = { send: (b, w) => this.#send(b, w), write: (b) => this.#write(b) };
    const run = this.#tail.then(() => fn(ch));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Offers a received frame to the waiting request; false when nobody wanted it. */
  deliver(frame: F): boolean {
    const w = this.#waiter;
    if (!w?.accept(frame)) return false;
    this.#waiter = undefined;
    w.resolve(frame);
    return true;
  }

  /** Fails the waiting request now (the line closed under it). */
  abort(err: Error): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(err);
  }

  async #send(bytes: Buffer, wait: WaitOptions<F>): Promise<F> {
    for (let attempt = 0; ; attempt++) {
      const reply = this.#wait(wait);
      // The line can close while the write is pending: abort() then rejects the reply
      // before it is awaited below. Mark it handled now; the await still gets the error.
      reply.catch(() => undefined);
      try {
        await this.#write(bytes);
      } catch (err) {
        this.abort(err instanceof Error ? err : new Error(String(err)));
      }
      const frame = await reply;
      if (frame !== undefined) return frame;
      this.timeouts++;
      if (attempt >= wait.retries) {
        throw new GatewayError('TIMEOUT', `no reply to ${wait.label}`, { attempts: attempt + 1 });
      }
    }
  }

  /** Resolves with the reply, with undefined on timeout; rejects when aborted. */
  #wait(wait: WaitOptions<F>): Promise<F | undefined> {
    return new Promise<F | undefined>((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        if (this.#waiter === waiter) this.#waiter = undefined;
        resolve(undefined);
      }, wait.timeoutMs);
      const waiter: Waiter<F> = {
        accept: wait.accept,
        resolve: (f) => {
          this.#timers.clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          this.#timers.clearTimeout(timer);
          reject(e);
        },
      };
      this.#waiter = waiter;
    });
  }
}
