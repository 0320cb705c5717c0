import type { DoorCommand, RejectReason } from '../../core/contracts.js';
import { GatewayError } from '../../core/errors.js';
import { oversizePush, prefixed, sendDoorOpen, TerminalCounters } from '../http/counters.js';
import { Cursor } from '../http/cursor.js';
import { DeviceHttp } from '../http/device-http.js';
import { parseDeviceTime } from '../http/device-time.js';
import { HeldStream } from '../http/held-stream.js';
import { TerminalSession } from '../http/terminal-session.js';
import type { VendorTerminalDeps } from '../http/vendor-driver.js';
import { type AssembledEvent, HikAssembler } from './assembler.js';
import { catchUpAcs, fetchPicture } from './catch-up.js';
import { HIK_BOUNDARY, ISAPI, unlockSeconds } from './constants.js';
import type { HikEvent } from './event.js';
import { mapEvent } from './map.js';
import type { HikOptions } from './options.js';

import { localTimeOf, parseResponseStatus, remoteDoorXml } from './wire.js';

/** What a terminal is built from. */
export type HikTerminalDeps = VendorTerminalDeps<HikOptions>;

/** Where an event came from: a person at the door now, or history. */
type Source = 'push' | 'stream' | 'catchup';

/** A live event whose serial is this far behind the cursor, yet newer, means the terminal's counter restarted. */
const RESTART_AFTER_MS = 60_000;

/**
 * One Hikvision terminal: its Digest client, its liveness probe, its alertStream (or the
 * pushes that reach it from the driver's route), its catch-up cursor, its door. Every
 * record goes to the sink with its identity; the cursor moves once the record is durable,
 * and a gap in serial numbers starts a catch-up.
 */
export class HikTerminal {
  readonly readerId: string;
  readonly options: HikOptions;
  readonly http: DeviceHttp;
  readonly session: TerminalSession;
  readonly counters = new TerminalCounters();
  readonly #d: HikTerminalDeps;
  readonly #cursor: Cursor;
  readonly #stream: HeldStream | null;
  #chain: Promise<void> = Promise.resolve();

  constructor(d: HikTerminalDeps) {
    this.#d = d;
    this.readerId = d.readerId;
    this.options = d.options;
    const o = d.options;
    this.http = new DeviceHttp({
      host: o.host,
      port: o.port,
      login: d.login,
      timeoutMs: o.timeoutMs,
      maxReplyBytes: Math.max(1024 * 1024, o.maxPictureBytes + 65_536),
      lockout: unlockSeconds,
      now: () => d.clock.now(),
    });
    this.#cursor = new Cursor(d.state, d.readerId, 'acs.cursor');
    this.session = new TerminalSession({
      readerId: d.readerId,
      sink: d.sink,
      log: d.log,
      probeMs: o.probeSeconds * 1000,
      hooks: { probe: () => this.#probe(), catchUp: () => this.#catchUp() },
    });
    this.#stream = o.events === 'stream' ? this.#alertStream() : null;
  }

  start(): void {
    if (!this.#d.login())
      this.#d.log.warn(
        { reader: this.readerId },
        'no login for this terminal in the secrets file (terminals.<id>.username/password): it is not called until one is there',
      );
    this.session.start();
    this.#stream?.start();
  }

  async stop(): Promise<void> {
    await this.#stream?.stop();
    await this.session.stop();
    await this.#chain;
    this.http.close();
  }

  /** Events assembled from one pushed body, recorded in order; resolves when all are durable. */
  async pushed(events: AssembledEvent[]): Promise<void> {
    for (const e of events) await this.#record(e, 'push');
  }

  /** A pushed body's problems, as the stream's. */
  bad(reason: RejectReason, detail: string): void {
    this.counters.count(`rejected_${reason}`);
    this.#d.sink.reject(this.readerId, reason, detail);
  }

  /** A push too large to read: answered as received, its record fetched by a catch-up (counters.ts). */
  oversizePush(): void {
    oversizePush({
      readerId: this.readerId,
      counters: this.counters,
      log: this.#d.log,
      requestCatchUp: () => this.session.requestCatchUp(),
    });
  }

  /** A picture dropped with its event kept. */
  pictureDropped(why: string): void {
    this.counters.count(`picture_${why}`);
    this.#d.log.warn({ reader: this.readerId, why }, 'picture dropped; the event is kept');
  }

  /** Opens the door for an unlock; a deny has nothing to send (the terminal shows its own verdict). */
  command(cmd: DoorCommand): void {
    if (cmd.action !== 'unlock') return;
    const path = `${ISAPI.remoteDoor}${this.options.doorNo}`;
    sendDoorOpen(
      { readerId: this.readerId, counters: this.counters, log: this.#d.log },
      'remote door open',
      () =>
        this.http
          .request('PUT', path, {
            body: remoteDoorXml('open'),
            headers: { 'content-type': 'application/xml' },
          })
          .then((r) => {
            const s = parseResponseStatus(r.body.toString('utf8'));
            if (r.status === 200 && (s === null || s.statusCode === 1)) return;
            throw new GatewayError(
              'DOOR_REFUSED',
              `${r.status} ${s?.subStatusCode ?? ''} ${s?.errorMsg ?? ''}`.trim(),
            );
          }),
    );
  }

  /** Driver counters with the HTTP client's and the stream's. */
  stats(): Record<string, number> {
    return {
      ...this.counters.snapshot(),
      ...prefixed('http', this.http.stats),
      ...prefixed('session', this.session.stats),
      ...(this.#stream ? prefixed('stream', this.#stream.stats) : {}),
    };
  }

  async #probe(): Promise<number | null> {
    const r = await this.http.request('GET', ISAPI.time);
    if (r.status !== 200) throw new GatewayError('TERMINAL_REFUSED', `System/time answered ${r.status}`);
    const local = localTimeOf(r.body.toString('utf8'));
    return local ? parseDeviceTime(local, this.options.utcOffsetMinutes) : null;
  }

  async #catchUp(): Promise<void> {
    const r = await catchUpAcs({
      http: this.http,
      cursor: this.#cursor,
      zoneMinutes: this.options.utcOffsetMinutes,
      catchUpDays: this.options.catchUpDays,
      now: () => this.#d.clock.now(),
      record: async (parsed, url) => {
        const image = url ? await this.#picture(url) : undefined;
        await this.#record({ parsed, ...(image ? { image } : {}) }, 'catchup');
      },
      bad: (detail) => this.bad('bad_field', `AcsEvent: ${detail}`),
    });
    if (r.recorded > 0) {
      this.counters.count('caught_up', r.recorded);
      this.#d.log.info(
        { reader: this.readerId, records: r.recorded },
        'caught up with the terminal’s records',
      );
    }
    if (r.more) void this.session.requestCatchUp();
  }

