import { GatewayError } from '../../gateway/errors.js';
import type { DriverReader } from '../types.js';

/**
 * Reads a reader's `options` (config: readers[].options) with defaults, failing at
 * start-up with a clear CONFIG_READER error rather than misbehaving on the line.
 */
export class ReaderOptions {
  readonly #reader: DriverReader;
  readonly #opts: Record<string, unknown>;

  constructor(reader: DriverReader) {
    this.#reader = reader;
    this.#opts = reader.options ?? {};
  }

  /** A required non-empty string. */
  string(key: string): string {
    const v = this.#opts[key];
    if (typeof v !== 'string' || v.length === 0) throw this.#bad(key, 'a non-empty string');
    return v;
  }

  /** An integer within [min, max], or the default when absent. */
  int(key: string, fallback: number, min: number, max: number): number {
    const v = this.#opts[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw this.#bad(key, `an integer from ${min} to ${max}`);
    }
    return v;
  }

  /** One of the allowed values, or the default when absent. */
  oneOf<T extends string | number>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.#opts[key];
    if (v === undefined) return fallback;
    const hit = allowed.find((a) => a === v);
    if (hit === undefined) throw this.#bad(key, `one of ${allowed.join(', ')}`);
    return hit;
  }

  #bad(key: string, want: string): GatewayError {
    return new GatewayError('CONFIG_READER', `reader ${this.#reader.id}: options.${key} must be ${want}`, {
      reader: this.#reader.id,
      key,
    });
  }
}

/** Record ids for serial reads: readers keep none, so the gateway makes them unique. */
export class RecordIds {
  readonly #prefix: string;
  #seq = 0;

  /** `startedAt` (gateway clock) keeps ids unique across restarts. */
  constructor(startedAt: number) {
    this.#prefix = startedAt.toString(36);
  }

  next(): string {
    this.#seq++;
    return `${this.#prefix}-${this.#seq}`;
  }
}

/** Bytes as spaced upper-case hex, for debug logs and error details. */
export function toHex(bytes: Buffer, max = 64): string {
  const hex = bytes
    .subarray(0, max)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');
  return bytes.length > max ? `${hex} …(+${bytes.length - max})` : hex;
}

/** Parses hex written with or without spaces (`EF 01 FF`, `ef01ff`); throws on odd input. */
export function fromHex(text: string): Buffer {
  const clean = text.replace(/[\s:,]|0x/gi, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) {
    throw new GatewayError('BAD_HEX', 'not an even run of hex digits', { text: text.slice(0, 40) });
  }
  return Buffer.from(clean, 'hex');
}
