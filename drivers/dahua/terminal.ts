import { GatewayError } from '../../core/errors.js';
import { parseDeviceTime } from '../http/device-time.js';
import { HeldStream } from '../http/held-stream.js';
import type { VendorTerminalDeps } from '../http/vendor-driver.js';
import { VendorTerminalBase } from '../http/vendor-terminal.js';
import { type DahuaAssembled, DahuaAssembler } from './assembler.js';
import { catchUpRecords } from './catch-up.js';
import { CGI, DAHUA_BOUNDARY } from './constants.js';
import { mapDahua } from './event.js';
import type { DahuaOptions } from './options.js';

/** What a terminal is built from. */
export type DahuaTerminalDeps = VendorTerminalDeps<DahuaOptions>;

type Source = 'push' | 'stream' | 'catchup';

/**
 * One Dahua terminal (the shared parts in vendor-terminal.ts): probe by getCurrentTime, in
 * the terminal's zone; its attach or snap stream (or the pushes the driver's route hands
 * it); its recordFinder cursor; `openDoor`. A RecNo past the cursor starts a catch-up; one
 * that went back on a newer record (a reset terminal) restarts the cursor (vendor-terminal.ts).
 */
export class DahuaTerminal extends VendorTerminalBase<DahuaOptions> {
  protected readonly openName = 'openDoor';

  constructor(d: DahuaTerminalDeps) {
    super(d, { maxReplyBytes: 4 * 1024 * 1024, cursorKey: 'records.cursor' });
    const o = d.options;
    this.stream = o.events === 'push' ? null : this.#heldStream(o.events === 'snap' ? CGI.snap : CGI.attach);
  }

  /** The events of one pushed body, recorded in order; resolves when all are durable. */
  async pushed(events: DahuaAssembled[]): Promise<void> {
    for (const e of events) await this.#record(e, 'push');
  }

  /** A heartbeat part: the stream is alive. */
  heartbeat(): void {
    this.counters.count('heartbeats');
  }

  protected async openDoor(): Promise<void> {
    const r = await this.http.request('GET', `${CGI.openDoor}${this.options.channel}`);
    if (r.status === 200 && /^\s*OK\s*$/i.test(r.body.toString('utf8'))) return;
    throw new GatewayError(
      'DOOR_REFUSED',
      `openDoor answered ${r.status} ${r.body.toString('utf8').slice(0, 80)}`,
    );
  }

  protected async probe(): Promise<number | null> {
    const r = await this.http.request('GET', CGI.time);
    if (r.status !== 200) throw new GatewayError('TERMINAL_REFUSED', `getCurrentTime answered ${r.status}`);
    const local = /result=(.+)/.exec(r.body.toString('utf8'))?.[1]?.trim();
    return local ? parseDeviceTime(local, this.options.utcOffsetMinutes) : null;
  }

  protected async catchUp(): Promise<void> {
    const r = await catchUpRecords({
      http: this.http,
      cursor: this.cursor,
      zoneMinutes: this.options.utcOffsetMinutes,
      catchUpDays: this.options.catchUpDays,
      now: () => this.deps.clock.now(),
      record: (event) => this.#record({ parsed: { ok: true, event } }, 'catchup'),
      bad: (detail) => this.bad('bad_field', `recordFinder: ${detail}`),
    });
    this.caughtUp(r);
  }

  #heldStream(path: string): HeldStream {
    const assembler = new DahuaAssembler(
      this.options.utcOffsetMinutes,
      this.options.maxPictureBytes,
      {
        event: (e) => this.streamed(() => this.#record(e, 'stream')),
        bad: (reason, detail) => this.bad(reason, detail),
        pictureDropped: (why) => this.pictureDropped(why),
        heartbeat: () => this.heartbeat(),
      },
      path === CGI.snap,
    );
    return new HeldStream({
      readerId: this.readerId,
      log: this.deps.log,
      http: this.http,
      path,
      boundary: DAHUA_BOUNDARY,
      maxPartBytes: Math.max(this.options.maxPictureBytes * 4, 1024 * 1024),
      // Heartbeats come every 5–10 s: three missed and the stream is dead.
      idleMs: 30_000,
      minRetryMs: 1000,
      maxRetryMs: 60_000,
      onPart: (e) => assembler.part(e),
      onOpen: () => this.session.reachable(null),
      onClose: (err) => {
        assembler.flush();
        this.session.unreachable(err);
      },
    });
  }

  async #record(e: DahuaAssembled, source: Source): Promise<void> {
    const p = e.parsed;
    if (!p.ok) {
      this.bad(p.reason, p.detail);
      return;
    }
    const ev = p.event;
    const offline = source === 'catchup';
    const m = mapDahua(ev, {
      readerId: this.readerId,
      receivedAt: this.deps.clock.now(),
      cardFormat: this.options.cardFormat,
      offline,
      ...(e.image ? { image: e.image } : {}),
    });
    await this.deliver(m, offline);
    if (source !== 'catchup' && ev.code === 'AccessControl') this.advance(ev.recNo, ev.time, true);
  }
}
