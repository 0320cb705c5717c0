import { GatewayError } from '../../core/errors.js';

/**
 * What a protocol's scanner says about the bytes at one offset of the receive buffer.
 * Scanners are pure and never throw: they look, and the splitter acts.
 */
export type ScanResult<F> =
  /** A complete, verified frame of `length` bytes starts here. */
  | { kind: 'frame'; length: number; frame: F }
  /** Something frame-like but wrong starts here: report it, then drop `consume` bytes. */
  | { kind: 'error'; error: GatewayError; raw: Buffer; consume: number }
  /** No frame can start here: drop `length` bytes silently (still counted). */
  | { kind: 'skip'; length: number }
  /** A frame may start here but is not complete yet. */
  | { kind: 'need' };

/** Scans `buf` at offset `at` (at < buf.length). */
export type Scanner<F> = (buf: Buffer, at: number) => ScanResult<F>;

/** One thing a parser emits: a decoded frame, or a frame error as data (never thrown). */
export type ParserItem<F> =
  | { kind: 'frame'; frame: F; raw: Buffer }
  | { kind: 'error'; error: GatewayError; raw: Buffer };

const EMPTY = Buffer.alloc(0);
const SCAN_ERRORS = new Map<string, GatewayError>();

/**
 * The error a scanner reports for a bad frame. One shared instance per code and message:
 * a noisy line yields many of them, and building an Error (with its stack) per byte
 * position would dominate parsing time. They carry no per-frame context; the item's
 * `raw` bytes do.
 */
export function scanError(code: string, message: string): GatewayError {
  const key = `${code}\u0000${message}`;
  let e = SCAN_ERRORS.get(key);
  if (!e) {
    e = new GatewayError(code, message);
    SCAN_ERRORS.set(key, e);
  }
  return e;
}

/**
 * The synchronous core of every serial parser (herdsman's unpi parser, minus the stream):
 * accumulates bytes, resynchronises through the protocol's scanner, counts every byte it
 * drops, and at the end reports a truncated tail instead of losing it silently.
 * Invariant: bytes in = bytes in frames + discarded + pending.
 * The simulators use it directly; parsers wrap it in a Transform.
 */
export class FrameSplitter<F> {
  readonly #scan: Scanner<F>;
  #buf: Buffer = EMPTY;
  /** Bytes dropped so far (garbage, bad frames, truncated tails). */
  discarded = 0;
  /** Frames emitted so far. */
  frames = 0;
  /** Frame errors emitted so far. */
  errors = 0;
  /** Called with each run of dropped bytes, for debug logging as hex. */
  onDiscard: ((bytes: Buffer) => void) | undefined;

  constructor(scan: Scanner<F>) {
    this.#scan = scan;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.#buf.length;
  }

  /** Adds received bytes; returns what became complete. */
  push(chunk: Buffer): ParserItem<F>[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    return this.#drain(false);
  }

  /**
   * Gives up on the frame at the head of the buffer (the line went quiet mid-frame):
   * drops one byte, or everything when `all` (Modbus RTU: a silence ends a frame), and
   * rescans what is left.
   */
  dropStalled(all: boolean): ParserItem<F>[] {
    if (this.#buf.length === 0) return [];
    const n = all ? this.#buf.length : 1;
    this.#report(this.#buf.subarray(0, n));
    this.#buf = this.#buf.subarray(n);
    return this.#drain(false);
  }

  /** End of stream: everything still held is decoded or reported, nothing kept. */
  end(): ParserItem<F>[] {
    return this.#drain(true);
  }

  #drain(final: boolean): ParserItem<F>[] {
    const out: ParserItem<F>[] = [];
    const buf = this.#buf;
    let at = 0;
    let dropFrom = -1;
    let truncated = false;
    while (at < buf.length) {
      const r = this.#scan(buf, at);
      if (r.kind === 'frame') {
        if (dropFrom >= 0) this.#report(buf.subarray(dropFrom, at));
        dropFrom = -1;
        out.push({ kind: 'frame', frame: r.frame, raw: buf.subarray(at, at + r.length) });
        this.frames++;
        at += r.length;
        continue;
      }
      if (r.kind === 'need') {
        if (!final) break;
        // End of stream with a frame still open: say so once, then keep scanning past
        // its first byte, as a complete frame may hide behind a false start.
        if (!truncated) {
          out.push({ kind: 'error', error: truncatedError(buf.length - at), raw: buf.subarray(at) });
          this.errors++;
          truncated = true;
        }
        if (dropFrom < 0) dropFrom = at;
        at += 1;
        continue;
      }
      if (r.kind === 'error') {
        out.push({ kind: 'error', error: r.error, raw: r.raw });
        this.errors++;
      }
      if (dropFrom < 0) dropFrom = at;
      at += r.kind === 'error' ? Math.max(1, r.consume) : Math.max(1, r.length);
    }
    if (dropFrom >= 0) this.#report(buf.subarray(dropFrom, Math.min(at, buf.length)));
    // Copy a small tail so that a large chunk is not retained for a few pending bytes.
    const rest = buf.subarray(Math.min(at, buf.length));
    this.#buf = rest.length === 0 ? EMPTY : rest.length < 4096 ? Buffer.from(rest) : rest;
    return out;
  }

  #report(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.discarded += bytes.length;
    this.onDiscard?.(bytes);
  }
}

function truncatedError(pending: number): GatewayError {
  return new GatewayError('FRAME_TRUNCATED', 'stream ended inside a frame', { pending });
}
