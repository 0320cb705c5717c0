import { GatewayError } from '../../core/errors.js';
import { parseDeviceTime } from '../http/device-time.js';
import { HeldStream } from '../http/held-stream.js';
import type { VendorTerminalDeps } from '../http/vendor-driver.js';
import { VendorTerminalBase } from '../http/vendor-terminal.js';
import { type AssembledEvent, HikAssembler } from './assembler.js';
import { catchUpAcs, fetchPicture } from './catch-up.js';
import { HIK_BOUNDARY, ISAPI, unlockSeconds } from './constants.js';
import { mapEvent } from './map.js';
import type { HikOptions } from './options.js';

import { localTimeOf, parseResponseStatus, remoteDoorXml } from './wire.js';

/** What a terminal is built from. */
export type HikTerminalDeps = VendorTerminalDeps<HikOptions>;

/** Where an event came from: a person at the door now, or history. */
type Source = 'push' | 'stream' | 'catchup';

/**
 * One Hikvision terminal (the shared parts in vendor-terminal.ts): probe by System/time; its
 * alertStream (or the pushes that reach it from the driver's route); its AcsEvent cursor,
 * whose search results' pictures are fetched one by one; a remote door open. A gap in
 * serial numbers starts a catch-up; numbers that go back mean a reset terminal.
 */
export class HikTerminal extends VendorTerminalBase<HikOptions> {
  protected readonly openName = 'remote door open';

  constructor(d: HikTerminalDeps) {
    super(d, {
      maxReplyBytes: Math.max(1024 * 1024, d.options.maxPictureBytes + 65_536),
      lockout: unlockSeconds,
      cursorKey: 'acs.cursor',
    });
    this.stream = d.options.events === 'stream' ? this.#alertStream() : null;
  }

  /** Events assembled from one pushed body, recorded in order; resolves when all are durable. */
  async pushed(events: AssembledEvent[]): Promise<void> {
    for (const e of events) await this.#record(e, 'push');
  }

  protected async openDoor(): Promise<void> {
    const r = await this.http.request('PUT', `${ISAPI.remoteDoor}${this.options.doorNo}`, {
      body: remoteDoorXml('open'),
      headers: { 'content-type': 'application/xml' },
    });
    const s = parseResponseStatus(r.body.toString('utf8'));
    if (r.status === 200 && (s === null || s.statusCode === 1)) return;
    throw new GatewayError(
      'DOOR_REFUSED',
      `${r.status} ${s?.subStatusCode ?? ''} ${s?.errorMsg ?? ''}`.trim(),
    );
  }

  protected async probe(): Promise<number | null> {
    const r = await this.http.request('GET', ISAPI.time);
    if (r.status !== 200) throw new GatewayError('TERMINAL_REFUSED', `System/time answered ${r.status}`);
    const local = localTimeOf(r.body.toString('utf8'));
    return local ? parseDeviceTime(local, this.options.utcOffsetMinutes) : null;
  }

  protected async catchUp(): Promise<void> {
    const r = await catchUpAcs({
      http: this.http,
      cursor: this.cursor,
      zoneMinutes: this.options.utcOffsetMinutes,
      catchUpDays: this.options.catchUpDays,
      now: () => this.deps.clock.now(),
      record: async (parsed, url) => {
        const image = url ? await this.#picture(url) : undefined;
        await this.#record({ parsed, ...(image ? { image } : {}) }, 'catchup');
      },
      bad: (detail) => this.bad('bad_field', `AcsEvent: ${detail}`),
    });
    this.caughtUp(r);
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
      event: (e) => this.streamed(() => this.#record(e, 'stream')),
      bad: (reason, detail) => this.bad(reason, detail),
      pictureDropped: (why) => this.pictureDropped(why),
    });
    return new HeldStream({
      readerId: this.readerId,
      log: this.deps.log,
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
      receivedAt: this.deps.clock.now(),
      cardFormat: this.options.cardFormat,
      offline,
      ...(e.image ? { image: e.image } : {}),
    });
    await this.deliver(m, offline);
    if (source !== 'catchup') this.advance(ev.serialNo, ev.time, ev.currentEvent !== false);
  }
}