  /** A search result's picture, or why it was dropped (counted; the event is kept). */
  async #picture(url: string): Promise<{ mime: string; data: Buffer } | undefined> {
    const r = await fetchPicture(this.http, this.options.host, url, this.options.maxPictureBytes);
    if ('dropped' in r) {
      this.pictureDropped(r.dropped);
      return undefined;
    }
    return r;
  }

  #alertStream(): HeldStream {
    const assembler = new HikAssembler(this.options.utcOffsetMinutes, this.options.maxPictureBytes, {
      event: (e) => {
        this.#chain = this.#chain.then(() =>
          this.#record(e, 'stream').catch((err: unknown) => {
            // Not durable: the cursor stays, so the next catch-up finds it again.
            this.#d.log.error({ err, reader: this.readerId }, 'streamed event not recorded');
          }),
        );
      },
      bad: (reason, detail) => this.bad(reason, detail),
      pictureDropped: (why) => this.pictureDropped(why),
    });
    return new HeldStream({
      readerId: this.readerId,
      log: this.#d.log,
      http: this.http,
      path: ISAPI.alertStream,
      boundary: HIK_BOUNDARY,
      maxPartBytes: this.options.maxPictureBytes,
      idleMs: Math.max(60_000, this.options.probeSeconds * 2000),
      minRetryMs: 1000,
      maxRetryMs: 60_000,
      onPart: (e) => assembler.part(e),
      onOpen: () => this.session.reachable(null),
      onClose: (err) => {
        assembler.flush();
        this.session.unreachable(err);
      },
      refusal: (reply) => {
        const s = parseResponseStatus(reply.body.toString('utf8'));
        const sub = s?.subStatusCode ?? '';
        if (sub === 'deployExceedMax' || reply.status === 404)
          return {
            // Only one subscription per device: another client (HikCentral, an old gateway) holds the slot.
            err: new GatewayError(
              'STREAM_SLOT_TAKEN',
              'another client holds the terminal’s only event stream',
            ),
            minDelayMs: 30_000,
          };
        return {
          err: new GatewayError('STREAM_REFUSED', `alertStream answered ${reply.status} ${sub}`.trim()),
          minDelayMs: 0,
        };
      },
    });
  }

  async #record(e: AssembledEvent, source: Source): Promise<void> {
    const { parsed } = e;
    if (!parsed.ok) return this.bad(parsed.reason, parsed.detail);
    if (parsed.kind !== 'access') {
      this.counters.count(parsed.kind === 'heartbeat' ? 'heartbeats' : `event_${parsed.eventType}`);
      return;
    }
    const ev = parsed.event;
    const offline = source === 'catchup' || ev.currentEvent === false;
    const m = mapEvent(ev, {
      readerId: this.readerId,
      receivedAt: this.#d.clock.now(),
      cardFormat: this.options.cardFormat,
      offline,
      ...(e.image ? { image: e.image } : {}),
    });
    switch (m.kind) {
      case 'read':
        await this.#d.sink.submit(m.read);
        this.counters.count(offline ? 'reads_offline' : 'reads_live');
        break;
      case 'door':
        this.#d.sink.door(m.signal);
        this.counters.count(`door_${m.signal.kind}`);
        break;
      case 'note':
        this.counters.count(`note_${m.name}`);
        break;
      case 'unknown':
        // Recorded, not dropped: counted by code on the devices page, logged the first time.
        if (this.counters.count(`unknown_${m.code}`) === 1)
          this.#d.log.info(
            { reader: this.readerId, code: m.code },
            'event code not in the SDK table; counted',
          );
        break;
      case 'bad':
        this.bad(m.reason, m.detail);
        break;
    }
    if (source !== 'catchup') this.#advance(ev, source);
  }

  /** A live or streamed record moved the cursor: in step, past a gap (catch up), or back (a restarted counter). */
  #advance(ev: HikEvent, _source: Source): void {
    const s = ev.serialNo;
    if (s === null) return;
    const cur = this.#cursor.value;
    if (cur === null || s === cur.n + 1) this.#cursor.set({ n: s, t: ev.time });
    else if (s > cur.n + 1) void this.session.requestCatchUp();
    else if (ev.currentEvent !== false && ev.time > cur.t + RESTART_AFTER_MS) {
      this.#d.log.warn(
        { reader: this.readerId, serialNo: s, cursor: cur.n },
        'the terminal’s event numbers went back (reset or replaced?); following the new numbering',
      );
      this.#cursor.set({ n: s, t: ev.time }, true);
    }
  }
}
