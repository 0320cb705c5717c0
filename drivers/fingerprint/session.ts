import type { Clock } from '../../core/clock.js';
import type { ReadSink } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { RecordIds } from '../serial/options.js';
import { PollingSession, type PollTiming } from '../serial/polling-session.js';
import { type ReaderPortOptions, submitRead } from '../serial/reader-port.js';
import type { Channel, WaitOptions } from '../serial/requester.js';
import * as cmd from './commands.js';
import {
  CC_NO_FINGER,
  CC_NOT_FOUND,
  CC_OK,
  CHAR_BUFFER_1,
  PAGES_PER_INDEX,
  TEMPLATE_BYTES,
} from './constants.js';
import { encodeDataPackets, isAck, type Packet, packetSizeFor } from './frame.js';

/** Per-module settings, from the reader's options. */
export interface FingerprintSettings {
  address: number;
  password: number;
  timeoutMs: number;
  retries: number;
}

/** Pages on the module that the roster does not know, and roster pages the module lacks. */
export interface Drift {
  orphans: number[];
  missing: number[];
}

/**
 * One R30x/AS608 module: probe with VfyPwd + ReadSysPara, then the door loop GenImg →
 * Img2Tz 1 → Search (protocols.md "Door check loop"), one read per finger presentation.
 * Enrolment (DownChar + Store), DeleteChar and the drift report share the same queue.
 */
export class FingerprintSession extends PollingSession<Packet> {
  readonly #set: FingerprintSettings;
  readonly #sink: ReadSink;
  readonly #clock: Clock;
  readonly #ids: RecordIds;
  #capacity = 0;
  #packetSize = 128;
  /** A finger was read and has not been lifted yet. */
  #fingerDown = false;

  constructor(opts: ReaderPortOptions<Packet>, timing: PollTiming, set: FingerprintSettings, clock: Clock) {
    super(opts, timing);
    this.#set = set;
    this.#sink = opts.sink;
    this.#clock = clock;
    this.#ids = new RecordIds(clock.now());
  }

  /** Template pages the module holds (from ReadSysPara); 0 until probed. */
  get capacity(): number {
    return this.#capacity;
  }

  protected override async probe(): Promise<void> {
    const a = this.#set.address;
    this.#ok(await this.#req(cmd.vfyPwd(a, this.#set.password), 'VfyPwd'), 'VfyPwd');
    const sys = cmd.parseSysPara(this.#ok(await this.#req(cmd.readSysPara(a), 'ReadSysPara'), 'ReadSysPara'));
    this.#capacity = sys.capacity;
    this.#packetSize = packetSizeFor(sys.packetSizeCode);
    this.log.info({ capacity: sys.capacity, securityLevel: sys.securityLevel }, 'fingerprint module ready');
  }

  protected override async poll(): Promise<void> {
    const a = this.#set.address;
    // Image, features and search run as one unit: an enrolment in between would
    // overwrite character buffer 1 before Search reads it.
    const result = await this.port.requester.exclusive(async (ch) => {
      const img = cmd.ackCode(await ch.send(cmd.genImg(a), this.#wait('GenImg')));
      if (img === CC_NO_FINGER) {
        this.#fingerDown = false;
        return undefined;
      }
      if (img !== CC_OK || this.#fingerDown) return undefined;
      if (cmd.ackCode(await ch.send(cmd.img2Tz(a, CHAR_BUFFER_1), this.#wait('Img2Tz'))) !== CC_OK)
        return undefined;
      const found = await ch.send(cmd.search(a, CHAR_BUFFER_1, 0, this.#capacity), this.#wait('Search'));
      const code = cmd.ackCode(found);
      if (code === CC_OK) return cmd.parseSearch(found);
      if (code === CC_NOT_FOUND) return null;
      return undefined;
    });
    if (result === undefined) return;
    this.#fingerDown = true;
    const now = this.#clock.now();
    submitRead(this.#sink, this.log, {
      readerId: this.readerId,
      recordId: this.#ids.next(),
      ts: now,
      receivedAt: now,
      credential:
        result === null
          ? { type: 'fingerprint', templateId: null }
          : { type: 'fingerprint', templateId: String(result.page), score: result.score },
      offline: false,
    });
  }

  protected override onOffline(): void {
    this.#fingerDown = false;
  }

  /** Downloads a template into buffer 1 (DownChar + data packets) and stores it at `page`. */
  async enroll(page: number, template: Buffer): Promise<void> {
    this.#checkPage(page);
    // A short or long download leaves a half-written buffer that Store would save as is.
    if (template.length !== TEMPLATE_BYTES) {
      throw new GatewayError('BAD_TEMPLATE', `template is ${template.length} bytes, not ${TEMPLATE_BYTES}`);
    }
    const a = this.#set.address;
    await this.port.requester.exclusive(async (ch: Channel<Packet>) => {
      this.#ok(await ch.send(cmd.downChar(a, CHAR_BUFFER_1), this.#wait('DownChar')), 'DownChar');
      for (const packet of encodeDataPackets(a, template, this.#packetSize)) await ch.write(packet);
      this.#ok(await ch.send(cmd.store(a, CHAR_BUFFER_1, page), this.#wait('Store')), 'Store');
    });
  }

  /** Deletes `count` templates from `page` (DeleteChar). */
  async remove(page: number, count = 1): Promise<void> {
    this.#checkPage(page);
    this.#ok(await this.#req(cmd.deleteChar(this.#set.address, page, count), 'DeleteChar'), 'DeleteChar');
  }

  /** Compares the module's used pages (ReadIndexTable) with the pages the roster expects. */
  async drift(expected: Iterable<number>): Promise<Drift> {
    this.#checkPage(0);
    const used = new Set<number>();
    for (let index = 0; index * PAGES_PER_INDEX < this.#capacity; index++) {
      const ack = this.#ok(
        await this.#req(cmd.readIndexTable(this.#set.address, index), 'ReadIndexTable'),
        'ReadIndexTable',
      );
      for (const page of cmd.parseIndexTable(ack, index)) if (page < this.#capacity) used.add(page);
    }
    const want = new Set(expected);
    return {
      orphans: [...used].filter((p) => !want.has(p)).sort((x, y) => x - y),
      missing: [...want].filter((p) => !used.has(p)).sort((x, y) => x - y),
    };
  }

  #checkPage(page: number): void {
    if (!this.ready) throw new GatewayError('READER_OFFLINE', `reader ${this.readerId} is not ready`);
    if (!Number.isInteger(page) || page < 0 || page >= this.#capacity) {
      throw new GatewayError('BAD_PAGE', `page ${page} outside 0..${this.#capacity - 1}`);
    }
  }

  #wait(label: string): WaitOptions<Packet> {
    return { accept: isAck, timeoutMs: this.#set.timeoutMs, retries: this.#set.retries, label };
  }

  #req(bytes: Buffer, label: string): Promise<Packet> {
    return this.port.requester.request(bytes, this.#wait(label));
  }

  #ok(p: Packet, what: string): Packet {
    const code = cmd.ackCode(p);
    if (code !== CC_OK) {
      throw new GatewayError('FP_REFUSED', `${what} refused with 0x${code.toString(16).padStart(2, '0')}`, {
        code,
      });
    }
    return p;
  }
}
