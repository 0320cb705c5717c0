import type { DriverReader, OptionProblem, OptionsCheck } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';

/** A serial path: a device file, or `tcp://host:port` for a ser2net-style serial server. */
const TCP_PATH = /^tcp:\/\/([^:/]+|\[[^\]]+\]):(\d{1,5})\/?$/;

/**
 * Reads a reader's `options` (config: readers[].options) with defaults. By default a bad
 * value throws CONFIG_READER at once (driver construction: fail at start-up rather than
 * misbehave on the line); given a `problems` list it records every problem instead and
 * returns the default, so that check-config can list them all.
 */
export class ReaderOptions {
  readonly #reader: DriverReader;
  readonly #opts: Record<string, unknown>;
  readonly #problems: OptionProblem[] | undefined;
  readonly #asked = new Set<string>();

  constructor(reader: DriverReader, problems?: OptionProblem[]) {
    this.#reader = reader;
    this.#opts = reader.options ?? {};
    this.#problems = problems;
  }

  /** A required non-empty string. */
  string(key: string): string {
    const v = this.#get(key);
    if (typeof v !== 'string' || v.length === 0) return this.#bad(key, 'a non-empty string', '');
    return v;
  }

  /** A required serial path: `/dev/ttyUSB0`, `COM3`, or `tcp://host:port` (ser2net). */
  path(key = 'path'): string {
    const v = this.string(key);
    if (!v.startsWith('tcp://')) return v;
    const m = TCP_PATH.exec(v);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535) return this.#bad(key, 'tcp://host:port with a port 1..65535', v);
    return v;
  }

  /** A required host name or IP address of a networked terminal: no scheme, port or path. */
  host(key = 'host'): string {
    const v = this.string(key);
    const ok =
      /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(
        v,
      ) || /^[0-9a-fA-F:]+$/.test(v);
    if (v !== '' && !ok) return this.#bad(key, 'a host name or IP address (no http://, port or path)', v);
    return v;
  }

  /** An integer within [min, max], or the default when absent. */
  int(key: string, fallback: number, min: number, max: number): number {
    const v = this.#get(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return this.#bad(key, `an integer from ${min} to ${max}`, fallback);
    }
    return v;
  }

  /** A non-empty string, or undefined when absent. */
  optionalString(key: string): string | undefined {
    const v = this.#get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) return this.#bad(key, 'a non-empty string', undefined);
    return v;
  }

  /** true or false, or the default when absent. */
  bool(key: string, fallback: boolean): boolean {
    const v = this.#get(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') return this.#bad(key, 'true or false', fallback);
    return v;
  }

  /** Records a problem a driver found in a value it read (a URL that does not parse). */
  problem(key: string, message: string): void {
    this.#fail(key, message);
  }

  /** An integer within [min, max], or undefined when absent (an optional wiring, issue 13). */
  optionalInt(key: string, min: number, max: number): number | undefined {
    const v = this.#get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      return this.#bad(key, `an integer from ${min} to ${max}`, undefined);
    return v;
  }

  /** A list of allowed values (none when absent); duplicates are kept once. */
  listOf<T extends string>(key: string, allowed: readonly T[]): T[] {
    const v = this.#get(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => !allowed.includes(x as T)))
      return this.#bad(key, `a list of ${allowed.join(', ')}`, []);
    return [...new Set(v as T[])];
  }

  /** One of the allowed values, or the default when absent. */
  oneOf<T extends string | number>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.#get(key);
    if (v === undefined) return fallback;
    const hit = allowed.find((a) => a === v);
    if (hit === undefined) return this.#bad(key, `one of ${allowed.join(', ')}`, fallback);
    return hit;
  }

  /** Options nobody asked for (typos such as `baudrate`): call after reading every option. */
  rejectUnknown(): void {
    for (const key of Object.keys(this.#opts)) {
      if (this.#asked.has(key)) continue;
      const known = [...this.#asked].sort().join(', ');
      this.#fail(key, `unknown option (this driver reads: ${known})`);
    }
  }

  #get(key: string): unknown {
    this.#asked.add(key);
    return this.#opts[key];
  }

  #bad<T>(key: string, want: string, fallback: T): T {
    this.#fail(key, `must be ${want}`);
    return fallback;
  }

  #fail(key: string, message: string): void {
    if (this.#problems) {
      this.#problems.push({ field: key, message });
      return;
    }
    throw new GatewayError('CONFIG_READER', `reader ${this.#reader.id}: options.${key} ${message}`, {
      reader: this.#reader.id,
      key,
    });
  }
}

/**
 * Turns a driver's option reader (the same function its constructor uses) into a check
 * for config load: one source for defaults, ranges and the list of known options.
 */
export function optionsCheck(read: (o: ReaderOptions) => unknown): OptionsCheck {
  return (options) => {
    const problems: OptionProblem[] = [];
    const o = new ReaderOptions({ id: '', door: '', options: { ...options } }, problems);
    read(o);
    o.rejectUnknown();
    return problems;
  };
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
