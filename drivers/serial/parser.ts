import { Transform, type TransformCallback } from 'node:stream';
import { FrameSplitter, type ParserItem, type Scanner } from './splitter.js';
import { realTimers, type Timers } from './timers.js';

/** Options shared by every protocol parser. */
export interface FrameParserOptions {
  /**
   * A frame still incomplete after this much silence is given up (0 disables). Real
   * devices send a frame in one burst; a false start in noise would otherwise hold back
   * the replies behind it until its declared length arrived.
   */
  idleMs?: number;
  /** On silence drop everything pending (Modbus RTU's t3.5 rule) rather than one byte. */
  idleDropsAll?: boolean;
  /** Timer source for the idle check; tests pass a fake. */
  timers?: Timers;
}

/**
 * A Transform from bytes to ParserItems (object mode) around a FrameSplitter. Emits
 * 'discard' with each run of dropped bytes; never throws across the stream: bad frames
 * come out as `{ kind: 'error' }` items.
 */
export class FrameParser<F> extends Transform {
  readonly #splitter: FrameSplitter<F>;
  readonly #idleMs: number;
  readonly #idleDropsAll: boolean;
  readonly #timers: Timers;
  #idle: unknown = undefined;

  constructor(scan: Scanner<F>, opts: FrameParserOptions = {}) {
    super({ readableObjectMode: true });
    this.#splitter = new FrameSplitter(scan);
    this.#splitter.onDiscard = (bytes) => this.emit('discard', bytes);
    this.#idleMs = opts.idleMs ?? 0;
    this.#idleDropsAll = opts.idleDropsAll ?? false;
    this.#timers = opts.timers ?? realTimers;
  }

  /** Bytes dropped so far. */
  get discarded(): number {
    return this.#splitter.discarded;
  }

  /** Frames emitted so far. */
  get frames(): number {
    return this.#splitter.frames;
  }

  /** Frame errors emitted so far. */
  get errors(): number {
    return this.#splitter.errors;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#emit(this.#splitter.push(chunk));
    this.#armIdle();
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.#disarm();
    this.#emit(this.#splitter.end());
    cb();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.#disarm();
    cb(err);
  }

  #emit(items: ParserItem<F>[]): void {
    for (const item of items) this.push(item);
  }

  #armIdle(): void {
    this.#disarm();
    if (this.#idleMs <= 0 || this.#splitter.pending === 0) return;
    this.#idle = this.#timers.setTimeout(() => {
      this.#idle = undefined;
      this.#emit(this.#splitter.dropStalled(this.#idleDropsAll));
      this.#armIdle();
    }, this.#idleMs);
  }

  #disarm(): void {
    if (this.#idle === undefined) return;
    this.#timers.clearTimeout(this.#idle);
    this.#idle = undefined;
  }
}
