import type { Logger } from 'pino';
import type { MqttBus } from '../../core/bus.js';
import type { Clock } from '../../core/clock.js';
import { isCode } from '../../core/codes.js';
import type { ReaderStatus, ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import type { Drift, EntryOutcome, LibraryEntry, Provisioner } from '../../core/provisioning.js';
import { encodeOp, PERSONS_ACK, type PersonsAck, type PersonsOp, parseAck } from './persons-codec.js';

/** What the provisioner needs of the v1 driver. */
export interface V1PersonsDeps {
  bus: MqttBus;
  clock: Clock;
  log: Logger;
  /** Where a bad ack is counted and logged, with the reader's id. */
  sink: ReadSink;
  prefix: string;
  /** Readers configured with `options.persons: true`. */
  readers: ReadonlySet<string>;
  /** How long an operation waits for its ack; default 30 s. */
  ackTimeoutMs?: number;
  /** How long a `list` waits before the gateway's own record is used instead; default 10 s. */
  listTimeoutMs?: number;
}

interface Waiting {
  readerId: string;
  resolve: (a: PersonsAck) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Operations in flight per terminal: QoS 1 keeps them in order, the terminal answers each. */
const WINDOW = 8;

/**
 * The v1 driver's side of the provisioning seam (issue 11): a terminal that opted in with
 * `options.persons` gets `upsert`/`delete` operations on its `persons` topic and answers
 * each on `persons/ack`, with a per-person refusal code from core/codes.ts
 * `libraryRefusal`. Drift comes from the terminal's answer to `list` when it gives one,
 * else from the gateway's record of what it wrote. A terminal is ready when its status
 * says it is online.
 */
export class V1Persons implements Provisioner {
  readonly kind = 'face' as const;
  readonly window = WINDOW;
  readonly #d: V1PersonsDeps;
  readonly #waiting = new Map<string, Waiting>();
  readonly #online = new Set<string>();
  /** Terminals that did not answer `list`: their record is used from then on. */
  readonly #noList = new Set<string>();
  readonly #listeners = new Set<(readerId: string) => void>();
  #seq = 0;
  readonly #base: string;

  constructor(d: V1PersonsDeps) {
    this.#d = d;
    this.#base = d.clock.now().toString(36);
    d.bus.subscribe(`${d.prefix}/readers/+/${PERSONS_ACK}`, (topic, payload) => {
      this.#onAck(topic, payload);
      return undefined;
    });
  }

  covers(readerId: string): boolean {
    return this.#d.readers.has(readerId);
  }

  /** A status message of a reader (the driver hands every one on). */
  status(readerId: string, s: ReaderStatus): void {
    if (!this.#d.readers.has(readerId)) return;
    if (!s.online) {
      this.#online.delete(readerId);
      return;
    }
    const was = this.#online.has(readerId);
    this.#online.add(readerId);
    // A terminal that comes back may have been replaced or reset: it lists again.
    if (!s.retained) this.#noList.delete(readerId);
    if (!was) for (const f of this.#listeners) f(readerId);
  }

  onReady(listener: (readerId: string) => void): () => void {
    this.#listeners.add(listener);
    for (const id of this.#online) listener(id);
    return () => this.#listeners.delete(listener);
  }

  async drift(
    readerId: string,
    expected: readonly string[],
    enrolled: readonly string[] = [],
  ): Promise<Drift> {
    this.#mustBeOnline(readerId);
    let held: ReadonlySet<string> = new Set(enrolled);
    if (!this.#noList.has(readerId)) {
      try {
        const a = await this.#send(readerId, { id: this.#id(), op: 'list' }, this.#d.listTimeoutMs ?? 10_000);
        if (a.ok && a.personIds) held = new Set(a.personIds);
        else this.#noList.add(readerId);
      } catch (err) {
        if (!(err instanceof GatewayError && err.code === 'TIMEOUT')) throw err;
        this.#noList.add(readerId);
        this.#d.log.info(
          { reader: readerId },
          'terminal does not list its persons: the gateway’s record is used',
        );
      }
    }
    const want = new Set(expected);
    return {
      orphans: [...held].filter((k) => !want.has(k)),
      missing: expected.filter((k) => !held.has(k)),
    };
  }

  put(readerId: string, entry: LibraryEntry): Promise<EntryOutcome> {
    if (!entry.photo)
      return Promise.resolve({ ok: false, code: 'no_photo', message: 'the entry carries no photo' });
    return this.#op(readerId, { id: this.#id(), op: 'upsert', entry });
  }

  remove(readerId: string, key: string): Promise<EntryOutcome> {
    return this.#op(readerId, { id: this.#id(), op: 'delete', personId: key });
  }

  async #op(readerId: string, op: PersonsOp): Promise<EntryOutcome> {
    this.#mustBeOnline(readerId);
    const a = await this.#send(readerId, op, this.#d.ackTimeoutMs ?? 30_000);
    if (a.ok) return { ok: true };
    // A code outside the table is the terminal's own: kept as its words.
    return isCode('libraryRefusal', a.code)
      ? { ok: false, code: a.code, message: a.message }
      : { ok: false, code: 'vendor_error', vendorCode: a.code, message: a.message };
  }

  /** The gateway is stopping: operations waiting for an ack fail now. */
  abort(): void {
    for (const [id, w] of this.#waiting) {
      clearTimeout(w.timer);
      this.#waiting.delete(id);
      w.reject(new GatewayError('STOPPING', 'the gateway is stopping'));
    }
  }

  #mustBeOnline(readerId: string): void {
    if (!this.#online.has(readerId))
      throw new GatewayError('READER_OFFLINE', `reader ${readerId} is offline`, { reader: readerId });
  }

  #send(readerId: string, op: PersonsOp, timeoutMs: number): Promise<PersonsAck> {
    return new Promise<PersonsAck>((resolve, reject) => {
      // The waiter is registered before the operation leaves (style.md: no lost early reply).
      const timer = setTimeout(() => {
        this.#waiting.delete(op.id);
        reject(
          new GatewayError('TIMEOUT', `reader ${readerId} did not answer ${op.op} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.#waiting.set(op.id, { readerId, resolve, reject, timer });
      try {
        this.#d.bus.publish(`${this.#d.prefix}/readers/${readerId}/persons`, encodeOp(op), {
          qos: 1,
          shard: readerId,
        });
      } catch (err) {
        clearTimeout(timer);
        this.#waiting.delete(op.id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  #onAck(topic: string, payload: Buffer): void {
    // {prefix}/readers/{reader}/persons/ack
    const readerId = topic.slice(this.#d.prefix.length + '/readers/'.length, -(PERSONS_ACK.length + 1));
    const a = parseAck(payload);
    if (typeof a === 'string') {
      this.#d.sink.reject(readerId, 'bad_field', `persons ack: ${a}`);
      return;
    }
    const w = this.#waiting.get(a.id);
    if (!w || w.readerId !== readerId) {
      this.#d.log.debug(
        { reader: readerId, op: a.id },
        'persons ack for no operation in flight (late or repeated)',
      );
      return;
    }
    this.#waiting.delete(a.id);
    clearTimeout(w.timer);
    w.resolve(a);
  }

  #id(): string {
    return `p-${this.#base}-${++this.#seq}`;
  }
}
