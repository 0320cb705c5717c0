import type { Clock } from '../../core/clock.js';
import type { ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { RecordIds } from '../serial/options.js';
import { PollingSession, type PollTiming } from '../serial/polling-session.js';
import { type ReaderPortOptions, submitRead } from '../serial/reader-port.js';
import type { WaitOptions } from '../serial/requester.js';
import { CMD_FIND, CMD_READ, CMD_SAM_STATUS, CMD_SELECT, SW_CARD_FOUND, SW_OK } from './constants.js';
import { asReply, encodeRequest, type SamFrame, type SamReply } from './frame.js';
import { decodeReadData, isExpired } from './text.js';

/** Per-reader settings, from the reader's options. */
export interface IdCardSettings {
  timeoutMs: number;
  readTimeoutMs: number;
  retries: number;
  /** Consecutive "no card" answers that end a presentation. */
  removeAfterPolls: number;
}

/**
 * One SAM reader: probe with SAM status, then find → select → read a few times a second
 * (protocols.md). One read per card presentation: once read, the card is not read again
 * until `removeAfterPolls` finds in a row answered "no card".
 */
export class IdCardSession extends PollingSession<SamFrame> {
  readonly #set: IdCardSettings;
  readonly #sink: ReadSink;
  readonly #clock: Clock;
  readonly #ids: RecordIds;
  /** The card on the reader was already read (or refused). */
  #presented = false;
  #absent = 0;
  /** Cards read whose validity had ended. */
  expiredReads = 0;

  constructor(opts: ReaderPortOptions<SamFrame>, timing: PollTiming, set: IdCardSettings, clock: Clock) {
    super({ ...opts, hexLimit: 16 }, timing);
    this.#set = set;
    this.#sink = opts.sink;
    this.#clock = clock;
    this.#ids = new RecordIds(clock.now());
  }

  protected override async probe(): Promise<void> {
    const r = await this.#req(CMD_SAM_STATUS, 'SAM status', this.#set.timeoutMs);
    if (r.sw3 !== SW_OK)
      throw new GatewayError('SAM_STATUS', `SAM status 0x${r.sw3.toString(16)}`, { sw3: r.sw3 });
  }

  protected override async poll(): Promise<void> {
    const found = await this.#req(CMD_FIND, 'find card', this.#set.timeoutMs);
    if (found.sw3 !== SW_CARD_FOUND) {
      if (++this.#absent >= this.#set.removeAfterPolls) this.#presented = false;
      return;
    }
    this.#absent = 0;
    if (this.#presented) return;
    if ((await this.#req(CMD_SELECT, 'select card', this.#set.timeoutMs)).sw3 !== SW_OK) return;
    const read = await this.#req(CMD_READ, 'read card', this.#set.readTimeoutMs);
    if (read.sw3 !== SW_OK) return; // a card pulled away mid-read: try again next poll
    this.#presented = true;
    let card: ReturnType<typeof decodeReadData>;
    try {
      card = decodeReadData(read.data);
    } catch (err) {
      const code = err instanceof GatewayError ? err.code : 'IDCARD_FIELD';
      // The message names the field or kind, never its content (design.md §9).
      this.log.info({ code, why: err instanceof Error ? err.message : String(err) }, 'ID card refused');
      this.#sink.reject(this.readerId, 'bad_field', code);
      return;
    }
    const now = this.#clock.now();
    if (isExpired(card.validUntil, now)) {
      this.expiredReads++;
      this.log.info({ validUntil: card.validUntil }, 'expired ID card presented');
    }
    submitRead(this.#sink, this.log, {
      readerId: this.readerId,
      recordId: this.#ids.next(),
      ts: now,
      receivedAt: now,
      credential: { type: 'idcard', number: card.number, name: card.name, validUntil: card.validUntil },
      offline: false,
    });
  }

  protected override onOffline(): void {
    this.#presented = false;
    this.#absent = 0;
  }

  async #req(cmd: readonly [number, number], label: string, timeoutMs: number): Promise<SamReply> {
    const wait: WaitOptions<SamFrame> = {
      accept: (f) => f.body.length >= 3,
      timeoutMs,
      retries: this.#set.retries,
      label,
    };
    return asReply(await this.port.requester.request(encodeRequest(cmd), wait));
  }
}
